import Foundation
import LambdaAsyncCore
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// What the client of an invocation receives, as it happens.
public enum ResponseEvent: Sendable {
    /// A streamed response's bytes, as the function sends them.
    case chunk([UInt8])
    /// The whole buffered response, or the end of a stream.
    case complete([UInt8])
    /// A function error: Lambda's error type and the error's JSON body.
    case error(type: String, body: [UInt8])
}

/// One function's execution environment, run the way Lambda runs it: a Runtime API and an
/// Extensions API on loopback, the runtime and external extensions as processes (in an
/// `IsolatedEnvironment` where the machine allows), a freeze (cgroup freezer, else SIGSTOP) when the
/// runtime and every INVOKE-subscribed extension have asked for their next event, a thaw at the next
/// invoke, the timeout over runtime and extensions together, and Lambda's shutdown at the end. Its
/// lifecycle is a `SandboxLifecycle`; the jobs live in Sandbox+Init, +Invocations, +Shutdown,
/// +Environment and +APIs.
///
/// All state lives on one event loop; the public methods hop onto it.
/// @unchecked Sendable: every mutable field is confined to `eventLoop` (public methods hop onto it,
/// `makeEnvironment` reads only what never changes); the rest is immutable.
public final class Sandbox: APIRouter, @unchecked Sendable {
    public struct Options: Sendable {
        public var freeze = true
        /// Where the function's and extensions' log lines go.
        public var log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        /// Called with each line the function and its extensions write (what CloudWatch Logs would get).
        public var onOutput: (@Sendable (String) -> Void)? = nil
        /// Called with each invocation's record, whoever invoked it (the API or `invoke`).
        public var onRecord: @Sendable (InvocationRecord) -> Void = { _ in }
        /// How far each environment is made Lambda's (namespaces, cgroups); see `IsolationMode`.
        public var isolation: IsolationMode = .none
        /// CPU in proportion to memory (1,769 MB = one vCPU) when the environment has a cgroup.
        public var cpuLimit = true
        /// Hand the functions this shell's AWS credentials, so that their calls to other services reach
        /// the real account; otherwise they get placeholder ones and such calls fail instead.
        public var hostCredentials = false
        /// Lambda's limit on init (10 s). Tests shorten it with LAMBDA_ASYNC_INIT_LIMIT_MS rather than
        /// wait it out.
        public var initLimitMs: Int64 = ProcessInfo.processInfo.environment["LAMBDA_ASYNC_INIT_LIMIT_MS"].flatMap { Int64($0) }
            ?? LambdaImage.initLimitSeconds * 1000
        /// The event loop of its state and APIs; nil picks one of the process's group. A caller on
        /// this loop (a one-function Invoke API) then reaches the sandbox without crossing threads.
        public var eventLoop: EventLoop?
        public init() {}
    }

    public let config: FunctionConfig
    let options: Options
    /// The Python or Node.js of a managed runtime, found before any cold start so that finding it
    /// is not timed as init.
    let interpreter: String?
    /// The process's one event loop group, shared by every sandbox and `serve`: never shut down here.
    let group: EventLoopGroup
    public let eventLoop: EventLoop
    var channel: Channel?
    public private(set) var port = 0
    let root: URL
    var taskRoot: URL { root.appendingPathComponent("task") }
    var optRoot: URL { root.appendingPathComponent("opt") }
    var runtimeDir: URL { root.appendingPathComponent("runtime") }
    let reaper: Reaper?
    /// What this machine offers for isolation; nil with `--isolation none` or when it offers nothing.
    let isolationSupport: IsolationSupport?
    /// The environment's processes, namespace and cgroup, between a cold start and its reset.
    var processes = EnvironmentProcesses()
    var isolated: IsolatedEnvironment? { processes.isolated }
    /// Who registered with the Extensions API, and what each waits for.
    var extensions = ExtensionRegistry()
    /// Where the environment is in its lifecycle, with the init it waits for and the invocation in
    /// flight; every move goes through `move(_:)`.
    var lifecycle = SandboxLifecycle<PendingInit, Invocation>()
    /// The init someone waits for: held by the lifecycle while initializing.
    var pendingInit: PendingInit? { lifecycle.pendingInit }
    /// The invocation delivered and not finished: held by the lifecycle while invoking and after the response.
    var current: Invocation? { lifecycle.invocation }

