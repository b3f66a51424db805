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
/// Extensions API on loopback, the runtime and external extensions as processes, a freeze
/// (SIGSTOP) when the runtime and every INVOKE-subscribed extension have asked for their next
/// event, a thaw (SIGCONT) at the next invoke, the timeout over runtime and extensions together,
/// and SHUTDOWN at the end.
///
/// All state lives on one event loop; the public methods hop onto it.
public final class Sandbox: APIRouter, @unchecked Sendable {
    public struct Options: Sendable {
        public var freeze = true
        /// Where the function's and extensions' log lines go.
        public var log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        /// Called with each invocation's record, whoever invoked it (the API or `invoke`).
        public var onRecord: @Sendable (InvocationRecord) -> Void = { _ in }
        /// The loopback port of the Runtime, Extensions and Invoke APIs; 0 picks a free one.
        public var port = 0
        /// How far each environment is made Lambda's (namespaces, cgroups); see `IsolationMode`.
        public var isolation: IsolationMode = .none
        /// CPU in proportion to memory (1,769 MB = one vCPU) when the environment has a cgroup.
        public var cpuLimit = true
        public init() {}
    }

    public let config: FunctionConfig
    let options: Options
    /// The Python or Node.js of a managed runtime, found before any cold start so that finding it
    /// is not timed as init.
    private let interpreter: String?
    let group: MultiThreadedEventLoopGroup
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
    /// The current environment's namespaces and cgroup, between a cold start and its reset.
    var isolated: IsolatedEnvironment?
    /// The CPU quota is set at the first invocation of an environment: init runs unthrottled.
    var cpuLimited = false
    /// Where the environment is in its lifecycle; every move goes through `move(_:)`.
    var lifecycle = SandboxLifecycle()

    /// Moves the lifecycle. An event that cannot happen now is a runner bug: said under
    /// LAMBDA_ASYNC_TRACE, never fatal to the user's run.
    @discardableResult
    func move(_ event: SandboxLifecycle.Event) -> [SandboxLifecycle.Effect] {
        do {
            return try lifecycle.handle(event)
        } catch {
            if ProcessInfo.processInfo.environment["LAMBDA_ASYNC_TRACE"] != nil { options.log("lambda-async: \(error)") }
            return []
        }
    }

    /// The answer of an invocation the runner itself ends (it stopped): an error for the caller, a record.
    func answerStopped(_ invocation: Invocation, started: Bool) {
        guard !invocation.finished else { return }
        let message = started ? "the local runner stopped during this invocation" : "the local runner stopped before this invocation started"
        respond(invocation, .error(type: "Sandbox.Stopped", body: Array(Self.errorJSON("Sandbox.Stopped", message))), error: "Sandbox.Stopped")
        if invocation.runtimeDoneAt == nil, invocation.deliveredAt != 0 { invocation.runtimeDoneAt = now() }
        invocation.done.succeed(record(for: invocation))
    }

    /// Ends the environment's callers as the lifecycle says: the invocation in flight, an init being
    /// waited for, and (at shutdown) every queued invocation all get an answer.
    func answerCallers(_ effects: [SandboxLifecycle.Effect]) {
        for effect in effects {
            switch effect {
            case .answerInFlight:
                if let invocation = current { answerStopped(invocation, started: true) }
            case .failInit:
                if let pending = initPromise {
                    initPromise = nil
                    initTimer?.cancel()
                    if initFailure == nil {
                        initFailure = ("Sandbox.Stopped", Array(Self.errorJSON("Sandbox.Stopped", "the local runner stopped during init")))
                    }
                    pending.fail(RunnerError.cannotStart(config.name, "stopped during init"))
                }
            case .refuseQueued:
                let queued = waiting
                waiting = []
                for invocation in queued { answerStopped(invocation, started: false) }
            case .startProcesses, .thaw, .freeze, .endProcesses:
                break  // done where the event happens
            }
        }
    }

    /// Paths as the function sees them: Lambda's inside a namespace, the scratch folder's otherwise.
    var insideTask: String { isolated?.hasNamespace == true ? LambdaImage.taskRoot : taskRoot.path }
    var insideOpt: String { isolated?.hasNamespace == true ? LambdaImage.layersDir : optRoot.path }
    var insideRuntimeDir: String { isolated?.hasNamespace == true ? LambdaImage.runtimeDir : runtimeDir.path }

