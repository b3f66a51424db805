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
    package func reset(reason: String) -> EventLoopFuture<Void> {
        // A second reset while one ends the environment (an edit seen twice, a crash during a
        // reload) ends with it, rather than declaring the environment ended before it is.
        if let ending { return ending }
        // One that has already ended (an edit seen twice, the second after the first reset finished)
        // has nothing to end: no reset, no resetDone, which cannot happen in a cold environment.
        if lifecycle.state == .cold { return eventLoop.makeSucceededFuture(()) }
        // Whoever still waits on this environment is answered before it ends.
        answerCallers(move(.reset))
        let done = endProcesses(reason: reason).map { [self] in _ = move(.resetDone) }
        ending = done
        // Registered after the move to cold: nothing runs on the loop between the two.
        done.whenComplete { [self] _ in ending = nil }
        return done
    }

    /// Lambda's shutdown phase for the processes, then the environment's namespace and cgroup.
    ///
    /// As on Lambda: with no extension the runtime is killed at once (no SIGTERM, so a SIGTERM handler
    /// never runs). Otherwise the runtime goes first: SIGTERM, and up to 300 ms to exit (500 ms when an
    /// internal extension lives in it; with internal extensions only that is the whole budget), then
    /// SIGKILL; then SHUTDOWN to the external extensions that subscribed, with what is left of the
    /// 2,000 ms. A busy extension gets its SHUTDOWN at its next /event/next: it keeps its identifier
    /// until the environment has ended (it got 403 and no SHUTDOWN when the registry was cleared first).
    private func endProcesses(reason: String) -> EventLoopFuture<Void> {
        guard !processes.isEmpty else { return endEnvironment(processes.takeAll().environment) }
        thawEnvironment()
        let hasInternal = extensions.hasInternal
        let hasExtensions = !extensions.isEmpty || !processes.externals.isEmpty
        let budget: Int64 = !hasExtensions ? 0 : (processes.externals.isEmpty ? 500 : 2000)
        let runtimeBudget: Int64 = processes.externals.isEmpty ? budget : (hasInternal ? 500 : 300)
        let start = Int64(Date().timeIntervalSince1970 * 1000)
        telemetry.flushAndStop()
        let runtime = processes.runtime
        let externals = processes.externals
        runtimeWaiter = nil
        let (all, environment) = self.processes.takeAll()
        let subscribed = extensions.shutdownSubscribers
        let shutdownEvent: [String: Any] = ["eventType": "SHUTDOWN", "shutdownReason": reason, "deadlineMs": start + budget]

        // 1. The runtime: SIGTERM (only when an extension is registered), its share of the budget, SIGKILL.
        let runtimeEnded: EventLoopFuture<Void>
        if let runtime, hasExtensions {
            runtime.signal(SIGTERM)
            // Internal extensions live in the runtime's process: their SHUTDOWN goes with its SIGTERM.
            if externals.isEmpty { extensions.deliver("SHUTDOWN", shutdownEvent) }
            runtimeEnded = allComplete([runtime.exited], within: .milliseconds(runtimeBudget)).map { runtime.kill() }
        } else {
            runtime?.kill()
            runtimeEnded = eventLoop.makeSucceededFuture(())
        }
        // 2. The external extensions: SHUTDOWN to the subscribers, the rest of the budget; the others are killed at once.
        let ended = runtimeEnded.flatMap { [self] () -> EventLoopFuture<Void> in
            guard !externals.isEmpty else { return eventLoop.makeSucceededFuture(()) }
            extensions.deliver("SHUTDOWN", shutdownEvent)
            for process in externals where !subscribed.contains(process.name) { process.kill() }
            let left = max(0, start + budget - Int64(Date().timeIntervalSince1970 * 1000))
            return allComplete(externals.map(\.exited), within: .milliseconds(left))
        }.flatMap { [self] in
            // What is left is killed, and whatever the processes started, in new sessions too, ends
            // with the environment. What they wrote before they died is read and logged before the
            // environment counts as ended (a runner that stops right after would lose it); a second at
            // most, for a child that keeps the pipe open.
            all.forEach { $0.kill() }
            return allComplete(all.map(\.drained), within: .seconds(1))
        }.flatMap { [self] in endEnvironment(environment) }
        let telemetry = self.telemetry
        return ended.map { [self] in
            extensions.startOver()
            telemetry.reset()
            all.forEach { reaper?.forget($0.pid) }
        }
    }

    /// Succeeds when every future has completed, or when `limit` has passed, whichever comes first.
    func allComplete(_ futures: [EventLoopFuture<Void>], within limit: TimeAmount) -> EventLoopFuture<Void> {
        let done = eventLoop.makePromise(of: Void.self)
        EventLoopFuture.andAllComplete(futures, on: eventLoop).cascade(to: done)
        let timer = eventLoop.scheduleTask(in: limit) { done.succeed(()) }
        done.futureResult.whenComplete { _ in timer.cancel() }
        return done.futureResult
    }

    /// Through the cgroup freezer where there is one, else SIGSTOP to each process group.
    func freezeEnvironment() { processes.setFrozen(true) }
    func thawEnvironment() { processes.setFrozen(false) }

    /// Max Memory Used so far, read when an invocation ends (the figures are high-water marks).
    func maxMemoryMB() -> Int {
        processes.sampleMemory()
        return processes.maxMemoryMB
    }
}
