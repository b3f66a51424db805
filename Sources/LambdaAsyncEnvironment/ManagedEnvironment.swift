import Foundation
import LambdaAsyncCore
import NIOCore
import NIOHTTP1
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// One execution environment of Lambda Managed Instances (a function with `CapacityProviderConfig`,
/// or `--platform managed-instances`), as AWS's emulator runs that mode: it serves up to
/// `maxConcurrency` invocations at once (AWS_LAMBDA_MAX_CONCURRENCY: the runtime clients start that
/// many Python processes, or that many loops in one Node.js process; a custom runtime must serve
/// concurrent /next itself), it is never frozen, a timeout answers the caller but does not stop the
/// code, and extensions may register for SHUTDOWN only (an internal one for nothing), so none can hold
/// an invocation open. Billing is per instance, not per GB-second: its records say so.
///
/// Everything mutable is confined to `eventLoop`; the public methods hop onto it.
public final class ManagedEnvironment: APIRouter, @unchecked Sendable {
    public let config: FunctionConfig
    public let maxConcurrency: Int
    let options: Sandbox.Options
    let interpreter: String?
    public let eventLoop: EventLoop
    let group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    let root: URL
    var taskRoot: URL { root.appendingPathComponent("task") }
    var optRoot: URL { root.appendingPathComponent("opt") }
    var runtimeDir: URL { root.appendingPathComponent("runtime") }
    let isolationSupport: IsolationSupport?
    let reaper: Reaper? = Reaper.shared
    var channel: Channel?
    var port = 0

    final class Invocation {
        let id: String
        let payload: [UInt8]
        let extras: Sandbox.InvocationExtras
        let onResponse: @Sendable (ResponseEvent) -> Void
        let done: EventLoopPromise<InvocationRecord>
        let clientStart: UInt64
        var deliveredAt: UInt64?
        var answered = false
        var timedOut = false
        var timer: Scheduled<Void>?
        /// Other invocations running in the environment when this one was delivered.
        var overlapping = 0
        var initDurationMs: Double?
        init(payload: [UInt8], extras: Sandbox.InvocationExtras, onResponse: @escaping @Sendable (ResponseEvent) -> Void,
             done: EventLoopPromise<InvocationRecord>) {
            id = extras.requestId ?? UUID().uuidString.lowercased()
            self.payload = payload
            self.extras = extras
            self.onResponse = onResponse
            self.done = done
            clientStart = now()
        }
    }

    var processes = EnvironmentProcesses()
    var started: EventLoopFuture<Void>?
    var initPromise: EventLoopPromise<Void>?
    var initStart: UInt64 = 0
    var initDurationMs: Double?
    var initReported = false
    /// Runtime workers' /next long polls, oldest first.
    var waiting: [EventLoopPromise<APIResponse>] = []
    /// Invocations not delivered yet, and those delivered and not answered (or timed out and still running).
    var queued: [Invocation] = []
    var running: [String: Invocation] = [:]
    /// Registered extensions: name and events (SHUTDOWN at most); their /event/next waits for SHUTDOWN.
    var extensions: [String: (name: String, events: [String])] = [:]
    var expectedExtensions: Set<String> = []
    var extensionWaiters: [String: EventLoopPromise<APIResponse>] = [:]
    var extensionsReady: Set<String> = []
    var runtimeAsked = false
    var initFailure: (type: String, body: [UInt8])?
    var isShutDown = false
    /// Slots handed to a pool that still use this environment (`release`).
    var users = 0