    // Processes and registration.
    var runtime: SandboxProcess?
    var externals: [SandboxProcess] = []
    var expectedExternals: Set<String> = []
    var extensions: [String: ExtensionState] = [:]
    var registrationOpen = true
    var frozen = false

    // Init.
    var initStart: UInt64 = 0
    var initPromise: EventLoopPromise<Void>?
    var initFailure: (type: String, body: [UInt8])?
    var runtimeReady = false
    var initDurationMs: Double?
    var initTimer: Scheduled<Void>?

    /// Telemetry and Logs API subscribers, and what they have not received yet.
    let telemetry = Telemetry()
    var telemetryTimer: RepeatedTask?

    // The runtime's long poll and the invocation in flight.
    var runtimeWaiter: EventLoopPromise<APIResponse>?
    var current: Invocation?

    struct ExtensionState {
        let id: String
        let name: String
        let events: Set<String>
        let isInternal: Bool
        var waiter: EventLoopPromise<APIResponse>?
        var queued: [[String: Any]] = []
        var ready = false
        var busy = false
        var doneAt: UInt64 = 0
    }

    /// Confined to the sandbox's event loop, like the sandbox itself.
    final class Invocation: @unchecked Sendable {
        let id: String
        let payload: [UInt8]
        let onResponse: @Sendable (ResponseEvent) -> Void
        let done: EventLoopPromise<InvocationRecord>
        let clientStart: UInt64
        var deliveredAt: UInt64 = 0
        var deadlineMs: Int64 = 0
        var responseAt: UInt64?
        var runtimeDoneAt: UInt64?
        var streaming = false
        var streamedBytes = 0
        var error: String?
        var timer: Scheduled<Void>?
        var finished = false
        var traceHeader: String?
        /// Set when init was retried inside this invocation: its duration and timeout count from here.
        var suppressedInitStart: UInt64?
        var extras = InvocationExtras()
        /// The lines logged during the invocation, kept when `extras.tailLog` asks for them.
        var log: [String] = []

        init(id: String?, payload: [UInt8], clientStart: UInt64, onResponse: @escaping @Sendable (ResponseEvent) -> Void,
             done: EventLoopPromise<InvocationRecord>) {
            self.id = id ?? UUID().uuidString.lowercased()
            self.payload = payload
            self.clientStart = clientStart
            self.onResponse = onResponse
            self.done = done
        }
    }

    public init(config: FunctionConfig, options: Options = Options()) throws {
        guard [.provided, .python, .node].contains(config.runtime.family) else {
            throw RunnerError.unsupportedRuntime(config.runtime.identifier)
        }
        self.config = config
        self.options = options
        switch options.isolation {
        case .none:
            isolationSupport = nil
        case .auto, .strict:
            let support = IsolationSupport.current
            if options.isolation == .strict, !support.complete { throw IsolationUnavailable(missing: support.missing) }
            if let note = support.note, Self.isolationNoted.claim() { options.log(note) }
            isolationSupport = support.namespaces || support.cgroups != nil ? support : nil
        }
        if config.runtime.family == .provided {
            interpreter = nil
        } else {
            let (path, note) = try Interpreters.resolve(for: config.runtime)
            if let note { options.log(note) }
            interpreter = path
            // Where its packages are: asked once, here, not during a cold start.
            if config.runtime.family == .python, isolationSupport?.namespaces == true { _ = PythonSite.of(path) }
        }
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        eventLoop = group.next()
        root = FileManager.default.temporaryDirectory.appendingPathComponent("lambda-async-sandbox-\(UUID().uuidString.prefix(8))")
        reaper = try? Reaper.start()
        let channel = try APIServer.start(router: self, group: group, port: options.port)
        self.channel = channel
        port = channel.localAddress?.port ?? 0
    }

    var loopsStopped = false
    /// The isolation note is said once per run, not once per sandbox.
    static let isolationNoted = OnceFlag()

    deinit {
        // shutdown() normally stops the event loop; this covers a sandbox dropped without it.
        if !loopsStopped { group.shutdownGracefully { _ in } }
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
        public init(clientContext: String? = nil, tailLog: Bool = false, requestId: String? = nil) {
            self.clientContext = clientContext
            self.tailLog = tailLog
            self.requestId = requestId
        }
    }

