import Foundation
import LambdaAsyncEnvironment
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The execution environments of one function: warm ones are reused, a request beyond the busy
/// ones starts another (with its own cold start) up to `concurrency`, and the rest wait their turn.
///
/// Futures, not an actor: a warm invocation goes from the Invoke API's event loop to the sandbox's
/// and back with no hop through Swift's cooperative pool (each hop is a thread wake-up, which was
/// most of the runner's own time per warm call).
/// Its mutable state is reached only under the state's lock; promises are completed outside it
/// (their callbacks may run inline and come back here).
final class FunctionPool: Sendable {
    /// What the pool needs of an execution environment (a `Sandbox`; a stand-in in the pool's tests).
    typealias Environment = any PooledEnvironment

    let config: FunctionConfig
    /// At most this many environments at once; 0 (`ReservedConcurrentExecutions: 0`) runs nothing.
    let concurrency: Int
    /// The limit is the function's reserved concurrency, not the account's: it names the throttle.
    let reserved: Bool
    /// Makes an environment; it blocks (a Sandbox finds its interpreter, binds its APIs), so it runs
    /// on NIO's thread pool.
    private let make: @Sendable () throws -> Environment
    private struct State {
        var all: [Environment] = []
        /// Free environments, the most recently used last (the next request takes it, as Lambda reuses a warm one).
        var idle: [Environment] = []
        /// When each free environment last finished an invocation.
        var idleSince: [ObjectIdentifier: Date] = [:]
        /// Sandboxes being made, not yet in `all`: their slots count toward `concurrency`.
        var starting = 0
        var waiters: [EventLoopPromise<Environment>] = []
        /// Sandboxes started before the code last changed; each is recycled once it is free.
        var stale: Set<ObjectIdentifier> = []
        /// After shutdown nothing starts: no new environment, no waiting.
        var stopped = false
    }

    private let state = NIOLockedValueBox(State())
    private let eventLoop: EventLoop = MultiThreadedEventLoopGroup.singleton.any()

    convenience init(config: FunctionConfig, concurrency: Int, reserved: Bool = false, options: Sandbox.Options) {
        if let perEnvironment = config.managedConcurrency {
            // Managed Instances: `concurrency` environments of `perEnvironment` places each.
            let slots = ManagedSlots(config: config, options: options)
            let (total, overflow) = concurrency.multipliedReportingOverflow(by: perEnvironment)
            self.init(config: config, concurrency: overflow ? Int.max : total, reserved: reserved) { try slots.makeSlot() }
        } else {
            self.init(config: config, concurrency: concurrency, reserved: reserved) { try Sandbox(config: config, options: options) }
        }
    }

    init(config: FunctionConfig, concurrency: Int, reserved: Bool = false, make: @escaping @Sendable () throws -> Environment) {
        self.config = config
        self.concurrency = max(0, concurrency)
        self.reserved = reserved
        self.make = make
    }

    /// Lambda's answer to a synchronous call when every environment it may have is busy: 429
    /// `TooManyRequestsException`, never a wait.
    struct Throttled: Error, CustomStringConvertible {
        let reason: String
        var description: String { "Rate Exceeded. (\(reason))" }
    }

    /// The throttle this pool answers with: its reason names the limit that was reached.
    var throttled: Throttled {
        Throttled(reason: reserved ? "ReservedFunctionConcurrentInvocationLimitExceeded" : "ConcurrentInvocationLimitExceeded")
    }

    /// Whether a call now would be throttled: no environment free and no room for another.
    var wouldThrottle: Bool { state.withLockedValue { $0.idle.isEmpty && $0.all.count + $0.starting >= concurrency } }

    func invoke(_ payload: [UInt8], extras: Sandbox.InvocationExtras = Sandbox.InvocationExtras(), waitWhenBusy: Bool = true,
                onResponse: @escaping @Sendable (ResponseEvent) -> Void) async throws -> InvocationRecord {
        try await submit(payload, extras: extras, waitWhenBusy: waitWhenBusy, onResponse: onResponse).get()
    }

    /// The record once the invocation ended; the sandbox is free again (or recycled, when the code
    /// changed meanwhile) before the future completes.
    /// `waitWhenBusy`: an asynchronous event waits for an environment (Lambda queues it); a
    /// synchronous call is throttled at once, as Lambda throttles it.
    func submit(_ payload: [UInt8], extras: Sandbox.InvocationExtras = Sandbox.InvocationExtras(), waitWhenBusy: Bool,
                onResponse: @escaping @Sendable (ResponseEvent) -> Void) -> EventLoopFuture<InvocationRecord> {
        acquire(waitWhenBusy: waitWhenBusy).flatMap { [self] sandbox in
            let promise = sandbox.eventLoop.makePromise(of: InvocationRecord.self)
            sandbox.submit(payload, extras: extras, onResponse: onResponse).whenComplete { [self] result in
                let isStale = state.withLockedValue { $0.stale.remove(ObjectIdentifier(sandbox)) != nil }
                let recycled = isStale ? sandbox.eventLoop.flatSubmit { sandbox.reset(reason: "spindown") } : sandbox.eventLoop.makeSucceededVoidFuture()
                recycled.whenComplete { [self] _ in
                    release(sandbox)
                    promise.completeWith(result)
                }
            }
            return promise.futureResult
        }
    }

