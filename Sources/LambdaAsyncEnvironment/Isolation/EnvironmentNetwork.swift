import CSystemCalls
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One execution environment's own network, as every Lambda environment has: a network namespace
/// with a loopback of its own, where the Runtime API answers at 127.0.0.1:9001 and a fixed port an
/// extension binds clashes with nothing outside. No other environment's APIs and none of the host's
/// services are reachable from it; the runner reaches in with sockets it makes inside the namespace
/// (`listen`, `connect`), and outbound traffic leaves through slirp4netns where the machine has it.
///
/// Made by `IsolatedEnvironment` once bubblewrap has unshared the network; closed with it.
struct EnvironmentNetwork: Sendable {
    /// Where Lambda's Runtime, Extensions and Telemetry APIs are inside every environment.
    static let runtimeAPIPort = 9001
    /// slirp4netns's fixed addresses (its default 10.0.2.0/24): the DNS forwarder the resolver uses.
    static let outboundDNS = "10.0.2.3"

    /// An open /proc/PID/ns/net of the environment: keeps the namespace reachable, close-on-exec.
    private let namespace: Int32
    /// slirp4netns's exit pipe (close it and slirp4netns ends), when the environment goes out.
    private let outboundExit: Int32?

    /// The namespace of `pid` (bubblewrap's first process); with `slirp4netns`, outbound access
    /// with the host's loopback refused, ready before this returns.
    init(namespaceOf pid: pid_t, slirp4netns: String?) throws {
        let path = "/proc/\(pid)/ns/net"
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw RunnerError.cannotStart("sandbox", "cannot open \(path): \(String(cString: strerror(errno)))") }
        namespace = fd
        do {
            outboundExit = try slirp4netns.map { try Self.startOutbound($0, namespace: path) }
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    var hasOutbound: Bool { outboundExit != nil }

    /// A listening TCP socket on 127.0.0.1:`port` inside the environment, for SwiftNIO to adopt.
    func listen(port: Int) throws -> Int32 {
        let fd = try socket()
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 256) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw RunnerError.cannotStart("sandbox", "cannot listen on 127.0.0.1:\(port) inside the environment: \(reason)")
        }
        return fd
    }

    /// A TCP socket connected to 127.0.0.1:`port` inside the environment (a Telemetry API
    /// subscriber's listener), for SwiftNIO to adopt; nil when nothing listens there.
    func connect(port: Int) -> Int32? {
        guard let fd = try? socket() else { return nil }
        var address = Self.loopback(port: port)
        // Loopback: the connection is made or refused at once, never left pending.
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            return nil
        }
        return fd
    }

    /// Ends outbound access and lets the namespace go once its last process has.
    func close() {
        if let outboundExit { Glibc.close(outboundExit) }
        Glibc.close(namespace)
    }

    private func socket() throws -> Int32 {
        let fd = lambda_async_socket_in_namespace(namespace, AF_INET, Int32(SOCK_STREAM.rawValue))
        guard fd >= 0 else { throw RunnerError.cannotStart("sandbox", "cannot make a socket inside the environment: \(String(cString: strerror(errno)))") }
        return fd
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        return address
    }

    /// slirp4netns on the namespace: a tap device with a default route and NAT to the host's
    /// network, the host's own loopback refused (a function must not reach the developer's local
    /// services). It runs until the returned pipe's write end closes: with the environment, or with
    /// the runner however it dies.
    private static func startOutbound(_ slirp4netns: String, namespace path: String) throws -> Int32 {
        guard let exitPipe = Spawning.pipe(), let readyPipe = Spawning.pipe() else {
            throw RunnerError.cannotStart("sandbox", "slirp4netns: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, exitPipe.read, 3)
        posix_spawn_file_actions_adddup2(&actions, readyPipe.write, 4)
        lambda_async_spawn_close_from(&actions, 5)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group: a Ctrl-C meant for the runner must not cut the network first.
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        let command = [slirp4netns, "--configure", "--mtu=65520", "--disable-host-loopback", "--exit-fd=3", "--ready-fd=4",
                       "--netns-type=path", path, "tap0"]
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let status = Spawning.locked { posix_spawn(&pid, slirp4netns, &actions, &attributes, argv, environ) }
        Glibc.close(exitPipe.read)
        Glibc.close(readyPipe.write)
        defer { Glibc.close(readyPipe.read) }
        guard status == 0 else {
            Glibc.close(exitPipe.write)
            throw RunnerError.cannotStart("sandbox", "slirp4netns: \(String(cString: strerror(status)))")
        }
        let spawned = pid
        Thread.detachNewThread { var status: Int32 = 0; while waitpid(spawned, &status, 0) == -1 && errno == EINTR {} }
        // It writes "1" once the tap device is up and routed; end of file means it failed.
        guard readChunk(readyPipe.read) != nil else {
            Glibc.close(exitPipe.write)
            throw RunnerError.cannotStart("sandbox", "slirp4netns could not give the environment a network")
        }
        return exitPipe.write
    }
}
