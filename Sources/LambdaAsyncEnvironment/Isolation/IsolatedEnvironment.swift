import CSystemCalls
import Foundation
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// One cold start's execution environment, made Lambda's with the kernel's own tools:
///
/// - a mount and PID namespace (bubblewrap) holding Lambda's filesystem: the code read-only at
///   /var/task, the layers read-only at /opt, the runtime client at /var/runtime, the interpreter at
///   /var/lang, a private /tmp of `EphemeralStorage`'s size, the host's /usr and /etc read-only, and
///   nothing else of the host: no home folder, no host /opt, no host Python packages;
/// - a network namespace (`EnvironmentNetwork`) where the machine allows: its own loopback, the
///   Runtime API at 127.0.0.1:9001, nothing of the host's or another environment's network;
/// - a control group: memory limited to `MemorySize`, CPU in proportion to it, the freezer;
/// - every process started inside both, as Lambda's unprivileged user.
///
/// A holder process keeps the namespace alive; it reads its standard input, a pipe only the runner
/// holds, so when the runner dies however it dies, the holder exits, and with the namespace's first
/// process gone the kernel kills every process in it.
/// @unchecked Sendable: set up in init (off the loop), then used from its sandbox's loop; `teardown` is guarded by `lock`.
final class IsolatedEnvironment: @unchecked Sendable {
    struct Settings {
        /// The sandbox's scratch folder on the host.
        var root: URL
        var task: URL
        var opt: URL
        var runtimeDir: URL
        /// The stand-ins for the runtime's own Node.js modules, when there are any.
        var nodeModules: URL?
        /// The machine's real AWS SDK for JavaScript (NodeSDK), mounted at /var/runtime/node_modules.
        var nodeSDK: URL?
        /// The host interpreter of a managed runtime.
        var interpreter: String?
        var isPython: Bool
        var memoryMB: Int
        var ephemeralStorageMB: Int
        var name: String
    }

    let cgroup: ControlGroup?
    /// The interpreter's path inside the environment.
    let interpreter: String?
    /// The extra PYTHONPATH entry where the runtime's SDK is (the interpreter's own site-packages inside).
    let pythonSDKFolder: String?
    private(set) var holderPid: pid_t = 0
    private var holderInput: Int32 = -1
    private var namespacePid: pid_t = 0
    private let tmpMount: URL?
    /// The /tmp filesystem is still mounted on the host (until the namespace holds its own copy): only
    /// then does teardown unmount it, so as never to unmount the next cold start's at the same path.
    private var tmpMountedOnHost = false
    private let lock = NSLock()
    private var tornDown = false
    /// The environment's own network, when the machine gives it one.
    private(set) var network: EnvironmentNetwork?
    /// What the runner serves inside that network (the Runtime API, forwarders): it ends with the environment.
    private var services: [Channel] = []

