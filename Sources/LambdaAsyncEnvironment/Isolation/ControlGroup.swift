import Foundation
import LambdaAsyncCore
#if canImport(Glibc)
import Glibc
#endif

/// One environment's control group: its memory limit (`MemorySize`), its CPU share (in proportion to
/// memory, as Lambda allocates it), its freezer, and Lambda's limit of 1,024 processes and threads
/// (where the machine has the pids controller). Every process of the environment joins it at
/// start, so freezing, metering and killing reach them all, new sessions (`setsid`) included.
///
/// Works on cgroup v1 (one hierarchy per controller: memory, cpu, freezer) and v2 (one unified
/// hierarchy); which one is found once, by `ControlGroup.Layout.detect()`.
/// @unchecked Sendable: the freezer file is opened, written and closed only on `freezer`, a serial
/// queue; nothing else changes after init.
final class ControlGroup: @unchecked Sendable {
    /// Where this machine's cgroup controllers are, and under which of our own groups ours go.
    enum Layout: Sendable, Equatable {
        /// Folder of each controller's parent group (memory, cpu, freezer; pids where mounted).
        case v1(memory: String, cpu: String, freezer: String, pids: String?)
        /// The parent group in the unified hierarchy.
        case v2(String)

        var version: Int { if case .v1 = self { return 1 } else { return 2 } }

        /// Whether the number of processes and threads can be limited.
        var limitsProcesses: Bool {
            switch self {
            case .v1(_, _, _, let pids): return pids != nil
            case .v2(let root):
                let controllers = KernelFile.read("\(root)/cgroup.controllers") ?? ""
                return controllers.split(whereSeparator: \.isWhitespace).contains("pids")
            }
        }

