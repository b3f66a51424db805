import Foundation
import LambdaAsyncCore
import NIOCore
import NIOPosix
import NIOHTTP1
#if canImport(Glibc)
import Glibc
#endif

/// The end of an environment (Lambda's shutdown phase), freezing and memory metering.
extension Sandbox {
    /// Ends an environment's namespace, cgroup and /tmp on NIO's thread pool: killing and waiting for
    /// the cgroup to empty can take a while, and the event loop is shared with other sandboxes.
    func endEnvironment(_ environment: IsolatedEnvironment?) -> EventLoopFuture<Void> {
        guard let environment else { return eventLoop.makeSucceededFuture(()) }
        return NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) { environment.teardown() }
    }

    /// Ends the environment: SHUTDOWN to subscribed extensions within Lambda's budget (500 ms with
    /// internal extensions only, 2,000 ms with an external one), SIGTERM to the runtime, then SIGKILL.
    func reset(reason: String) -> EventLoopFuture<Void> {
        // Whoever still waits on this environment is answered before it ends.
        answerCallers(move(.reset))
        guard runtime != nil || !externals.isEmpty else {
            let environment = isolated
            isolated = nil
            return endEnvironment(environment).map { [self] in move(.resetDone) }
        }
        thawEnvironment()
        // Lambda's shutdown phase: with no extension it kills the runtime at once (no SIGTERM, so a
        // SIGTERM handler never runs); otherwise SIGTERM to the runtime, SHUTDOWN to the extensions
        // that subscribed to it, and 500 ms (internal extensions only) or 2,000 ms before SIGKILL.
        let hasExtensions = !extensions.isEmpty || !externals.isEmpty
        let budget: Int64 = !hasExtensions ? 0 : (externals.isEmpty ? 500 : 2000)
        let deadline = Int64(Date().timeIntervalSince1970 * 1000) + budget
        telemetry.flush(all: true)
        telemetryTimer?.cancel()
        telemetryTimer = nil
        if hasExtensions {
            runtime?.signal(SIGTERM)
            // A busy extension gets its SHUTDOWN at its next /event/next (it waits in its queue).
            for id in extensions.keys where extensions[id]!.events.contains("SHUTDOWN") {
                deliver(toExtension: id, ["eventType": "SHUTDOWN", "shutdownReason": reason, "deadlineMs": deadline])
            }
            // An external extension that did not subscribe to SHUTDOWN is killed at once.
            let subscribed = Set(extensions.values.filter { $0.events.contains("SHUTDOWN") }.map(\.name))
            for process in externals where !subscribed.contains(process.name) { process.kill() }
        }
        let processes = [runtime].compactMap { $0 } + externals
        let environment = isolated
        isolated = nil
        let promise = eventLoop.makePromise(of: Void.self)
        // Poll until every process has exited or the budget is spent, then kill what is left.
        @Sendable func poll(_ remaining: Int64) {
            if processes.allSatisfy(\.hasExited) || remaining <= 0 {
                processes.forEach { $0.kill() }
                // Whatever the processes started, in new sessions too, ends with the environment.
                promise.completeWith(endEnvironment(environment))
                return
            }
            eventLoop.scheduleTask(in: .milliseconds(20)) { poll(remaining - 20) }
        }
        poll(budget)
        runtime = nil
        externals = []
        expectedExternals = []
        extensions = [:]
        runtimeWaiter = nil
        runtimeReady = false
        let telemetry = self.telemetry
        return promise.futureResult.map { [self] in
            telemetry.reset()
            processes.forEach { reaper?.forget($0.pid) }
            move(.resetDone)
        }
    }

    func sampleMemory() {
        // The processes' peak resident sets (shared libraries included, as Lambda's figure has them),
        // or the cgroup's peak when higher: it also counts children and what exited.
        let resident = ([runtime].compactMap { $0 } + externals).reduce(0) { $0 + $1.peakMemoryKB }
        let kilobytes = max(resident, (isolated?.cgroup?.peakBytes ?? 0) / 1024)
        peakMemoryKB = max(peakMemoryKB, kilobytes)
    }

    /// Stops every process of the environment: through the cgroup freezer, invisibly and for every
    /// process (new sessions included); by SIGSTOP to each process group where there is no cgroup.
    func freezeEnvironment() { setEnvironmentFrozen(true) }
    func thawEnvironment() { setEnvironmentFrozen(false) }

    private func setEnvironmentFrozen(_ stop: Bool) {
        guard frozen != stop else { return }
        if let cgroup = isolated?.cgroup {
            if stop { cgroup.freeze() } else { cgroup.thaw() }
        } else {
            for process in [runtime].compactMap({ $0 }) + externals {
                if stop { process.freeze() } else { process.thaw() }
            }
        }
        frozen = stop
    }

    func maxMemoryMB() -> Int {
        sampleMemory()
        return Int((Double(peakMemoryKB) / 1024).rounded(.up))
    }
}