    init(settings: Settings, support: IsolationSupport) throws {
        guard let bwrap = support.bubblewrap else {
            // cgroups without namespaces: limits and freezing, on the host's filesystem.
            cgroup = try Self.makeGroup(support, settings)
            interpreter = nil
            pythonSDKFolder = nil
            tmpMount = nil
            return
        }

        // No --die-with-parent: that follows the thread that spawned bubblewrap, not the runner; the
        // holder's input pipe ends the environment when the runner goes (see above).
        var arguments = [bwrap, "--unshare-pid", "--unshare-ipc"]
        // bubblewrap brings the new namespace's loopback up; the runner reaches in with sockets of its own.
        if support.ownNetwork { arguments.append("--unshare-net") }
        arguments += ["--ro-bind", "/usr", "/usr"]
        for top in ["bin", "sbin", "lib", "lib32", "lib64", "libx32"] {
            let path = "/" + top
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
                arguments += ["--symlink", target, path]
            } else if FileManager.default.fileExists(atPath: path) {
                arguments += ["--ro-bind", path, path]
            }
        }
        // The host's /etc (certificates, resolver, time zones), with Lambda's user in passwd and group.
        let passwd = settings.root.appendingPathComponent("passwd"), group = settings.root.appendingPathComponent("group")
        let user = LambdaImage.user
        try Data("root:x:0:0:root:/root:/bin/sh\n\(user.name):x:\(user.uid):\(user.gid)::/home/\(user.name):/sbin/nologin\n".utf8).write(to: passwd)
        try Data("root:x:0:\n\(user.name):x:\(user.gid):\n".utf8).write(to: group)
        arguments += ["--ro-bind", "/etc", "/etc", "--ro-bind", passwd.path, "/etc/passwd", "--ro-bind", group.path, "/etc/group"]
        if support.ownNetwork {
            // The environment's own names: sandbox.localdomain is where its extensions listen (the
            // Telemetry API's destination), and DNS goes through slirp4netns's forwarder.
            let hosts = settings.root.appendingPathComponent("hosts"), resolver = settings.root.appendingPathComponent("resolv.conf")
            try Data("127.0.0.1 localhost sandbox.localdomain\n::1 localhost ip6-localhost\n".utf8).write(to: hosts)
            try Data("nameserver \(EnvironmentNetwork.outboundDNS)\n".utf8).write(to: resolver)
            for (file, path) in [(hosts, "/etc/hosts"), (resolver, "/etc/resolv.conf")] where Self.isPlainFile(path) {
                arguments += ["--ro-bind", file.path, path]
            }
        }
        arguments += ["--proc", "/proc", "--dev", "/dev"]
        // Folders bubblewrap creates on its own are 0700: Lambda's user could not reach /var/task.
        arguments += ["--perms", "0755", "--dir", "/var"]
        arguments += ["--ro-bind", settings.task.path, LambdaImage.taskRoot,
                      "--ro-bind", settings.opt.path, LambdaImage.layersDir,
                      "--ro-bind", settings.runtimeDir.path, LambdaImage.runtimeDir]
        if let modules = settings.nodeModules {
            // ES modules resolve bare names from the code's folder upwards (/var/task, /var, /), not
            // through NODE_PATH: the runtime's modules must be on that path, as on Lambda.
            arguments += ["--ro-bind", modules.path, "/var/node_modules"]
        }
        if let sdk = settings.nodeSDK {
            arguments += ["--ro-bind", sdk.path, NodeSDK.insidePath]
        }

        var insideInterpreter: String?
        var sdkFolder: String?
        if let host = settings.interpreter {
            // The real interpreter (a pyenv shim is a script) and the installation it belongs to.
            let site = settings.isPython ? PythonSite.of(host) : nil
            let resolved = site?.executable ?? URL(fileURLWithPath: host).resolvingSymlinksInPath().path
            let prefix = site?.prefix ?? URL(fileURLWithPath: resolved).deletingLastPathComponent().deletingLastPathComponent().path
            let underUsr = prefix == "/usr" || prefix.hasPrefix("/usr/")
            func inside(_ hostPath: String) -> String {
                guard !underUsr, hostPath.hasPrefix(prefix + "/") else { return hostPath }
                return LambdaImage.langDir + hostPath.dropFirst(prefix.count)
            }
            if !underUsr {
                // The runtime's own language installation lives at /var/lang, as on Lambda.
                arguments += ["--ro-bind", prefix, LambdaImage.langDir]
            }
            insideInterpreter = inside(resolved)
            if let site {
                // The host's packages are hidden; the SDK the managed runtime bundles is shown, in
                // /var/lang/lib/pythonX.Y/site-packages, where the AL2023 runtimes keep it.
                let sdk = "\(LambdaImage.langDir)/lib/python\(site.version)/site-packages"
                let visibleRoots = ["/usr/", LambdaImage.langDir + "/"]
                var masked: Set<String> = []
                let existing = site.packageFolders.filter { FileManager.default.fileExists(atPath: $0) }.map(inside)
                for folder in existing + [sdk] where visibleRoots.contains(where: { folder.hasPrefix($0) }) && !masked.contains(folder) {
                    masked.insert(folder)
                    arguments += ["--perms", "0755", "--tmpfs", folder]
                }
                for entry in site.sdkEntries {
                    arguments += ["--ro-bind", entry.path, "\(sdk)/\(entry.lastPathComponent)"]
                }
                sdkFolder = sdk
            }
        }
        interpreter = insideInterpreter
        pythonSDKFolder = sdkFolder