        /// The controllers this process may create groups under, or nil with the reason.
        static func detect() -> Result<Layout, Unavailable> {
            guard geteuid() == 0 else { return .failure(Unavailable("not root: cgroups cannot be created")) }
            let membership = KernelFile.read("/proc/self/cgroup") ?? ""
            // "4:memory:/process_api/abc" (v1) or "0::/user.slice" (v2).
            var own: [String: String] = [:]
            for line in membership.split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
                guard parts.count == 3 else { continue }
                for controller in parts[1].split(separator: ",") { own[String(controller)] = String(parts[2]) }
                if parts[1].isEmpty { own[""] = String(parts[2]) }
            }
            let root = "/sys/fs/cgroup"
            func v1(_ controller: String) -> String? {
                let mounted = "\(root)/\(controller)"
                guard FileManager.default.fileExists(atPath: "\(mounted)/cgroup.procs") else { return nil }
                let own = own[controller].map { $0 == "/" ? "" : $0 } ?? ""
                let folder = mounted + own
                return access(folder, W_OK) == 0 ? folder : (access(mounted, W_OK) == 0 ? mounted : nil)
            }
            if let memory = v1("memory"), let cpu = v1("cpu"), let freezer = v1("freezer") {
                return .success(.v1(memory: memory, cpu: cpu, freezer: freezer, pids: v1("pids")))
            }
            if let controllers = KernelFile.read("\(root)/cgroup.controllers") {
                let available = Set(controllers.split(whereSeparator: \.isWhitespace).map(String.init))
                guard available.isSuperset(of: ["memory", "cpu"]) else {
                    return .failure(Unavailable("cgroup v2 without the memory and cpu controllers"))
                }
                // A v2 group that holds processes cannot enable controllers for children ("no internal
                // processes"), so ours go under the root, which may.
                guard access("\(root)/cgroup.subtree_control", W_OK) == 0 else {
                    return .failure(Unavailable("the cgroup v2 root is not writable"))
                }
                return .success(.v2(root))
            }
            return .failure(Unavailable("no writable memory, cpu and freezer cgroup controllers under /sys/fs/cgroup"))
        }
    }

    struct Unavailable: Error, CustomStringConvertible {
        let description: String
        init(_ reason: String) { description = reason }
    }

    let layout: Layout
    let name: String
    /// The files a process writes its pid to, to join the group (one per v1 controller).
    let procsFiles: [String]
    /// The group's folder in each hierarchy.
    let folders: [String]

    /// Creates the group `lambda-async-<name>` with a memory limit of `memoryMB` and no swap.
    init(layout: Layout, name: String, memoryMB: Int) throws {
        self.layout = layout
        let groupName = "lambda-async-\(name)"
        self.name = groupName
        switch layout {
        case .v1(let memory, let cpu, let freezer, let pids):
            folders = ([memory, cpu, freezer] + (pids.map { [$0] } ?? [])).map { "\($0)/\(groupName)" }
        case .v2(let parent):
            // Controllers must be enabled for the parent's children before a child can use them.
            try? Self.write(layout.limitsProcesses ? "+memory +cpu +pids" : "+memory +cpu", to: "\(parent)/cgroup.subtree_control")
            folders = ["\(parent)/\(groupName)"]
        }
        procsFiles = folders.map { "\($0)/cgroup.procs" }
        do {
            for folder in folders where mkdir(folder, 0o755) != 0 && errno != EEXIST {
                throw Unavailable("cannot create \(folder): \(String(cString: strerror(errno)))")
            }
            let bytes = String(memoryMB * 1024 * 1024)
            switch layout {
            case .v1:
                try Self.write(bytes, to: "\(folders[0])/memory.limit_in_bytes")
                // Swap would let a function use more than its memory; memsw exists only with swap accounting.
                try? Self.write(bytes, to: "\(folders[0])/memory.memsw.limit_in_bytes")
            case .v2:
                try Self.write(bytes, to: "\(folders[0])/memory.max")
                try? Self.write("0", to: "\(folders[0])/memory.swap.max")
            }
            // A fork storm stops at Lambda's limit (fork and clone fail with EAGAIN) instead of
            // wedging the machine.
            if layout.limitsProcesses {
                try Self.write(String(LambdaQuotas.processesAndThreads), to: "\(layout.version == 1 ? folders[3] : folders[0])/pids.max")
            }
        } catch {
            // Nothing half-made is left: the folders made so far go.
            for folder in folders { rmdir(folder) }
            throw error
        }
    }

    /// CPU time in proportion to memory: 1,769 MB is one full vCPU, as Lambda allocates it; nil lifts the limit.
    func limitCPU(memoryMB: Int?) {
        let period = 100_000
        let quota = memoryMB.map { max(1000, period * $0 / 1769) }
        switch layout {
        case .v1:
            try? Self.write(String(period), to: "\(folders[1])/cpu.cfs_period_us")
            try? Self.write(quota.map(String.init) ?? "-1", to: "\(folders[1])/cpu.cfs_quota_us")
        case .v2:
            try? Self.write("\(quota.map(String.init) ?? "max") \(period)", to: "\(folders[0])/cpu.max")
        }
    }

    /// Stops every process of the group where it is; none of them sees a signal.
    /// Freezing costs the kernel about 0.07 ms per write here (v1), on the event loop: written on a
    /// queue of its own instead, it measured slower (two cores shared with the function), so the file
    /// is only kept open. The queue orders the writes with `remove`.
    private let freezer = DispatchQueue(label: "lambda-async.freezer")
    private lazy var freezerFile: Int32 = open(layout.version == 1 ? "\(folders[2])/freezer.state" : "\(folders[0])/cgroup.freeze", O_WRONLY)

    func freeze() { freezer.sync { self.setFrozen(true) } }
    func thaw() { freezer.sync { self.setFrozen(false) } }

    private func setFrozen(_ frozen: Bool) {
        let value = layout.version == 1 ? (frozen ? "FROZEN" : "THAWED") : (frozen ? "1" : "0")
        // One write each way, no waiting: freezing completes on its own, and a thaw, even of a group
        // still FREEZING, resumes every task at once.
        guard freezerFile >= 0 else { return }
        _ = value.withCString { pwrite(freezerFile, $0, strlen($0), 0) }
    }

    /// The group's peak memory since it was made (one per cold start), in bytes; page cache included.
    var peakBytes: Int {
        switch layout {
        case .v1: return Self.number(in: "\(folders[0])/memory.max_usage_in_bytes") ?? 0
        case .v2: return Self.number(in: "\(folders[0])/memory.peak") ?? Self.number(in: "\(folders[0])/memory.current") ?? 0
        }
    }

    /// How many processes the kernel has killed for going over the memory limit.
    var outOfMemoryKills: Int {
        let file = layout.version == 1 ? "\(folders[0])/memory.oom_control" : "\(folders[0])/memory.events"
        let text = KernelFile.read(file) ?? ""
        for line in text.split(separator: "\n") where line.hasPrefix("oom_kill ") {
            return Int(line.split(separator: " ").last ?? "0") ?? 0
        }
        return 0
    }

    var pids: [pid_t] {
        let text = KernelFile.read(procsFiles[0]) ?? ""
        return text.split(separator: "\n").compactMap { pid_t($0) }
    }

    /// SIGKILL to every process of the group, frozen or not; returns when the group is empty or after a second.
    func killAll() {
        if layout.version == 2, (try? Self.write("1", to: "\(folders[0])/cgroup.kill")) != nil {
            // cgroup.kill reaches every process at once, frozen ones included.
        } else {
            for pid in pids { kill(pid, SIGKILL) }
        }
        // A frozen task dies only once thawed.
        thaw()
        for _ in 0..<1000 {
            let left = pids
            if left.isEmpty { break }
            for pid in left { kill(pid, SIGKILL) }
            usleep(1000)
        }
    }

    /// Kills what is left and removes the group.
    func remove() {
        killAll()
        freezer.sync { if freezerFile >= 0 { close(freezerFile); freezerFile = -1 } }
        // A killed process leaves its group a moment after it is gone from cgroup.procs.
        for folder in folders {
            for _ in 0..<200 {
                if rmdir(folder) == 0 || errno != EBUSY { break }
                usleep(1000)
            }
        }
    }

    static func write(_ value: String, to path: String) throws {
        let fd = open(path, O_WRONLY)
        guard fd >= 0 else { throw Unavailable("\(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let written = value.withCString { Glibc.write(fd, $0, strlen($0)) }
        guard written >= 0 else { throw Unavailable("\(path): \(String(cString: strerror(errno)))") }
    }

    private static func number(in path: String) -> Int? {
        KernelFile.read(path).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}
