import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
@testable import LambdaAsyncEnvironment
@testable import LambdaAsyncService

/// How a function's environments are reused, started, throttled, recycled and reclaimed, with
/// stand-in environments whose invocations end when the test says.
@Suite(.timeLimit(.minutes(1))) struct FunctionPoolTests {
    /// An environment whose invocations wait for `finish()`; it counts what the pool did to it.
    final class StandIn: PooledEnvironment {
        let eventLoop: EventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let id: Int
        private let state = NIOLockedValueBox((running: [EventLoopPromise<InvocationRecord>](), invocations: 0, resets: 0, recycles: 0, shutdowns: 0))

        init(id: Int) { self.id = id }

        func submit(_ payload: [UInt8], extras: Sandbox.InvocationExtras, onResponse: @escaping @Sendable (ResponseEvent) -> Void) -> EventLoopFuture<InvocationRecord> {
            let promise = eventLoop.makePromise(of: InvocationRecord.self)
            state.withLockedValue { $0.running.append(promise); $0.invocations += 1 }
            return promise.futureResult
        }

        /// Ends the oldest invocation running here.
        func finish() {
            let promise = state.withLockedValue { $0.running.isEmpty ? nil : $0.running.removeFirst() }
            promise?.succeed(InvocationRecord(requestId: "r", initDurationMs: nil, responseMs: 1, firstByteMs: 1, runtimeDoneMs: 1,
                                              extensionsDoneMs: nil, extensionDoneMs: [:], durationMs: 1, billedDurationMs: 1,
                                              memorySizeMB: 128, maxMemoryUsedMB: 1, frozen: true, error: nil, clientLatencyMs: 1))
        }

        func reset(reason: String) -> EventLoopFuture<Void> {
            state.withLockedValue { $0.resets += 1 }
            return eventLoop.makeSucceededVoidFuture()
        }

        func recycle() async { state.withLockedValue { $0.recycles += 1 } }
        func shutdown() async { state.withLockedValue { $0.shutdowns += 1 } }

        var invocations: Int { state.withLockedValue { $0.invocations } }
        var resets: Int { state.withLockedValue { $0.resets } }
        var recycles: Int { state.withLockedValue { $0.recycles } }
        var shutdowns: Int { state.withLockedValue { $0.shutdowns } }
    }

    /// A pool of stand-ins, and every one it made, in order.
    static func pool(concurrency: Int, reserved: Bool = false) -> (FunctionPool, NIOLockedValueBox<[StandIn]>) {
        let made = NIOLockedValueBox<[StandIn]>([])
        let config = FunctionConfig(name: "Fn", runtime: .defaultPython, handler: "app.handler", code: URL(fileURLWithPath: "/tmp"))
        let pool = FunctionPool(config: config, concurrency: concurrency, reserved: reserved) {
            made.withLockedValue { made in
                let environment = StandIn(id: made.count)
                made.append(environment)
                return environment
            }
        }
        return (pool, made)
    }

    static func eventually(_ condition: @escaping () -> Bool) async {
        for _ in 0..<500 where !condition() { try? await Task.sleep(nanoseconds: 2_000_000) }
    }

    @Test func aWarmEnvironmentIsReusedAndABusyOneStartsAnother() async throws {
        let (pool, made) = Self.pool(concurrency: 2)
        let first = pool.submit([], waitWhenBusy: false) { _ in }
        await Self.eventually { made.withLockedValue { $0.first?.invocations == 1 } }
        made.withLockedValue { $0[0] }.finish()
        _ = try await first.get()
        // Free again: the next call lands in the same environment, no new one is made.
        let second = pool.submit([], waitWhenBusy: false) { _ in }
        await Self.eventually { made.withLockedValue { $0.first?.invocations == 2 } }
        #expect(made.withLockedValue { $0.count } == 1)
        // While it is busy, a call gets an environment of its own (a cold start).
        let third = pool.submit([], waitWhenBusy: false) { _ in }
        await Self.eventually { made.withLockedValue { $0.count == 2 && $0[1].invocations == 1 } }
        made.withLockedValue { $0 }.forEach { $0.finish() }
        _ = try await second.get()
        _ = try await third.get()
    }

    @Test func pastItsConcurrencyASyncCallIsThrottledAndAnAsyncEventWaits() async throws {
        let (pool, made) = Self.pool(concurrency: 1)
        let busy = pool.submit([], waitWhenBusy: false) { _ in }
        await Self.eventually { made.withLockedValue { $0.first?.invocations == 1 } }
        #expect(pool.wouldThrottle)
        await #expect(throws: FunctionPool.Throttled.self) { try await pool.invoke([], waitWhenBusy: false) { _ in } }
        #expect("\(pool.throttled)" == "Rate Exceeded. (ConcurrentInvocationLimitExceeded)")
        // An asynchronous event waits for the environment and runs in it once it is free.
        let waiting = pool.submit([], waitWhenBusy: true) { _ in }
        made.withLockedValue { $0[0] }.finish()
        _ = try await busy.get()
        await Self.eventually { made.withLockedValue { $0[0].invocations == 2 } }
        made.withLockedValue { $0[0] }.finish()
        _ = try await waiting.get()
        #expect(made.withLockedValue { $0.count } == 1)
    }

    @Test func reservedConcurrencyZeroThrottlesEveryCall() async {
        let (pool, made) = Self.pool(concurrency: 0, reserved: true)
        await #expect(throws: FunctionPool.Throttled.self) { try await pool.invoke([], waitWhenBusy: true) { _ in } }
        #expect("\(pool.throttled)" == "Rate Exceeded. (ReservedFunctionConcurrentInvocationLimitExceeded)")
        #expect(made.withLockedValue { $0.isEmpty })
    }

    @Test func aCodeChangeRecyclesFreeEnvironmentsNowAndBusyOnesWhenTheyAreFree() async throws {
        let (pool, made) = Self.pool(concurrency: 2)
        let a = pool.submit([], waitWhenBusy: false) { _ in }
        let b = pool.submit([], waitWhenBusy: false) { _ in }
        await Self.eventually { made.withLockedValue { $0.count == 2 && $0.allSatisfy { $0.invocations == 1 } } }
        let (first, second) = made.withLockedValue { ($0[0], $0[1]) }
        first.finish()
        _ = try await a.get()
        await pool.codeChanged()
        #expect(first.recycles == 1 && second.recycles == 0 && second.resets == 0)
        // The busy one ends: it is reset (SHUTDOWN spindown) before anyone gets it again.
        second.finish()
        _ = try await b.get()
        #expect(second.resets == 1)
    }

    @Test func idleEnvironmentsAreReclaimedAndAStopAnswersWhoWaits() async throws {
        let (pool, made) = Self.pool(concurrency: 1)
        let first = pool.submit([], waitWhenBusy: false) { _ in }
        await Self.eventually { made.withLockedValue { $0.first?.invocations == 1 } }
        made.withLockedValue { $0[0] }.finish()
        _ = try await first.get()
        #expect(await pool.shutDownIdle(olderThan: 60) == 0)
        #expect(await pool.shutDownIdle(olderThan: 0) == 1)
        #expect(made.withLockedValue { $0[0] }.shutdowns == 1)
        // Busy, then a waiting event, then the stop: the waiter is told, the environment shut down.
        let busy = pool.submit([], waitWhenBusy: false) { _ in }
        await Self.eventually { made.withLockedValue { $0.count == 2 && $0[1].invocations == 1 } }
        let waiting = pool.submit([], waitWhenBusy: true) { _ in }
        await pool.shutdown()
        await #expect(throws: RunnerError.self) { try await waiting.get() }
        #expect(made.withLockedValue { $0[1] }.shutdowns == 1)
        await #expect(throws: RunnerError.self) { try await pool.invoke([], waitWhenBusy: true) { _ in } }
        made.withLockedValue { $0[1] }.finish()
        _ = try? await busy.get()
    }
}