    /// Moves the lifecycle. An event that cannot happen now is a runner bug: fatal in debug builds
    /// (every test run), said in the log of a release build, where the user's run goes on.
    @discardableResult
    func move(_ event: SandboxLifecycle<PendingInit, Invocation>.Event) -> [SandboxLifecycle<PendingInit, Invocation>.Effect] {
        do {
            return try lifecycle.handle(event)
        } catch {
            assertionFailure("\(config.name): \(error)")
            options.log("lambda-async: internal error in \(config.name)'s lifecycle: \(error); please report it")
            return []
        }
    }

    /// The answer of an invocation the runner itself ends (it stopped): an error for the caller, a record.
    func answerStopped(_ invocation: Invocation, started: Bool) {
        guard !invocation.finished else { return }
        // Answered already: what is cut off is the work after the response, and the record says so.
        if invocation.responseAt != nil { invocation.interrupted = true }
        let message = started ? "the local runner stopped during this invocation" : "the local runner stopped before this invocation started"
        respond(invocation, .error(type: "Sandbox.Stopped", body: Array(Self.errorJSON("Sandbox.Stopped", message))), error: "Sandbox.Stopped")
        if invocation.runtimeDoneAt == nil, invocation.deliveredAt != nil { invocation.runtimeDoneAt = now() }
        invocation.done.succeed(record(for: invocation))
    }

    /// Ends the environment's callers as the lifecycle says: the invocation in flight, an init being
    /// waited for, and (at shutdown) every queued invocation all get an answer.
    func answerCallers(_ effects: [SandboxLifecycle<PendingInit, Invocation>.Effect]) {
        for effect in effects {
            switch effect {
            case .answerInFlight(let invocation, _):
                answerStopped(invocation, started: true)
            case .failInit(let pending):
                endInit(pending, type: "Sandbox.Stopped", message: "the local runner stopped during init",
                        error: RunnerError.cannotStart(config.name, "stopped during init"), keepEarlierReason: true)
            case .refuseQueued:
                for invocation in queue.drain() { answerStopped(invocation, started: false) }
            case .startProcesses, .thaw, .freeze, .endProcesses:
                break  // done where the event happens
            }
        }
    }

    /// Ends the pending init, if any, as failed: its timer cancelled, its caller failed with `error`,
    /// and `type` with `message` (or `body`, Lambda's error JSON) kept as the reason, unless an
    /// earlier reason stands (`keepEarlierReason`: a crash after the runtime's own init/error).
    func failInit(type: String, message: String, body: [UInt8] = [], error: Error, keepEarlierReason: Bool = false) {
        guard lifecycle.state == .initializing else { return }
        for case .failInit(let pending) in move(.initFailed) {
            endInit(pending, type: type, message: message, body: body, error: error, keepEarlierReason: keepEarlierReason)
        }
    }

    /// An init the lifecycle let go of as failed: the reason kept, the timer cancelled, the caller failed.
    func endInit(_ pending: PendingInit, type: String, message: String, body: [UInt8] = [], error: Error, keepEarlierReason: Bool) {
        if !keepEarlierReason || initFailure == nil {
            initFailure = InitFailure(type: type, body: body.isEmpty ? Array(Self.errorJSON(type, message)) : body)
        }
        pending.fail(error)
    }

    /// Paths as the function sees them: Lambda's inside a namespace, the scratch folder's otherwise.
    var insideTask: String { processes.hasNamespace ? LambdaImage.taskRoot : taskRoot.path }
    var insideOpt: String { processes.hasNamespace ? LambdaImage.layersDir : optRoot.path }
    var insideRuntimeDir: String { processes.hasNamespace ? LambdaImage.runtimeDir : runtimeDir.path }

    // Init.
    /// When the last init started (its first process), for its duration.
    var initStart: UInt64 = 0
    /// Why the last init failed (what its waiting invocation reports).
    var initFailure: InitFailure?
    var initDurationMs: Double?

