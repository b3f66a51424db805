import Foundation
import LambdaAsyncEnvironment
import NIOConcurrencyHelpers
import NIOCore

/// Lambda Managed Instances in a `FunctionPool`: one environment takes up to `maxConcurrency`
/// invocations at once, so the pool sees each of its places as an environment of its own ("slots").
/// A new environment (a cold start) is made only when every place of the current one is taken.
final class ManagedSlots: Sendable {
    private let config: FunctionConfig
    private let options: Sandbox.Options
    /// The environment slots are handed out from, and how many of its places are taken.
    private let state = NIOLockedValueBox<(current: ManagedEnvironment?, handedOut: Int)>((nil, 0))

    init(config: FunctionConfig, options: Sandbox.Options) {
        self.config = config
        self.options = options
    }

    func makeSlot() throws -> ManagedSlot {
        try state.withLockedValue { state in
            let perEnvironment = config.managedConcurrency ?? 1
            if state.current == nil || state.handedOut >= perEnvironment {
                state.current = try ManagedEnvironment(config: config, maxConcurrency: perEnvironment, options: options)
                state.handedOut = 0
            }
            state.handedOut += 1
            state.current!.retain()
            return ManagedSlot(environment: state.current!)
        }
    }
}

/// One place in a Managed Instances environment.
final class ManagedSlot: PooledEnvironment {
    let environment: ManagedEnvironment
    var eventLoop: EventLoop { environment.eventLoop }
    init(environment: ManagedEnvironment) { self.environment = environment }

    func submit(_ payload: [UInt8], extras: Sandbox.InvocationExtras, onResponse: @escaping @Sendable (ResponseEvent) -> Void) -> EventLoopFuture<InvocationRecord> {
        environment.submit(payload, extras: extras, onResponse: onResponse)
    }
    /// A timeout does not end a Managed Instances environment: the pool's resets are not passed on.
    func reset(reason: String) -> EventLoopFuture<Void> {
        reason == "timeout" ? eventLoop.makeSucceededFuture(()) : environment.reset(reason: reason)
    }
    func recycle() async { await environment.recycle() }
    func shutdown() async { await environment.release() }
}