    /// Runs one invocation; `onResponse` sees the response when the client would, and the record
    /// arrives when the invocation ended (frozen, failed or timed out).
    public func invoke(_ payload: [UInt8], extras: InvocationExtras = InvocationExtras(),
                       onResponse: @escaping @Sendable (ResponseEvent) -> Void = { _ in }) async throws -> InvocationRecord {
        let start = now()
        return try await eventLoop.flatSubmit {
            self.enqueue(payload, clientStart: start, extras: extras, onResponse: onResponse)
        }.get()
    }

    /// Invocations wait their turn: one environment runs one invocation at a time, as on Lambda.
    var waiting: [Invocation] = []
    var running = false

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
        waiting.append(invocation)
        startNext()
        return invocation.done.futureResult
    }

    func startNext() {
        guard !running, !waiting.isEmpty else { return }
        running = true
        let invocation = waiting.removeFirst()
        invocation.done.futureResult.whenComplete { [self] result in
            if case .success(let record) = result { options.onRecord(record) }
            running = false
            startNext()
        }
        if runtime == nil {
            coldStart().whenComplete { [self] result in
                switch result {
                case .success:
                    begin(invocation)
                case .failure(let error) where error is InitTimedOut:
                    // Lambda tries an init that ran over 10 s once more, inside the first invocation
                    // ("suppressed init"): its time counts toward the invocation's duration and timeout.
                    let retryStart = now()
                    let limit = Int64(config.timeoutSeconds * 1000)
                    options.log("init did not finish within \(LambdaImage.initLimitSeconds) s: tried again inside the invocation, within its timeout")
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
    func recycle() async {
        try? await eventLoop.flatSubmit { self.reset(reason: "spindown") }.get()
    }

    /// SHUTDOWN `spindown` with Lambda's budget, then SIGTERM and SIGKILL; removes the sandbox.
    public func shutdown() async {
        // Every caller is answered first: the invocation in flight, an init, the queue.
        try? await eventLoop.submit { self.answerCallers(self.move(.shutdown)) }.get()
        await recycle()
        // An environment that never started a process still has its cgroup and namespace.
        try? await eventLoop.submit { self.isolated?.teardown(); self.isolated = nil }.get()
        try? await channel?.close()
        try? FileManager.default.removeItem(at: root)
        reaper?.finish()
        try? await group.shutdownGracefully()
        loopsStopped = true
    }

    // MARK: Init

    /// Init ran past its limit (10 s, or the function's timeout when retried inside an invocation).
    struct InitTimedOut: Error {}

    func coldStart(limitMs: Int64 = LambdaImage.initLimitSeconds * 1000) -> EventLoopFuture<Void> {
        guard lifecycle.state != .shutDown else {
            initFailure = ("Sandbox.Stopped", Array(Self.errorJSON("Sandbox.Stopped", "the local runner stopped before this invocation started")))
            return eventLoop.makeFailedFuture(RunnerError.cannotStart(config.name, "the sandbox was shut down"))
        }
        move(.coldStart)
        let promise = eventLoop.makePromise(of: Void.self)
        initPromise = promise
        initFailure = nil
        initDurationMs = nil
        runtimeReady = false
        registrationOpen = true
        extensions = [:]
        initStart = now()
        peakMemoryKB = 0
        do {
            try prepareFiles()
            if let support = isolationSupport {
                let settings = IsolatedEnvironment.Settings(
                    root: root, task: taskRoot, opt: optRoot, runtimeDir: runtimeDir,
                    nodeModules: config.runtime.family == .node ? root.appendingPathComponent("node_modules") : nil,
                    interpreter: interpreter, isPython: config.runtime.family == .python, memoryMB: config.memoryMB,
                    ephemeralStorageMB: config.ephemeralStorageMB, name: "\(config.name)-\(UUID().uuidString.prefix(8).lowercased())")
                let environment = try IsolatedEnvironment(settings: settings, support: support)
                isolated = environment
                cpuLimited = false
                if let cgroup = environment.cgroup { reaper?.watch(cgroup) }
            }
            // Init Duration starts with the first process, as Lambda's excludes making the environment.
            initStart = now()
            try startExternalExtensions()
            if expectedExternals.isEmpty { try startRuntime() }
        } catch {
            initFailure = ("Runtime.InvalidEntrypoint", Array(Self.errorJSON("Runtime.InvalidEntrypoint", "\(error)")))
            promise.fail(error)
            initPromise = nil
            return promise.futureResult
        }
        // Lambda gives init 10 seconds.
        initTimer = eventLoop.scheduleTask(in: .milliseconds(limitMs)) { [self] in
            guard let pending = initPromise else { return }
            let message = String(format: "Task timed out after %.2f seconds", Double(limitMs) / 1000)
            initFailure = ("Sandbox.Timedout", Array(Self.errorJSON("Sandbox.Timedout", message)))
            initPromise = nil
            pending.fail(InitTimedOut())
        }
        return promise.futureResult
    }

    /// A working copy of the code in task/, the layers merged into opt/.
    func prepareFiles() throws {
        let manager = FileManager.default
        let (code, layers) = try config.shipped?() ?? (config.code, config.layers)
        try? manager.removeItem(at: root)
        try manager.createDirectory(at: root, withIntermediateDirectories: true)
        try manager.copyItem(at: code, to: taskRoot)
        try manager.createDirectory(at: optRoot, withIntermediateDirectories: true)
        for layer in layers {
            try Self.merge(layer, into: optRoot)
        }
        try RuntimeClients.install(into: runtimeDir, modules: root)
        // Lambda's user owns nothing it could write: the code's folder is read-only, so a write fails
        // with EROFS (not EACCES) as on Lambda, where the code's filesystem is read-only.
        if isolationSupport?.namespaces == true { try Self.chownTree(taskRoot, to: LambdaImage.user) }
    }

    static func chownTree(_ folder: URL, to user: (name: String, uid: Int, gid: Int)) throws {
        let uid = uid_t(user.uid), gid = gid_t(user.gid)
        _ = lchown(folder.path, uid, gid)
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return }
        while let relative = walker.nextObject() as? String {
            _ = lchown(folder.path + "/" + relative, uid, gid)
        }
    }

    static func merge(_ source: URL, into destination: URL) throws {
        let manager = FileManager.default
        for name in try manager.contentsOfDirectory(atPath: source.path) {
            let from = source.appendingPathComponent(name), to = destination.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            if manager.fileExists(atPath: to.path, isDirectory: &isDirectory), isDirectory.boolValue,
               (try? manager.destinationOfSymbolicLink(atPath: from.path)) == nil,
               (try? from.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true {
                try merge(from, into: to)
            } else {
                try? manager.removeItem(at: to)
                try manager.copyItem(at: from, to: to)
            }
        }
    }

    func startExternalExtensions() throws {
        let folder = optRoot.appendingPathComponent("extensions")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        expectedExternals = []
        externals = []
        for name in names {
            let path = folder.appendingPathComponent(name).path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            expectedExternals.insert(name)
            let process = try SandboxProcess(name: name, arguments: ["\(insideOpt)/extensions/\(name)"], environment: environment(forExtension: true),
                                             directory: insideOpt, in: isolated, output: logger(type: "extension")) { [weak self] pid, status in
                guard let self else { return }
                eventLoop.execute { self.processExited(pid: pid, name: name, status: status, isRuntime: false) }
            }
            reaper?.watch(process.pid)
            externals.append(process)
        }
    }

    func startRuntime() throws {
        var command: [String]
        switch config.runtime.family {
        case .provided:
            let bootstrap = taskRoot.appendingPathComponent("bootstrap")
            guard FileManager.default.isExecutableFile(atPath: bootstrap.path) else {
                throw RunnerError.cannotStart("bootstrap", "\(config.runtime.identifier) needs an executable bootstrap at the root of the code")
            }
            command = [insideTask + "/bootstrap"]
        case .python, .node:
            let client = config.runtime.family == .python ? "python_ric.py" : "node_ric.mjs"
            command = [isolated?.interpreter ?? interpreter ?? "", insideRuntimeDir + "/" + client]
        default:
            throw RunnerError.unsupportedRuntime(config.runtime.identifier)
        }
        let environment = environment(forExtension: false)
        // AWS_LAMBDA_EXEC_WRAPPER: Lambda runs the wrapper with the runtime's start command as arguments.
        if config.runtime.family != .provided, let wrapper = environment["AWS_LAMBDA_EXEC_WRAPPER"] {
            command.insert(wrapper, at: 0)
        }
        let process = try SandboxProcess(name: "runtime", arguments: command, environment: environment, directory: insideTask,
                                         in: isolated, output: logger(type: "function")) { [weak self] pid, status in
            guard let self else { return }
            eventLoop.execute { self.processExited(pid: pid, name: "runtime", status: status, isRuntime: true) }
        }
        reaper?.watch(process.pid)
        runtime = process
    }

    /// Log lines go to the user and, as `function` or `extension` events, to telemetry subscribers.
    func logger(type: String) -> @Sendable (String) -> Void {
        let log = options.log
        return { [weak self] line in
            log(line)
            guard let self else { return }
            eventLoop.execute {
                self.telemetry.record(type, ["message": line])
                if let invocation = self.current, invocation.extras.tailLog { invocation.log.append(line) }
            }
        }
    }

    /// The variables Lambda sets. Inside a namespace they are Lambda's own paths; on the host,
    /// /var/task and /opt are mapped into the scratch folder and PATH keeps the host's.
    func environment(forExtension: Bool) -> [String: String] {
        let host = ProcessInfo.processInfo.environment
        let isolatedFS = isolated?.hasNamespace == true
        let task = insideTask, opt = insideOpt
        var env: [String: String] = [
            "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:\(port)",
            "AWS_LAMBDA_FUNCTION_NAME": config.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": String(config.memoryMB),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": config.region,
            "AWS_DEFAULT_REGION": config.region,
            "LAMBDA_RUNTIME_DIR": insideRuntimeDir,
            "TZ": ":UTC",
            "LANG": "en_US.UTF-8",
            "PATH": isolatedFS ? LambdaImage.path : "\(opt)/bin:" + (host["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"),
            "LD_LIBRARY_PATH": isolatedFS ? LambdaImage.libraryPath : "\(task):\(task)/lib:\(opt)/lib",
        ]
        for key in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] { env[key] = host[key] }
        // Lambda sets no HOME; on the host, tools that need one keep the user's.
        if !isolatedFS { env["HOME"] = host["HOME"] }
        if !forExtension {
            env["_HANDLER"] = config.handler
            env["LAMBDA_TASK_ROOT"] = task
            env["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/\(config.name)"
            env["AWS_LAMBDA_LOG_STREAM_NAME"] = logStreamName
            if config.runtime.family != .provided { env["AWS_EXECUTION_ENV"] = "AWS_Lambda_\(config.runtime.identifier)" }
            switch config.runtime.family {
            case .python:
                let version = config.runtime.pythonVersion ?? "3"
                var paths = ["\(opt)/python/lib/python\(version)/site-packages", "\(opt)/python"]
                if let sdk = isolated?.pythonSDKFolder { paths.append(sdk) }
                paths.append(insideRuntimeDir)
                env["PYTHONPATH"] = paths.joined(separator: ":")
                env["PYTHONUNBUFFERED"] = "1"
                // The host's user site (~/.local) is not Lambda's.
                env["PYTHONNOUSERSITE"] = "1"
            case .node:
                let major = config.runtime.identifier.dropFirst("nodejs".count).prefix { $0.isNumber }
                env["NODE_PATH"] = "\(opt)/nodejs/node\(major)/node_modules:\(opt)/nodejs/node_modules:\(insideRuntimeDir)/node_modules:\(insideRuntimeDir):\(task)"
            default:
                break
            }
        }
        for (key, value) in config.environment {
            env[key] = isolatedFS ? value : value.replacingOccurrences(of: "/var/task", with: task, options: .anchored)
                .replacingOccurrences(of: "/opt", with: opt, options: .anchored)
        }
        return env
    }

    /// `2025/01/31/[$LATEST]` and 32 hex digits, as Lambda names an environment's log stream.
    var logStreamName: String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy/MM/dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return "\(formatter.string(from: Date()))/[$LATEST]\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
    }

    func checkInitComplete() {
        guard let promise = initPromise, runtimeReady,
              extensions.values.allSatisfy(\.ready), expectedExternals.isSubset(of: Set(extensions.values.map(\.name))) else { return }
        initDurationMs = milliseconds(from: initStart, to: now())
        initTimer?.cancel()
        initPromise = nil
        move(.initSucceeded)
        promise.succeed(())
    }

    func failInit(_ invocation: Invocation) {
        if lifecycle.state == .initializing { move(.initFailed) }
        let failure = initFailure ?? ("Runtime.Unknown", Array(Self.errorJSON("Runtime.Unknown", "init failed")))
        invocation.onResponse(.error(type: failure.type, body: failure.body))
        let elapsed = milliseconds(from: initStart, to: now())
        let record = InvocationRecord(requestId: invocation.id, initDurationMs: elapsed, responseMs: nil, runtimeDoneMs: nil,
                                      extensionsDoneMs: nil, extensionDoneMs: [:], durationMs: elapsed, billedDurationMs: billed(elapsed),
                                      memorySizeMB: config.memoryMB, maxMemoryUsedMB: maxMemoryMB(), frozen: false, error: failure.type,
                                      clientLatencyMs: milliseconds(from: invocation.clientStart, to: now()))
        reset(reason: "failure").whenComplete { _ in invocation.done.succeed(record) }
    }

    // MARK: Invocations

    func begin(_ invocation: Invocation) {
        move(.deliver)
        thawEnvironment()
        if let isolated, !cpuLimited {
            isolated.limitCPU(memoryMB: options.cpuLimit ? config.memoryMB : nil)
            cpuLimited = true
        }
        current = invocation
        telemetry.record("platform.start", ["requestId": invocation.id, "version": "$LATEST"])
        // Thawed: the batches that fell due while frozen go now, the rest when their buffering says
        // (checked every 25 ms, the smallest timeoutMs Lambda allows).
        telemetry.flush()
        if !telemetry.isEmpty, telemetryTimer == nil {
            telemetryTimer = eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(25), delay: .milliseconds(25)) { [weak self] _ in
                guard let self, !self.frozen else { return }
                self.telemetry.flush()
            }
        }
        // A suppressed init has already spent part of the timeout.
        let spent = invocation.suppressedInitStart.map { Int64(milliseconds(from: $0, to: now())) } ?? 0
        let remaining = max(0, Int64(config.timeoutSeconds * 1000) - spent)
        let deadline = Int64(Date().timeIntervalSince1970 * 1000) + remaining
        invocation.deadlineMs = deadline
        invocation.timer = eventLoop.scheduleTask(in: .milliseconds(remaining)) { [weak self] in
            self?.timeOut(invocation)
        }
        for id in extensions.keys where extensions[id]!.events.contains("INVOKE") {
            extensions[id]!.busy = true
            deliver(toExtension: id, [
                "eventType": "INVOKE", "deadlineMs": deadline, "requestId": invocation.id,
                "invokedFunctionArn": config.functionARN,
                "tracing": ["type": "X-Amzn-Trace-Id", "value": traceHeader(invocation)],
            ])
        }
        if let waiter = runtimeWaiter {
            runtimeWaiter = nil
            waiter.succeed(nextResponse(invocation))
        }
    }

    func traceHeader(_ invocation: Invocation) -> String {
        if let header = invocation.traceHeader { return header }
        let header = "Root=1-\(String(Int(Date().timeIntervalSince1970), radix: 16))-\(invocation.id.replacingOccurrences(of: "-", with: "").prefix(24));Parent=\(invocation.id.prefix(8))00000000;Sampled=0"
        invocation.traceHeader = header
        return header
    }

    /// The answer to the runtime's /next: the event, and the clock starts.
    func nextResponse(_ invocation: Invocation) -> APIResponse {
        invocation.deliveredAt = now()
        var headers = [
            ("Lambda-Runtime-Aws-Request-Id", invocation.id),
            ("Lambda-Runtime-Deadline-Ms", String(invocation.deadlineMs)),
            ("Lambda-Runtime-Invoked-Function-Arn", config.functionARN),
            ("Lambda-Runtime-Trace-Id", traceHeader(invocation)),
            ("Content-Type", "application/json"),
        ]
        // Only when it has a value, as Lambda sends it.
        if let clientContext = invocation.extras.clientContext { headers.append(("Lambda-Runtime-Client-Context", clientContext)) }
        return APIResponse(status: .ok, headers: headers, body: invocation.payload)
    }

    func deliver(toExtension id: String, _ event: [String: Any]) {
        guard var state = extensions[id] else { return }
        if let waiter = state.waiter {
            state.waiter = nil
            waiter.succeed(.json(.ok, event))
        } else {
            state.queued.append(event)
        }
        extensions[id] = state
    }

    func respond(_ invocation: Invocation, _ event: ResponseEvent, error: String? = nil) {
        guard invocation.responseAt == nil else { return }
        invocation.responseAt = now()
        if lifecycle.state == .invoking { move(.respond) }
        invocation.error = error
        invocation.onResponse(event)
        // After the client has its answer: reading /proc must not delay it.
        sampleMemory()
    }

    /// The invocation ends when the runtime and every INVOKE-subscribed extension have asked for more.
    func checkInvocationDone() {
        guard let invocation = current, !invocation.finished, invocation.runtimeDoneAt != nil,
              !extensions.values.contains(where: \.busy) else { return }
        if invocation.responseAt == nil {
            respond(invocation, .complete(Array("null".utf8)))
        }
        finish(invocation, frozen: options.freeze)
    }

    /// Measures an invocation that just ended; its times count from the invoke's delivery.
    func record(for invocation: Invocation, timedOut: Bool = false) -> InvocationRecord {
        invocation.finished = true
        invocation.timer?.cancel()
        current = nil
        let start = invocation.suppressedInitStart ?? (invocation.deliveredAt == 0 ? invocation.clientStart : invocation.deliveredAt)
        let extensionTimes = Dictionary(extensions.values.filter { $0.events.contains("INVOKE") && $0.doneAt >= start }
            .map { ($0.name, milliseconds(from: start, to: $0.doneAt)) }, uniquingKeysWith: max)
        let runtimeDone = invocation.runtimeDoneAt.map { milliseconds(from: start, to: $0) }
        let end = timedOut ? config.timeoutSeconds * 1000 : max(runtimeDone ?? 0, extensionTimes.values.max() ?? 0)
        let duration = min(end, config.timeoutSeconds * 1000)
        defer { initDurationMs = nil }
        let memoryUsed = maxMemoryMB()
        var metrics: [String: Any] = ["durationMs": duration, "billedDurationMs": billed(duration), "memorySizeMB": config.memoryMB,
                                      "maxMemoryUsedMB": memoryUsed]
        if let initDurationMs { metrics["initDurationMs"] = initDurationMs }
        telemetry.record("platform.report", [
            "requestId": invocation.id, "metrics": metrics,
            "status": invocation.error == nil ? "success" : (invocation.error == "Sandbox.Timedout" ? "timeout" : "error"),
        ])
        var record = InvocationRecord(
            requestId: invocation.id, initDurationMs: initDurationMs,
            responseMs: invocation.responseAt.map { milliseconds(from: start, to: $0) },
            runtimeDoneMs: runtimeDone, extensionsDoneMs: extensionTimes.values.max(), extensionDoneMs: extensionTimes,
            durationMs: duration, billedDurationMs: billed(duration), memorySizeMB: config.memoryMB, maxMemoryUsedMB: memoryUsed,
            frozen: false, error: invocation.error,
            clientLatencyMs: invocation.responseAt.map { milliseconds(from: invocation.clientStart, to: $0) })
        if invocation.extras.tailLog {
            record.executionLog = (["START RequestId: \(invocation.id) Version: $LATEST"] + invocation.log
                                   + ["END RequestId: \(invocation.id)", record.reportLine]).joined(separator: "\n") + "\n"
        }
        return record
    }

    func finish(_ invocation: Invocation, frozen freeze: Bool) {
        move(.finish(freeze: freeze))
        var result = record(for: invocation)
        if freeze {
            freezeEnvironment()
            result.frozen = true
        }
        invocation.done.succeed(result)
    }

    /// Ends an invocation with an error and resets the environment: the next invocation is cold.
    func abort(_ invocation: Invocation, type: String, message: String, timedOut: Bool = false) {
        respond(invocation, .error(type: type, body: Array(Self.errorJSON(type, message))), error: type)
        invocation.error = type
        // A crash ends the runtime's part of the invocation where it happened.
        if invocation.runtimeDoneAt == nil, invocation.deliveredAt != 0 { invocation.runtimeDoneAt = now() }
        // Measured before the reset, which kills the processes whose memory it reports.
        let result = record(for: invocation, timedOut: timedOut)
        reset(reason: timedOut ? "timeout" : "failure").whenComplete { _ in invocation.done.succeed(result) }
    }

    func timeOut(_ invocation: Invocation) {
        guard !invocation.finished else { return }
        let message = "Task timed out after \(String(format: "%.2f", config.timeoutSeconds)) seconds"
        options.log("\(invocation.id) \(message)")
        abort(invocation, type: "Sandbox.Timedout", message: message, timedOut: true)
    }

    func processExited(pid: pid_t, name: String, status: Int32, isRuntime: Bool) {
        let description = SandboxProcess.describe(status)
        // By pid: a process of an environment already reset may share a name with one of this one.
        let stillOurs = isRuntime ? runtime?.pid == pid : externals.contains { $0.pid == pid }
        guard stillOurs else { return }
        options.log("\(isRuntime ? "runtime" : "extension \(name)") exited: \(description)")
        if let pending = initPromise {
            let type = isRuntime ? "Runtime.ExitError" : "Extension.Crash"
            if initFailure == nil {
                initFailure = (type, Array(Self.errorJSON(type, isRuntime ? "Runtime exited with error: \(description)" : "Extension \(name) exited with error: \(description)")))
            }
            initPromise = nil
            initTimer?.cancel()
            pending.fail(RunnerError.cannotStart(name, description))
            return
        }
        guard let invocation = current, !invocation.finished else {
            // Died between invocations: the next invocation starts cold.
            _ = reset(reason: "failure")
            return
        }
        if isRuntime {
            // Killed by the kernel for going over MemorySize: Lambda's out-of-memory error.
            let outOfMemory = (isolated?.cgroup?.outOfMemoryKills ?? 0) > 0
            if outOfMemory { peakMemoryKB = max(peakMemoryKB, config.memoryMB * 1024) }
            abort(invocation, type: outOfMemory ? "Runtime.OutOfMemory" : "Runtime.ExitError",
                  message: "RequestId: \(invocation.id) Error: Runtime exited with error: \(description)")
        } else {
            abort(invocation, type: "Extension.Crash", message: "RequestId: \(invocation.id) Error: extension \(name) exited with error: \(description)")
        }
    }

    /// Ends the environment: SHUTDOWN to subscribed extensions within Lambda's budget (500 ms with
    /// internal extensions only, 2,000 ms with an external one), SIGTERM to the runtime, then SIGKILL.
    func reset(reason: String) -> EventLoopFuture<Void> {
        // Whoever still waits on this environment is answered before it ends.
        answerCallers(move(.reset))
        guard runtime != nil || !externals.isEmpty else {
            isolated?.teardown()
            isolated = nil
            move(.resetDone)
            return eventLoop.makeSucceededFuture(())
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
                environment?.teardown()
                promise.succeed(())
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

    /// Peak memory of the environment's processes; sampled at each response and each end of
    /// invocation, so a process that has since exited still counts.
    var peakMemoryKB = 0

    func sampleMemory() {
        // The processes' peak resident sets (shared libraries included, as Lambda's figure has them),
        // or the cgroup's peak when higher: it also counts children and what exited.
        let resident = ([runtime].compactMap { $0 } + externals).reduce(0) { $0 + $1.peakMemoryKB }
        let kilobytes = max(resident, (isolated?.cgroup?.peakBytes ?? 0) / 1024)
        peakMemoryKB = max(peakMemoryKB, kilobytes)
    }

    /// Stops every process of the environment: through the cgroup freezer, invisibly and for every
    /// process (new sessions included); by SIGSTOP to each process group where there is no cgroup.
    func freezeEnvironment() {
        guard !frozen else { return }
        if let cgroup = isolated?.cgroup {
            cgroup.freeze()
        } else {
            runtime?.freeze()
            externals.forEach { $0.freeze() }
        }
        frozen = true
    }

    func thawEnvironment() {
        guard frozen else { return }
        if let cgroup = isolated?.cgroup {
            cgroup.thaw()
        } else {
            runtime?.thaw()
            externals.forEach { $0.thaw() }
        }
        frozen = false
    }

    func maxMemoryMB() -> Int {
        sampleMemory()
        return Int((Double(peakMemoryKB) / 1024).rounded(.up))
    }
}

/// Monotonic nanoseconds.
func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
func milliseconds(from start: UInt64, to end: UInt64) -> Double { Double(end &- start) / 1_000_000 }