    /// Telemetry and Logs API subscribers, and what they have not received yet.
    let telemetry = Telemetry()

    /// The reset ending the environment now, if one is: a reset asked for meanwhile waits for it.
    var ending: EventLoopFuture<Void>?
    /// The runtime's long poll on /next. Not a state's: the runtime asks while init ends, between
    /// invocations, frozen, and while an extension still works after the response.
    var runtimeWaiter: EventLoopPromise<APIResponse>?

    public init(config: FunctionConfig, options: Options = Options()) throws {
        guard [.provided, .python, .node].contains(config.runtime.family) else {
            throw RunnerError.unsupportedRuntime(config.runtime.identifier)
        }
        self.config = config
        self.options = options
        isolationSupport = try Self.isolationSupport(options)
        interpreter = try Self.interpreter(for: config, options: options, support: isolationSupport)
        group = MultiThreadedEventLoopGroup.singleton
        eventLoop = options.eventLoop ?? group.next()
        root = FileManager.default.temporaryDirectory.appendingPathComponent("lambda-async-sandbox-\(UUID().uuidString.prefix(8))")
        reaper = Reaper.shared
        reaper?.watch(folder: root)
        // Every connection of this sandbox's APIs on its own event loop: the router's state is bound to it.
        // An environment with a network of its own is served inside it (Sandbox+Init): nothing on the
        // host's loopback, where any local process could take its invocations.
        if isolationSupport?.ownNetwork != true {
            let channel = try APIServer.start(router: self, group: eventLoop)
            self.channel = channel
            port = channel.localAddress?.port ?? 0
        }
    }

    /// The isolation note is said once per run, not once per sandbox.
    static let isolationNoted = OnceFlag()

    /// What this machine offers toward `options.isolation`: nil for none; refused when strict and incomplete.
    static func isolationSupport(_ options: Options) throws -> IsolationSupport? {
        switch options.isolation {
        case .none:
            return nil
        case .auto, .strict:
            let support = IsolationSupport.current
            if options.isolation == .strict, !support.complete { throw IsolationUnavailable(missing: support.missing) }
            if let note = support.note, isolationNoted.claim() { options.log(note) }
            return support.namespaces || support.cgroups != nil ? support : nil
        }
    }

    /// The Python or Node.js a managed runtime runs on here, said once when it is not the runtime's own.
    static func interpreter(for config: FunctionConfig, options: Options, support: IsolationSupport?) throws -> String? {
        guard config.runtime.family != .provided else { return nil }
        let (path, note) = try Interpreters.resolve(for: config.runtime)
        if let note { options.log(note) }
        // Where its packages are: asked once, here, not during a cold start.
        if config.runtime.family == .python, support?.namespaces == true { _ = PythonSite.of(path) }
        return path
    }

    // MARK: Public API

    /// What a caller may ask of one invocation besides its payload.
    public struct InvocationExtras: Sendable {
        /// The caller's client context (JSON), passed as `Lambda-Runtime-Client-Context`.
        public var clientContext: String?
        /// Keep the invocation's log lines for the record's `executionLog` (`X-Amz-Log-Type: Tail`).
        public var tailLog = false
        /// The request id, when the caller has one already: every retry of an asynchronous event
        /// carries the id its 202 answer gave, as on Lambda (idempotency code keys on it).
        public var requestId: String?
        /// For a streamed response: how fast its reader takes it (the runtime's upload waits while it cannot).
        public var flow: StreamFlow?
        /// The tenant of a function with tenant isolation, passed as `Lambda-Runtime-Aws-Tenant-Id`.
        public var tenantId: String?
        public init(clientContext: String? = nil, tailLog: Bool = false, requestId: String? = nil, flow: StreamFlow? = nil,
                    tenantId: String? = nil) {
            self.tenantId = tenantId
            self.clientContext = clientContext
            self.tailLog = tailLog
            self.requestId = requestId
            self.flow = flow
        }
    }

    /// Runs one invocation; `onResponse` sees the response when the client would, and the record
    /// arrives when the invocation ended (frozen, failed or timed out).
    public func invoke(_ payload: [UInt8], extras: InvocationExtras = InvocationExtras(),
                       onResponse: @escaping @Sendable (ResponseEvent) -> Void = { _ in }) async throws -> InvocationRecord {
        try await submit(payload, extras: extras, onResponse: onResponse).get()
    }

