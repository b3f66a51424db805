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
        // Whoever still waits on this environment is answered before it ends.
        answerCallers(move(.reset))
        let done = endProcesses(reason: reason).map { [self] in _ = move(.resetDone) }
        ending = done
        // Registered after the move to cold: nothing runs on the loop between the two.
        done.whenComplete { [self] _ in ending = nil }
        return done
    }

    /// Lambda's shutdown phase for the processes, then the environment's namespace and cgroup.
    private func endProcesses(reason: String) -> EventLoopFuture<Void> {
        guard !processes.isEmpty else { return endEnvironment(processes.takeAll().environment) }
        thawEnvironment()
        // Lambda's shutdown phase: with no extension it kills the runtime at once (no SIGTERM, so a
        // SIGTERM handler never runs); otherwise SIGTERM to the runtime, SHUTDOWN to the extensions
        // that subscribed to it, and 500 ms (internal extensions only) or 2,000 ms before SIGKILL.
        let hasExtensions = !extensions.isEmpty || !processes.externals.isEmpty
        let budget: Int64 = !hasExtensions ? 0 : (processes.externals.isEmpty ? 500 : 2000)
        let deadline = Int64(Date().timeIntervalSince1970 * 1000) + budget
        telemetry.flushAndStop()
        if hasExtensions {
            processes.runtime?.signal(SIGTERM)
            // A busy extension gets its SHUTDOWN at its next /event/next (it waits in its queue).
            extensions.deliver("SHUTDOWN", ["eventType": "SHUTDOWN", "shutdownReason": reason, "deadlineMs": deadline])
            // An external extension that did not subscribe to SHUTDOWN is killed at once.
            let subscribed = extensions.shutdownSubscribers
            for process in processes.externals where !subscribed.contains(process.name) { process.kill() }
        }
        let (processes, environment) = self.processes.takeAll()
        // Whichever comes first: every process has exited, or the budget is spent. Then what is left
        // is killed, and whatever the processes started, in new sessions too, ends with the environment.
        let ended = allComplete(processes.map(\.exited), within: .milliseconds(budget)).flatMap { [self] in
            processes.forEach { $0.kill() }
            // What the processes wrote before they died is read and logged before the environment
            // counts as ended (a runner that stops right after would lose it); a second at most, for
            // a child that keeps the pipe open.
            return allComplete(processes.map(\.drained), within: .seconds(1))
        }.flatMap { [self] in endEnvironment(environment) }
        extensions.startOver()
        runtimeWaiter = nil
        let telemetry = self.telemetry
        return ended.map { [self] in
            telemetry.reset()
            processes.forEach { reaper?.forget($0.pid) }
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