    /// The code changed: every environment shuts down (SHUTDOWN `spindown`) as soon as it is free,
    /// so the next invocation of each starts cold from a fresh copy, as after a deployment.
    func codeChanged() async {
        // Free ones are taken out of `idle` while they shut down, so no request lands in one meanwhile.
        let free = state.withLockedValue { state in
            let free = state.idle
            state.idle = []
            state.stale = Set(state.all.map(ObjectIdentifier.init)).subtracting(free.map(ObjectIdentifier.init))
            return free
        }
        for sandbox in free {
            await sandbox.recycle()
            release(sandbox)
        }
    }

    private enum Acquired {
        case ready(Environment)
        case make
        case wait(EventLoopPromise<Environment>)
        case refused
        case throttled
    }

    private func acquire(waitWhenBusy: Bool) -> EventLoopFuture<Environment> {
        let acquired: Acquired = state.withLockedValue { state in
            if state.stopped { return .refused }
            // No environment may ever run (reserved concurrency 0): every call, sync or not, is throttled.
            if concurrency == 0 { return .throttled }
            if let sandbox = state.idle.popLast() { return .ready(sandbox) }
            if state.all.count + state.starting < concurrency {
                state.starting += 1
                return .make
            }
            guard waitWhenBusy else { return .throttled }
            let promise = eventLoop.makePromise(of: Environment.self)
            state.waiters.append(promise)
            return .wait(promise)
        }
        switch acquired {
        case .refused: return eventLoop.makeFailedFuture(RunnerError.stopped)
        case .throttled: return eventLoop.makeFailedFuture(throttled)
        case .ready(let sandbox): return sandbox.eventLoop.makeSucceededFuture(sandbox)
        case .wait(let promise): return promise.futureResult
        case .make:
            // Making a sandbox blocks (it finds the interpreter, binds its APIs' port): on NIO's
            // thread pool, never on an event loop.
            let made = NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) { [make] in try make() }
            let promise = eventLoop.makePromise(of: Environment.self)
            made.whenComplete { [self] result in
                let admitted = state.withLockedValue { state -> Bool in
                    state.starting -= 1
                    guard case .success(let sandbox) = result, !state.stopped else { return false }
                    state.all.append(sandbox)
                    return true
                }
                switch result {
                case .failure(let error): promise.fail(error)
                case .success(let sandbox) where admitted: promise.succeed(sandbox)
                case .success(let sandbox):
                    // Stopped while it was being made: it goes, and starts nothing.
                    Task { await sandbox.shutdown() }
                    promise.fail(RunnerError.stopped)
                }
            }
            return promise.futureResult
        }
    }

    private func release(_ sandbox: Environment) {
        let waiter: EventLoopPromise<Environment>? = state.withLockedValue { state in
            guard !state.waiters.isEmpty else {
                state.idle.append(sandbox)
                state.idleSince[ObjectIdentifier(sandbox)] = Date()
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.succeed(sandbox)
    }

    /// Shuts down the environments that have been free for `seconds`, as Lambda reclaims idle ones;
    /// returns how many. The next request starts cold.
    func shutDownIdle(olderThan seconds: TimeInterval) async -> Int {
        let cutoff = Date().addingTimeInterval(-seconds)
        let expired: [Environment] = state.withLockedValue { state in
            let expired = state.idle.filter { (state.idleSince[ObjectIdentifier($0)] ?? Date()) < cutoff }
            let ids = Set(expired.map(ObjectIdentifier.init))
            state.idle.removeAll { ids.contains(ObjectIdentifier($0)) }
            state.all.removeAll { ids.contains(ObjectIdentifier($0)) }
            for id in ids { state.idleSince[id] = nil }
            return expired
        }
        for sandbox in expired { await sandbox.shutdown() }
        return expired.count
    }

    func shutdown() async {
        let (waiting, sandboxes) = state.withLockedValue { state in
            state.stopped = true
            defer { state.waiters = []; state.all = []; state.idle = [] }
            return (state.waiters, state.all)
        }
        for waiter in waiting { waiter.fail(RunnerError.stopped) }
        for sandbox in sandboxes { await sandbox.shutdown() }
    }
}

/// What a `FunctionPool` does with an execution environment.
protocol PooledEnvironment: AnyObject, Sendable {
    var eventLoop: EventLoop { get }
    /// Runs one invocation; the record arrives when it ended.
    func submit(_ payload: [UInt8], extras: Sandbox.InvocationExtras, onResponse: @escaping @Sendable (ResponseEvent) -> Void) -> EventLoopFuture<InvocationRecord>
    /// Ends the environment (SHUTDOWN with `reason`); the next invocation starts cold.
    func reset(reason: String) -> EventLoopFuture<Void>
    /// SHUTDOWN `spindown`: the next invocation starts cold from a fresh copy of the code.
    func recycle() async
    /// Ends it for good.
    func shutdown() async
}

extension Sandbox: PooledEnvironment {}