    /// `invoke` for callers on event loops: no hop through Swift's cooperative pool.
    package func submit(_ payload: [UInt8], extras: InvocationExtras = InvocationExtras(),
                onResponse: @escaping @Sendable (ResponseEvent) -> Void = { _ in }) -> EventLoopFuture<InvocationRecord> {
        let start = now()
        if eventLoop.inEventLoop { return enqueue(payload, clientStart: start, extras: extras, onResponse: onResponse) }
        return eventLoop.flatSubmit { self.enqueue(payload, clientStart: start, extras: extras, onResponse: onResponse) }
    }

    /// Invocations wait their turn: one environment runs one invocation at a time, as on Lambda.
    var queue = InvocationQueue<Invocation>()

    func enqueue(_ payload: [UInt8], clientStart: UInt64, extras: InvocationExtras = InvocationExtras(),
                 onResponse: @escaping @Sendable (ResponseEvent) -> Void) -> EventLoopFuture<InvocationRecord> {
        let invocation = Invocation(id: extras.requestId, payload: payload, clientStart: clientStart, onResponse: onResponse,
                                    done: eventLoop.makePromise(of: InvocationRecord.self))
        invocation.extras = extras
        // A sandbox that was shut down starts nothing new.
        guard lifecycle.state != .shutDown else {
            answerStopped(invocation, started: false)
            return invocation.done.futureResult
        }
        queue.append(invocation)
        startNext()
        return invocation.done.futureResult
    }

    func startNext() {
        guard let invocation = queue.next() else { return }
        invocation.done.futureResult.whenComplete { [self] result in
            if case .success(let record) = result { options.onRecord(record) }
            queue.ended()
            startNext()
        }
        if !processes.hasRuntime {
            coldStart(limitMs: options.initLimitMs).whenComplete { [self] result in
                switch result {
                case .success:
                    begin(invocation)
                case .failure(let error) where error is InitTimedOut:
                    // Lambda tries an init that ran over 10 s once more, inside the first invocation
                    // ("suppressed init"): its time counts toward the invocation's duration and timeout.
                    let retryStart = now()
                    let limit = Int64(config.timeoutSeconds * 1000)
                    options.log("init did not finish within \(String(format: "%g", Double(options.initLimitMs) / 1000)) s: tried again inside the invocation, within its timeout")
                    reset(reason: "timeout").flatMap { self.coldStart(limitMs: limit) }.whenComplete { [self] result in
                        switch result {
                        case .success:
                            invocation.suppressedInitStart = retryStart
                            initDurationMs = nil
                            begin(invocation)
                        case .failure:
                            failInit(invocation)
                        }
                    }
                case .failure:
                    failInit(invocation)
                }
            }
        } else {
            begin(invocation)
        }
    }

    /// SHUTDOWN `spindown` with Lambda's budget, then SIGTERM and SIGKILL; the next invocation
    /// starts cold, from a fresh copy of the code.
    package func recycle() async {
        try? await eventLoop.flatSubmit { self.reset(reason: "spindown") }.get()
    }

    /// SHUTDOWN `spindown` with Lambda's budget, then SIGTERM and SIGKILL; removes the sandbox.
    public func shutdown() async {
        // Every caller is answered first: the invocation in flight, an init, the queue.
        try? await eventLoop.submit { self.answerCallers(self.move(.shutdown)) }.get()
        await recycle()
        // An environment that never started a process still has its cgroup and namespace.
        try? await eventLoop.flatSubmit { () -> EventLoopFuture<Void> in
            self.endEnvironment(self.processes.takeAll().environment)
        }.get()
        try? await channel?.close()
        try? FileManager.default.removeItem(at: root)
    }
    /// An ended invocation whose log tail is still being gathered (see `complete`).
    var tailing: Invocation?
}

/// Monotonic nanoseconds.
func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
func milliseconds(from start: UInt64, to end: UInt64) -> Double { Double(end &- start) / 1_000_000 }