    public init(config: FunctionConfig, maxConcurrency: Int, options: Sandbox.Options) throws {
        guard [.provided, .python, .node].contains(config.runtime.family) else { throw RunnerError.unsupportedRuntime(config.runtime.identifier) }
        self.config = config
        self.maxConcurrency = max(1, maxConcurrency)
        self.options = options
        isolationSupport = try Sandbox.isolationSupport(options)
        interpreter = try Sandbox.interpreter(for: config, options: options, support: isolationSupport)
        eventLoop = options.eventLoop ?? group.next()
        root = FileManager.default.temporaryDirectory.appendingPathComponent("lambda-async-sandbox-\(UUID().uuidString.prefix(8))")
        reaper?.watch(folder: root)
        if isolationSupport?.ownNetwork != true {
            let channel = try APIServer.start(router: self, group: eventLoop)
            self.channel = channel
            port = channel.localAddress?.port ?? 0
        }
    }

    // MARK: Invocations

    public func submit(_ payload: [UInt8], extras: Sandbox.InvocationExtras,
                       onResponse: @escaping @Sendable (ResponseEvent) -> Void) -> EventLoopFuture<InvocationRecord> {
        eventLoop.flatSubmit { [self] in
            let invocation = Invocation(payload: payload, extras: extras, onResponse: onResponse, done: eventLoop.makePromise())
            guard !isShutDown else {
                stop(invocation, type: "Sandbox.Stopped", message: "the local runner stopped before this invocation started")
                return invocation.done.futureResult
            }
            queued.append(invocation)
            if started == nil { started = coldStart() }
            started!.whenComplete { [self] result in
                switch result {
                case .success: dispatch()
                case .failure:
                    let failure = initFailure ?? (type: "Runtime.Unknown", body: Array(Sandbox.errorJSON("Runtime.Unknown", "init failed")))
                    for waiting in queued { fail(waiting, type: failure.type, body: failure.body) }
                    queued = []
                    _ = reset(reason: "failure")
                }
            }
            return invocation.done.futureResult
        }
    }

    /// Pairs queued invocations with waiting workers: several at once, nothing frozen.
    func dispatch() {
        while !queued.isEmpty, !waiting.isEmpty {
            let invocation = queued.removeFirst(), worker = waiting.removeFirst()
            invocation.deliveredAt = now()
            invocation.overlapping = running.values.filter { !$0.answered || $0.timedOut }.count
            if !initReported {
                invocation.initDurationMs = initDurationMs
                initReported = true
            }
            running[invocation.id] = invocation
            let deadline = Int64(Date().timeIntervalSince1970 * 1000) + Int64(config.timeoutSeconds * 1000)
            // Lambda answers the caller at the timeout, but Managed Instances do not stop the code.
            invocation.timer = eventLoop.scheduleTask(in: .milliseconds(Int64(config.timeoutSeconds * 1000))) { [self] in
                guard !invocation.answered else { return }
                invocation.timedOut = true
                options.log("\(config.name) \(invocation.id): timed out after \(String(format: "%g", config.timeoutSeconds)) s; the caller got Sandbox.Timedout, "
                            + "and the code runs on (Managed Instances do not enforce timeouts)")
                answer(invocation, .error(type: "Sandbox.Timedout", body: Array(Sandbox.errorJSON(
                    "Sandbox.Timedout", String(format: "Task timed out after %.2f seconds", config.timeoutSeconds)))), error: "Sandbox.Timedout")
            }
            var headers = [
                ("Lambda-Runtime-Aws-Request-Id", invocation.id), ("Lambda-Runtime-Deadline-Ms", String(deadline)),
                ("Lambda-Runtime-Invoked-Function-Arn", config.functionARN), ("Content-Type", "application/json"),
            ]
            if let context = invocation.extras.clientContext { headers.append(("Lambda-Runtime-Client-Context", context)) }
            if let tenant = invocation.extras.tenantId { headers.append(("Lambda-Runtime-Aws-Tenant-Id", tenant)) }
            worker.succeed(APIResponse(status: .ok, headers: headers, body: invocation.payload))
        }
    }

