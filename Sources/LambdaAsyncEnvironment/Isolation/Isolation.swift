import LambdaAsyncCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How far the runner goes to make each sandbox Lambda's environment.
public enum IsolationMode: String, CaseIterable, Sendable {
    /// Isolate with what this machine offers, and say once which guarantees are missing.
    case auto
    /// Refuse to run without namespaces and cgroups.
    case strict
    /// Run on the host as is: host files, no limits, SIGSTOP freezing.
    case none
}

/// What this machine offers for isolation, found once: bubblewrap and namespaces for Lambda's
/// filesystem, cgroups for memory, CPU and freezing, a loop device for a sized /tmp.
public struct IsolationSupport: Sendable {
    /// bubblewrap, when it runs and can make mount and PID namespaces here.
    public let bubblewrap: String?
    public let cgroups: ControlGroupLayoutBox?
    /// mkfs.ext4, when /tmp can be a sized filesystem of its own.
    let mkfs: String?
    /// Whether each environment gets a network namespace of its own (bubblewrap's --unshare-net).
    let ownNetwork: Bool
    /// slirp4netns, which gives an environment's own network outbound access (as Lambda functions have).
    let slirp4netns: String?
    /// Each guarantee this machine cannot give, said in a few words.
    public let missing: [String]

    public var namespaces: Bool { bubblewrap != nil }
    public var complete: Bool { missing.isEmpty }

    /// A Sendable wrapper, so the layout can sit in public API without making ControlGroup public.
    public struct ControlGroupLayoutBox: Sendable {
        let layout: ControlGroup.Layout
        public var version: Int { layout.version }
    }

    nonisolated(unsafe) private static var cached: IsolationSupport?
    private static let lock = NSLock()

    public static var current: IsolationSupport {
        lock.lock()
        defer { lock.unlock() }
        if let cached { return cached }
        let found = detect()
        cached = found
        return found
    }

    static func detect() -> IsolationSupport {
        var missing: [String] = []
        var bubblewrap: String?
        var ownNetwork = false
        #if os(Linux)
        if geteuid() != 0 {
            missing.append("not root: no namespaces, cgroups or non-root sandbox user (run as root, or in a VM or container)")
        } else if let found = ["/usr/bin/bwrap", "/usr/local/bin/bwrap"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
            // bwrap exists; check it can make the namespaces we use (a container may forbid them): all
            // at once first, which is one start of bubblewrap where the machine allows everything.
            let probe = [found, "--unshare-pid", "--unshare-ipc", "--ro-bind", "/", "/", "--proc", "/proc"]
            if run(probe + ["--unshare-net", "--", "/bin/true"]) {
                bubblewrap = found
                ownNetwork = true
            } else if run(probe + ["--", "/bin/true"]) {
                bubblewrap = found
            } else {
                missing.append("bubblewrap cannot create mount and PID namespaces here: host files stay visible")
            }
        } else {
            missing.append("bubblewrap is not installed (apt-get install bubblewrap): host files stay visible, code is writable")
        }
        for tool in ["/usr/bin/nsenter", "/usr/bin/setpriv"] where bubblewrap != nil && !FileManager.default.isExecutableFile(atPath: tool) {
            missing.append("\(tool) is missing (apt-get install util-linux)")
            bubblewrap = nil
        }
        #else
        missing.append("namespaces and cgroups are Linux's: host files stay visible, no memory or CPU limit")
        #endif
        var cgroups: ControlGroupLayoutBox?
        #if os(Linux)
        if geteuid() == 0 {
            switch ControlGroup.Layout.detect() {
            case .success(let layout):
                cgroups = ControlGroupLayoutBox(layout: layout)
                if !layout.limitsProcesses {
                    missing.append("no pids cgroup controller: a function's processes and threads are not limited to Lambda's 1,024")
                }
            case .failure(let reason): missing.append("\(reason): no memory or CPU limit, freezing by SIGSTOP")
            }
        }
        #endif
        // /tmp on its own small ext4 (a loop device): sized like Lambda's, and not counted as memory,
        // as a tmpfs would be by the memory cgroup.
        let mkfs = ["/usr/sbin/mkfs.ext4", "/sbin/mkfs.ext4"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let sizedTmp = bubblewrap != nil && mkfs != nil && FileManager.default.fileExists(atPath: "/dev/loop-control")
        if bubblewrap != nil, !sizedTmp {
            missing.append("no loop device or mkfs.ext4: /tmp is a tmpfs whose bytes count toward the memory limit")
        }
        // A network of its own per environment, as on Lambda: otherwise a function reaches the host's
        // local services and another environment's Runtime API.
        var slirp4netns: String?
        // Only with bubblewrap in use (nsenter or setpriv missing rules it out above).
        if bubblewrap == nil { ownNetwork = false }
        if bubblewrap != nil {
            if !ownNetwork {
                missing.append("bubblewrap cannot create network namespaces here: functions share the host's network and reach its local services")
            } else if let found = ["/usr/bin/slirp4netns", "/usr/local/bin/slirp4netns"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
                slirp4netns = found
            } else {
                missing.append("slirp4netns is not installed (apt-get install slirp4netns): functions reach only the local AWS endpoints they were given, not the internet")
            }
        }
        return IsolationSupport(bubblewrap: bubblewrap, cgroups: cgroups, mkfs: sizedTmp ? mkfs : nil, ownNetwork: ownNetwork,
                                slirp4netns: slirp4netns, missing: missing)
    }

    /// The one-time note `auto` prints when this machine falls short, or nil.
    public var note: String? {
        guard !missing.isEmpty else { return nil }
        return "note: the sandboxes are not fully Lambda's environment here: " + missing.joined(separator: "; ")
    }

    private static func run(_ arguments: [String]) -> Bool { HostCommand.run(arguments).status == 0 }
}

/// Why `--isolation strict` refused to run.
public struct IsolationUnavailable: Error, CustomStringConvertible {
    public let missing: [String]
    public var description: String {
        "--isolation strict needs namespaces and cgroups, and this machine lacks: " + missing.joined(separator: "; ")
            + ". Run as root on Linux with bubblewrap installed, or use --isolation auto"
    }
}

extension IsolationUnavailable: UserFacingError {
    public var kind: FailureKind { .failed }
}
