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
    private var channel: Channel?
    private var port = 0

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

    private var processes = EnvironmentProcesses()
    private var started: EventLoopFuture<Void>?
    private var initPromise: EventLoopPromise<Void>?
    private var initStart: UInt64 = 0
    private var initDurationMs: Double?
    private var initReported = false
    /// Runtime workers' /next long polls, oldest first.
    private var waiting: [EventLoopPromise<APIResponse>] = []
    /// Invocations not delivered yet, and those delivered and not answered (or timed out and still running).
    private var queued: [Invocation] = []
    private var running: [String: Invocation] = [:]
    /// Registered extensions: name and events (SHUTDOWN at most); their /event/next waits for SHUTDOWN.
    private var extensions: [String: (name: String, events: [String])] = [:]
    private var expectedExtensions: Set<String> = []
    private var extensionWaiters: [String: EventLoopPromise<APIResponse>] = [:]
    private var extensionsReady: Set<String> = []
    private var runtimeAsked = false
    private var initFailure: (type: String, body: [UInt8])?
    private var isShutDown = false
    /// Slots handed to a pool that still use this environment (`release`).
    private var users = 0

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
    private func dispatch() {
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

    private func answer(_ invocation: Invocation, _ event: ResponseEvent, error: String? = nil) {
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

    private func stop(_ invocation: Invocation, type: String, message: String) {
        answer(invocation, .error(type: type, body: Array(Sandbox.errorJSON(type, message))), error: type)
    }

    private func fail(_ invocation: Invocation, type: String, body: [UInt8]) {
        answer(invocation, .error(type: type, body: body), error: type)
    }

    // MARK: Init

    private func coldStart() -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        initPromise = promise
        initFailure = nil
        runtimeAsked = false
        initReported = false
        extensions = [:]
        extensionsReady = []
        processes.startOver()
        NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) { [self] in try makeEnvironment() }.whenComplete { [self] result in
            do {
                let environment = try result.get()
                processes.adopt(environment)
                if let cgroup = environment?.cgroup { reaper?.watch(cgroup) }
                initStart = now()
                try startExternalExtensions()
                if expectedExtensions.isEmpty { try startRuntime() }
            } catch {
                options.log("\(config.name): the environment could not start: \(error)")
                initFailure = (type: "Runtime.InvalidEntrypoint", body: Array(Sandbox.errorJSON("Runtime.InvalidEntrypoint", "\(error)")))
                initPromise = nil
                promise.fail(error)
            }
        }
        // Init on Managed Instances may take the longer of 130 s and the function's timeout.
        let limit = max(130, config.timeoutSeconds)
        let timer = eventLoop.scheduleTask(in: .milliseconds(Int64(limit * 1000))) { [self] in
            guard initPromise?.futureResult === promise.futureResult else { return }
            initFailure = (type: "Sandbox.Timedout", body: Array(Sandbox.errorJSON("Sandbox.Timedout", String(format: "Init timed out after %.0f seconds", limit))))
            initPromise = nil
            promise.fail(RunnerError.cannotStart(config.name, "init timed out"))
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        return promise.futureResult
    }

    private func makeEnvironment() throws -> IsolatedEnvironment? {
        try Sandbox.prepareFiles(config, root: root, isolated: isolationSupport != nil, namespaces: isolationSupport?.namespaces == true)
        guard let support = isolationSupport else { return nil }
        let settings = IsolatedEnvironment.Settings(
            root: root, task: taskRoot, opt: optRoot, runtimeDir: runtimeDir,
            nodeModules: config.runtime.family == .node ? root.appendingPathComponent("node_modules") : nil,
            nodeSDK: config.runtime.family == .node ? NodeSDK.installed : nil,
            interpreter: interpreter, isPython: config.runtime.family == .python, memoryMB: config.memoryMB,
            ephemeralStorageMB: config.ephemeralStorageMB, name: "\(config.name)-mi-\(UUID().uuidString.prefix(8).lowercased())")
        let environment = try IsolatedEnvironment(settings: settings, support: support)
        if let network = environment.network {
            do {
                environment.serve(try APIServer.start(router: self, group: eventLoop, inside: network))
                for (port, host) in Sandbox.localEndpoints(of: config) where port != EnvironmentNetwork.runtimeAPIPort {
                    environment.serve(try PortForwarder.start(listening: try network.listen(port: port),
                                                              to: try SocketAddress(ipAddress: host, port: port), eventLoop: eventLoop))
                }
            } catch {
                environment.teardown()
                throw error
            }
        }
        return environment
    }

    private func variables(forExtension: Bool) -> [String: String] {
        let namespace = processes.hasNamespace
        var variables = LambdaVariables(config: config, hostCredentials: options.hostCredentials, isolated: processes.isolated, port: port, root: root,
                                        task: namespace ? LambdaImage.taskRoot : taskRoot.path,
                                        opt: namespace ? LambdaImage.layersDir : optRoot.path,
                                        runtimeDir: namespace ? LambdaImage.runtimeDir : runtimeDir.path,
                                        logStreamName: LambdaVariables.newLogStreamName())
        variables.maxConcurrency = maxConcurrency
        return variables.environment(forExtension: forExtension)
    }

    private func startExternalExtensions() throws {
        let folder = optRoot.appendingPathComponent("extensions")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        expectedExtensions = []
        let opt = processes.hasNamespace ? LambdaImage.layersDir : optRoot.path
        for name in names {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            expectedExtensions.insert(name)
            let process = try SandboxProcess(name: name, arguments: ["\(opt)/extensions/\(name)"], environment: variables(forExtension: true),
                                             directory: opt, in: processes.isolated, eventLoop: eventLoop, output: options.log) { [weak self] _, status in
                guard let self else { return }
                eventLoop.execute { self.exited(name: name, status: status, isRuntime: false) }
            }
            reaper?.watch(process.pid)
            processes.started(external: process)
        }
    }

    private func startRuntime() throws {
        let namespace = processes.hasNamespace
        let task = namespace ? LambdaImage.taskRoot : taskRoot.path
        var command: [String]
        switch config.runtime.family {
        case .provided:
            guard FileManager.default.isExecutableFile(atPath: taskRoot.appendingPathComponent("bootstrap").path) else {
                throw RunnerError.cannotStart("bootstrap", "\(config.runtime.identifier) needs an executable bootstrap at the root of the code")
            }
            command = [task + "/bootstrap"]
        default:
            let client = config.runtime.family == .python ? "python_ric.py" : "node_ric.mjs"
            command = [processes.isolated?.interpreter ?? interpreter ?? "", (namespace ? LambdaImage.runtimeDir : runtimeDir.path) + "/" + client]
        }
        let environment = variables(forExtension: false)
        if config.runtime.family != .provided, let wrapper = environment["AWS_LAMBDA_EXEC_WRAPPER"] { command.insert(wrapper, at: 0) }
        let process = try SandboxProcess(name: "runtime", arguments: command, environment: environment, directory: task,
                                         in: processes.isolated, eventLoop: eventLoop, output: options.log) { [weak self] _, status in
            guard let self else { return }
            eventLoop.execute { self.exited(name: "runtime", status: status, isRuntime: true) }
        }
        reaper?.watch(process.pid)
        processes.started(runtime: process)
    }

    private func exited(name: String, status: Int32, isRuntime: Bool) {
        guard !isShutDown, started != nil else { return }
        // An exit ends the environment: an extension's, as on Managed Instances; the runtime's, with its
        // workers (a worker's own crash inside a Python runtime leaves the others serving).
        options.log("\(config.name): \(name) exited (status \(status)): the environment ends; the next invocation starts cold")
        if let initPromise {
            initFailure = initFailure ?? (type: "Runtime.ExitError", body: Array(Sandbox.errorJSON("Runtime.ExitError", "\(name) exited during init")))
            self.initPromise = nil
            initPromise.fail(RunnerError.cannotStart(config.name, "\(name) exited during init"))
            return
        }
        _ = reset(reason: "failure")
    }

    private func checkInitComplete() {
        guard let promise = initPromise, runtimeAsked, expectedExtensions.isSubset(of: extensionsReady) else { return }
        initDurationMs = milliseconds(from: initStart, to: now())
        initPromise = nil
        promise.succeed(())
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

    // MARK: APIs

    func handle(method: HTTPMethod, path: String, headers: HTTPHeaders, body: [UInt8]) -> EventLoopFuture<APIResponse> {
        let parts = path.split(separator: "?").first.map { $0.split(separator: "/").map(String.init) } ?? []
        func done(_ response: APIResponse) -> EventLoopFuture<APIResponse> { eventLoop.makeSucceededFuture(response) }
        switch (method, Array(parts.prefix(2)), Array(parts.dropFirst(2))) {
        case (.GET, ["2018-06-01", "runtime"], ["invocation", "next"]):
            let promise = eventLoop.makePromise(of: APIResponse.self)
            waiting.append(promise)
            if !runtimeAsked {
                runtimeAsked = true
                checkInitComplete()
            }
            dispatch()
            return promise.futureResult
        case (.POST, ["2018-06-01", "runtime"], let rest) where rest.count == 3 && rest[0] == "invocation":
            guard let invocation = running[rest[1]] else { return done(.error(.badRequest, "InvalidRequestID", "Invalid request ID: \(rest[1])")) }
            if invocation.timedOut {
                // Its caller had Sandbox.Timedout; the code ran on and finished now.
                running[rest[1]] = nil
                options.log("\(config.name) \(invocation.id): finished after its timeout (Managed Instances let it run on); its caller had Sandbox.Timedout")
                return done(.json(.accepted, ["status": "OK"]))
            }
            switch rest[2] {
            case "response":
                if body.count > LambdaQuotas.runtimeResponseBytes {
                    fail(invocation, type: "Function.ResponseSizeTooLarge", body: Array(Sandbox.errorJSON("Function.ResponseSizeTooLarge", "Response payload size exceeded 6 MB")))
                    return done(.error(.payloadTooLarge, "RequestEntityTooLarge", "Response payload size exceeded maximum allowed payload size"))
                }
                answer(invocation, .complete(body))
            case "error":
                let type = headers.first(name: "Lambda-Runtime-Function-Error-Type") ?? "Unhandled"
                answer(invocation, .error(type: "Unhandled", body: body.isEmpty ? Array(Sandbox.errorJSON(type, "Unhandled error")) : body), error: type)
            default:
                return done(.error(.notFound, "UnknownOperation", "\(method) \(path) is not part of the Runtime API"))
            }
            return done(.json(.accepted, ["status": "OK"]))
        case (.POST, ["2018-06-01", "runtime"], ["init", "error"]):
            let type = headers.first(name: "Lambda-Runtime-Function-Error-Type") ?? "Runtime.Unknown"
            initFailure = (type: type, body: body.isEmpty ? Array(Sandbox.errorJSON(type, "init failed")) : body)
            return done(.json(.accepted, ["status": "OK"]))
        case (.POST, ["2020-01-01", "extension"], ["register"]):
            let name = headers.first(name: "Lambda-Extension-Name") ?? ""
            let events = ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any])?["events"] as? [String] ?? []
            // As AWS's emulator in this mode: an external extension may take SHUTDOWN only, an internal one nothing.
            let isExternal = expectedExtensions.contains(name)
            if let refused = events.first(where: { !isExternal || $0 != "SHUTDOWN" }) {
                options.log("\(config.name): extension \(name) may not register for \(refused) on Lambda Managed Instances (refused with 403)")
                return done(.error(.forbidden, "Extension.InvalidEventType", isExternal
                    ? "\(refused): Lambda Managed Instances send extensions SHUTDOWN only"
                    : "No events allowed for internal extensions"))
            }
            let id = UUID().uuidString.lowercased()
            extensions[id] = (name: name, events: events)
            if processes.hasRuntime == false, initPromise != nil, expectedExtensions.isSubset(of: Set(extensions.values.map(\.name))) {
                do { try startRuntime() } catch {
                    initFailure = (type: "Runtime.InvalidEntrypoint", body: Array(Sandbox.errorJSON("Runtime.InvalidEntrypoint", "\(error)")))
                }
            }
            return done(.json(.ok, ["functionName": config.name, "functionVersion": "$LATEST", "handler": config.handler],
                              headers: [("Lambda-Extension-Identifier", id)]))
        case (.GET, ["2020-01-01", "extension"], ["event", "next"]):
            guard let id = headers.first(name: "Lambda-Extension-Identifier"), let member = extensions[id] else {
                return done(.error(.forbidden, "Extension.InvalidExtensionIdentifier", "Lambda-Extension-Identifier is missing or unknown"))
            }
            let promise = eventLoop.makePromise(of: APIResponse.self)
            extensionWaiters[id] = promise
            extensionsReady.insert(member.name)
            checkInitComplete()
            return promise.futureResult
        default:
            return done(.error(.notFound, "UnknownOperation", "\(method) \(path) is not served on Lambda Managed Instances locally"))
        }
    }

    // Response streaming is not reproduced in this mode: said to the runtime and the caller.
    func beginStream(requestId: String) -> APIResponse? {
        if let invocation = running[requestId] {
            fail(invocation, type: "Runtime.InvalidResponseModeHeader",
                 body: Array(Sandbox.errorJSON("Runtime.InvalidResponseModeHeader", "lambda-async does not stream responses on Managed Instances locally")))
        }
        return .error(.badRequest, "InvalidResponseMode", "lambda-async does not stream responses on Managed Instances locally")
    }
    func streamChunk(requestId: String, _ bytes: [UInt8]) -> StreamFlow? { nil }
    func endStream(requestId: String, trailers: HTTPHeaders?) -> APIResponse { .json(.accepted, ["status": "OK"]) }
    func invalidResponseMode(requestId: String, mode: String) -> APIResponse {
        .error(.badRequest, "InvalidResponseMode", "Lambda-Runtime-Function-Response-Mode must be streaming, not \(mode)")
    }
    func refuseOversized(method: HTTPMethod, path: String, size: Int) -> EventLoopFuture<APIResponse> {
        eventLoop.makeSucceededFuture(.error(.payloadTooLarge, "RequestEntityTooLarge", "Request body (\(size) bytes) is too large"))
    }
}
