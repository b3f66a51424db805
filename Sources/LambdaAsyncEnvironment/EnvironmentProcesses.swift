import Foundation

/// The process side of one execution environment: the runtime, the external extensions, the
/// namespace and cgroup they run in, whether they are frozen, and the peak memory they reached.
/// The sandbox owns it on its event loop; the state machine never sees processes.
struct EnvironmentProcesses {
    private(set) var runtime: SandboxProcess?
    private(set) var externals: [SandboxProcess] = []
    /// The namespaces and cgroup between a cold start and its reset; nil without isolation.
    private(set) var isolated: IsolatedEnvironment?
    private(set) var frozen = false
    /// The CPU quota is set at the first invocation of an environment: init runs unthrottled.
    private var cpuLimited = false
    /// Peak memory of the environment's processes, in KB; sampled at the end of each invocation so
    /// that a process that has since exited still counts.
    private(set) var peakMemoryKB = 0

    var all: [SandboxProcess] { [runtime].compactMap { $0 } + externals }
    var isEmpty: Bool { runtime == nil && externals.isEmpty }
    var hasRuntime: Bool { runtime != nil }
    var hasNamespace: Bool { isolated?.hasNamespace == true }
    /// The kernel killed a process for going over the memory limit (Lambda's Runtime.OutOfMemory).
    var outOfMemoryKilled: Bool { (isolated?.cgroup?.outOfMemoryKills ?? 0) > 0 }

    /// A cold start begins: nothing measured, nothing limited yet.
    mutating func startOver() {
        cpuLimited = false
        peakMemoryKB = 0
    }

    /// A new environment's namespace and cgroup (nil without isolation); no process yet.
    mutating func adopt(_ environment: IsolatedEnvironment?) { isolated = environment }

    mutating func started(runtime process: SandboxProcess) { runtime = process }
    mutating func started(external process: SandboxProcess) { externals.append(process) }

    /// Whether `pid` is a process of this environment: one of an environment already reset may share its name.
    func owns(pid: pid_t, isRuntime: Bool) -> Bool {
        isRuntime ? runtime?.pid == pid : externals.contains { $0.pid == pid }
    }

    /// CPU in proportion to memory from the first invocation on; `memoryMB` nil removes the limit.
    mutating func limitCPUOnce(memoryMB: Int?) {
        guard let isolated, !cpuLimited else { return }
        isolated.limitCPU(memoryMB: memoryMB)
        cpuLimited = true
    }

    /// Stops every process of the environment: through the cgroup freezer, invisibly and for every
    /// process (new sessions included); by SIGSTOP to each process group where there is no cgroup.
    mutating func setFrozen(_ stop: Bool) {
        guard frozen != stop else { return }
        if let cgroup = isolated?.cgroup {
            if stop { cgroup.freeze() } else { cgroup.thaw() }
        } else {
            for process in all {
                if stop { process.freeze() } else { process.thaw() }
            }
        }
        frozen = stop
    }

    /// The processes' peak resident sets (shared libraries included, as Lambda's figure has them), or
    /// the cgroup's peak when higher: it also counts children and what exited.
    mutating func sampleMemory() {
        let resident = all.reduce(0) { $0 + $1.peakMemoryKB }
        peakMemoryKB = max(peakMemoryKB, resident, (isolated?.cgroup?.peakBytes ?? 0) / 1024)
    }

    /// Killed for going over MemorySize: what it used is the whole of it.
    mutating func reachedLimit(memoryMB: Int) { peakMemoryKB = max(peakMemoryKB, memoryMB * 1024) }

    var maxMemoryMB: Int { Int((Double(peakMemoryKB) / 1024).rounded(.up)) }

    /// Hands over everything to end (the processes and the environment) and forgets it.
    mutating func takeAll() -> (processes: [SandboxProcess], environment: IsolatedEnvironment?) {
        let taken = (all, isolated)
        runtime = nil
        externals = []
        isolated = nil
        return taken
    }
}