        // /tmp: its own ext4 of EphemeralStorage's size where a loop device exists, so that it is full
        // past its size and its bytes do not count as memory; else a sized tmpfs.
        if let mkfs = support.mkfs {
            let mount = settings.root.appendingPathComponent("tmp-mount")
            try Self.makeTmp(at: mount, image: settings.root.appendingPathComponent("tmp.ext4"), megabytes: settings.ephemeralStorageMB, mkfs: mkfs)
            tmpMount = mount
            tmpMountedOnHost = true
            arguments += ["--bind", mount.path, LambdaImage.tmpDir]
        } else {
            tmpMount = nil
            arguments += ["--perms", "01777", "--size", String(settings.ephemeralStorageMB * 1024 * 1024), "--tmpfs", LambdaImage.tmpDir]
        }
        // The holder says "ready" once it runs, that is once every mount is in place (bubblewrap
        // reports the namespace's pid earlier, before its root is set up).
        arguments += ["--chdir", LambdaImage.taskRoot, "--info-fd", "3", "--", "/bin/sh", "-c", "echo ready; exec >/dev/null; read _"]
        // The cgroup last, so that an earlier failure leaves none behind; from here on, teardown cleans up.
        do {
            cgroup = try Self.makeGroup(support, settings)
        } catch {
            if let tmpMount { Self.run(["/bin/umount", "-l", tmpMount.path]) }
            throw error
        }
        do {
            try startHolder(arguments, log: settings.root.appendingPathComponent("bwrap.log"))
        } catch {
            teardown()
            throw error
        }
        if support.ownNetwork {
            do {
                network = try EnvironmentNetwork(namespaceOf: namespacePid, slirp4netns: support.slirp4netns)
            } catch {
                teardown()
                throw error
            }
        }
        // The namespace has its own copy of the /tmp mount: the host's can go now, so nothing of it
        // is left on the host if the runner is killed.
        if let tmpMount {
            _ = Self.run(["/bin/umount", "-l", tmpMount.path])
            lock.lock(); tmpMountedOnHost = false; lock.unlock()
            try? FileManager.default.removeItem(at: settings.root.appendingPathComponent("tmp.ext4"))
        }
    }

    /// The environment's cgroup, when the machine has them. Init runs unthrottled, as Lambda boosts it;
    /// the CPU quota applies from the first invocation (`limitCPU`).
    private static func makeGroup(_ support: IsolationSupport, _ settings: Settings) throws -> ControlGroup? {
        let group = try support.cgroups.map { try ControlGroup(layout: $0.layout, name: settings.name, memoryMB: settings.memoryMB) }
        group?.limitCPU(memoryMB: nil)
        return group
    }

    /// /etc/hosts or /etc/resolv.conf as a file of its own (a link into /run cannot be bound over).
    private static func isPlainFile(_ path: String) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular
    }

    /// Keeps `channel` (served inside the environment's network) until the environment ends.
    func serve(_ channel: Channel) {
        let closeNow: Bool = lock.withLock {
            guard !tornDown else { return true }
            services.append(channel)
            return false
        }
        if closeNow { channel.close(promise: nil) }
    }

    /// Whether processes run in Lambda's filesystem (paths inside are /var/task, /opt...).
    var hasNamespace: Bool { namespacePid != 0 }

    /// The host command that runs `arguments` in `directory` inside the environment, as Lambda's user.
    func command(_ arguments: [String], directory: String) -> [String] {
        // The host shell joins the control group, then enters the namespaces; children inherit both.
        let join = (cgroup?.procsFiles ?? []).map { "echo $$ > '\($0)'" }.joined(separator: " && ")
        guard hasNamespace else {
            return ["/bin/sh", "-c", (join.isEmpty ? "" : join + " && ") + "\(LambdaImage.limits) cd \"$0\" && exec \"$@\"", directory] + arguments
        }
        let user = LambdaImage.user
        let enter = "exec /usr/bin/nsenter -t \(namespacePid) -m -p -r -w\(network == nil ? "" : " -n") -- /usr/bin/setpriv --reuid=\(user.uid) --regid=\(user.gid) --clear-groups -- /bin/sh -c '\(LambdaImage.limits) cd \"$0\" && exec \"$@\"' \"$@\""
        return ["/bin/sh", "-c", join.isEmpty ? enter : join + " && " + enter, "lambda-async", directory] + arguments
    }

    /// nsenter forks into the PID namespace: the process that runs the code is its child. Signals
    /// meant for the code go there (nsenter would die of them instead of passing them on).
    static func innerPid(of launcher: pid_t) -> pid_t? {
        let text = KernelFile.read("/proc/\(launcher)/task/\(launcher)/children") ?? ""
        return text.split(separator: " ").first.flatMap { pid_t($0) }
    }

    /// Every invocation from now on gets CPU in proportion to memory (nil: no limit).
    func limitCPU(memoryMB: Int?) { cgroup?.limitCPU(memoryMB: memoryMB) }

    /// Ends every process of the environment and removes its control group and /tmp.
    func teardown() {
        lock.lock()
        guard !tornDown else { lock.unlock(); return }
        tornDown = true
        let served = services
        services = []
        lock.unlock()
        served.forEach { $0.close(promise: nil) }
        network?.close()
        if holderInput >= 0 { close(holderInput) }
        cgroup?.remove()
        if holderPid > 0 { kill(holderPid, SIGKILL) }
        lock.lock()
        let mounted = tmpMountedOnHost
        tmpMountedOnHost = false
        lock.unlock()
        if mounted, let tmpMount { _ = Self.run(["/bin/umount", "-l", tmpMount.path]) }
    }

    deinit { teardown() }

    private func startHolder(_ arguments: [String], log: URL) throws {
        // Close-on-exec from the start: only the holder gets them (as 0, 1 and 3, which dup2 leaves
        // inheritable); a process spawned by another thread meanwhile must not hold the runner's end.
        guard let inputPipe = Spawning.pipe(), let infoPipe = Spawning.pipe(), let readyPipe = Spawning.pipe() else {
            throw RunnerError.cannotStart("sandbox", String(cString: strerror(errno)))
        }
        let input = [inputPipe.read, inputPipe.write], info = [infoPipe.read, infoPipe.write], ready = [readyPipe.read, readyPipe.write]
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, ready[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, log.path, O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, info[1], 3)
        // The namespace's first process holds nothing else of the runner's.
        lambda_async_spawn_close_from(&actions, 4)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group: a Ctrl-C meant for the runner must not end the environment early.
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        let join = (cgroup?.procsFiles ?? []).map { "echo $$ > '\($0)'" }.joined(separator: " && ")
        let command = ["/bin/sh", "-c", (join.isEmpty ? "" : join + " && ") + "exec \"$@\"", "lambda-async"] + arguments
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let status = Spawning.locked { posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, environ) }
        close(input[0])
        close(info[1])
        close(ready[1])
        defer { close(ready[0]); close(info[0]) }
        guard status == 0 else {
            close(input[1])
            throw RunnerError.cannotStart("sandbox", "bubblewrap: \(String(cString: strerror(status)))")
        }
        holderPid = pid
        holderInput = input[1]
        let spawned = pid
        Thread.detachNewThread { var status: Int32 = 0; while waitpid(spawned, &status, 0) == -1 && errno == EINTR {} }
        // bubblewrap writes {"child-pid": N} once the namespaces exist; the pipe may stay open (the
        // namespace's processes inherit it), so read until the object is whole, or end of file.
        var data = Data()
        var object: [String: Any]?
        while object == nil {
            guard let chunk = readChunk(info[0]) else { break }
            data += chunk
            object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        }
        // Then the holder's line: end of file instead means bubblewrap failed to set the mounts up.
        let readyLine = String(decoding: readChunk(ready[0]) ?? [], as: UTF8.self)
        guard let child = (object?["child-pid"] as? NSNumber)?.int32Value, readyLine.hasPrefix("ready") else {
            let reason = (try? String(contentsOf: log, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            throw RunnerError.cannotStart("sandbox", "bubblewrap did not start: \(reason.isEmpty ? "no reason given" : reason)")
        }
        namespacePid = child
    }

    private static func makeTmp(at mount: URL, image: URL, megabytes: Int, mkfs: String) throws {
        try FileManager.default.createDirectory(at: mount, withIntermediateDirectories: true)
        // ext4's own metadata takes a few percent: make room so that the free space is the size asked.
        let bytes = megabytes * 1024 * 1024 * 103 / 100
        guard FileManager.default.createFile(atPath: image.path, contents: nil), truncate(image.path, bytes) == 0 else {
            throw RunnerError.cannotStart("sandbox", "cannot create /tmp's image: \(String(cString: strerror(errno)))")
        }
        guard run([mkfs, "-q", "-F", "-O", "^has_journal", "-m", "0", "-E", "lazy_itable_init=1,nodiscard", image.path]),
              run(["/bin/mount", "-o", "loop,nosuid,nodev", image.path, mount.path]) else {
            throw RunnerError.cannotStart("sandbox", "cannot make /tmp a filesystem of its own (mkfs.ext4 or mount -o loop failed)")
        }
        try? FileManager.default.removeItem(at: mount.appendingPathComponent("lost+found"))
        chmod(mount.path, 0o1777)
    }

    @discardableResult
    static func run(_ arguments: [String]) -> Bool { HostCommand.run(arguments).status == 0 }
}