    func answer(_ invocation: Invocation, _ event: ResponseEvent, error: String? = nil) {
        guard !invocation.answered else { return }
        invocation.answered = true
        invocation.timer?.cancel()
        invocation.onResponse(event)
        let end = now()
        let duration = invocation.deliveredAt.map { milliseconds(from: $0, to: end) } ?? 0
        processes.sampleMemory()
        var record = InvocationRecord(
            requestId: invocation.id, initDurationMs: invocation.initDurationMs, responseMs: duration, firstByteMs: duration,
            runtimeDoneMs: nil, extensionsDoneMs: nil, extensionDoneMs: [:], durationMs: duration,
            billedDurationMs: 0, memorySizeMB: config.memoryMB, maxMemoryUsedMB: processes.maxMemoryMB, frozen: false, error: error,
            clientLatencyMs: milliseconds(from: invocation.clientStart, to: end))
        record.managedInstances = .init(maxConcurrency: maxConcurrency, overlapping: invocation.overlapping, timeoutNotEnforced: invocation.timedOut)
        if !invocation.timedOut { running[invocation.id] = nil }
        options.onRecord(record)
        invocation.done.succeed(record)
    }

    func stop(_ invocation: Invocation, type: String, message: String) {
        answer(invocation, .error(type: type, body: Array(Sandbox.errorJSON(type, message))), error: type)
    }

    func fail(_ invocation: Invocation, type: String, body: [UInt8]) {
        answer(invocation, .error(type: type, body: body), error: type)
    }

    // MARK: Lifecycle

    /// Ends the environment: SHUTDOWN to the extensions that subscribed, the runtime first, Lambda's
    /// 2,000 ms; every caller still waiting is answered. The next invocation starts cold.
    public func reset(reason: String) -> EventLoopFuture<Void> {
        eventLoop.flatSubmit { [self] in
            for invocation in running.values where !invocation.answered {
                stop(invocation, type: "Sandbox.Stopped", message: "the environment ended during this invocation")
            }
            running = [:]
            waiting.forEach { $0.fail(RunnerError.stopped) }
            waiting = []
            started = nil
            if let initPromise { self.initPromise = nil; initPromise.fail(RunnerError.stopped) }
            let (all, environment) = processes.takeAll()
            let runtime = all.first { $0.name == "runtime" }
            runtime?.signal(SIGTERM)
            let shutdown: [String: Any] = ["eventType": "SHUTDOWN", "shutdownReason": reason,
                                           "deadlineMs": Int64(Date().timeIntervalSince1970 * 1000) + 2000]
            for (id, waiter) in extensionWaiters where extensions[id]?.events.contains("SHUTDOWN") == true { waiter.succeed(.json(.ok, shutdown)) }
            extensionWaiters = [:]
            let ended = eventLoop.makePromise(of: Void.self)
            EventLoopFuture.andAllComplete(all.map(\.exited), on: eventLoop).cascade(to: ended)
            let timer = eventLoop.scheduleTask(in: .milliseconds(2000)) { ended.succeed(()) }
            return ended.futureResult.flatMap { [self] in
                timer.cancel()
                all.forEach { $0.kill(); reaper?.forget($0.pid) }
                guard let environment else { return eventLoop.makeSucceededFuture(()) }
                return NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) { environment.teardown() }
            }
        }
    }

    public func recycle() async { try? await reset(reason: "spindown").get() }

    /// One more user (a pool's slot) of this environment.
    public func retain() { eventLoop.execute { self.users += 1 } }

    /// A user is done with it; the last one shuts it down.
    public func release() async {
        let last = try? await eventLoop.submit { () -> Bool in
            self.users -= 1
            return self.users <= 0
        }.get()
        if last == true { await shutdown() }
    }

    public func shutdown() async {
        try? await eventLoop.submit {
            self.isShutDown = true
            for invocation in self.queued { self.stop(invocation, type: "Sandbox.Stopped", message: "the local runner stopped before this invocation started") }
            self.queued = []
        }.get()
        try? await reset(reason: "spindown").get()
        try? await channel?.close()
        try? FileManager.default.removeItem(at: root)
    }
}
