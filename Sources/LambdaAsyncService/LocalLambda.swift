import Foundation
import LambdaAsyncEnvironment
import LambdaAsyncCore
import LambdaAsyncProject
import NIOCore
import NIOHTTP1
import NIOPosix

/// `serve`: every function of a project behind Lambda's Invoke API and their function URLs, with
/// asynchronous invocation (queue, retries, destinations) and per-function concurrency.
/// @unchecked Sendable: its tables are filled in init and only read after `started` is claimed (under
/// a lock, so the writes are visible); requests before that are refused.
public final class LocalLambda: ServeRouter, @unchecked Sendable {
    public struct Function: Sendable {
        public var config: FunctionConfig
        public var maximumRetryAttempts = 2
        public var maximumEventAgeSeconds = 21_600
        /// Logical IDs (or ARNs) of the destinations.
        public var onSuccess: String?
        public var onFailure: String?
        /// Set when the function has a URL.
        public var url: SAMTemplate.FunctionURLConfig?
        /// `ReservedConcurrentExecutions`: the function's own limit (0 throttles every call).
        public var reservedConcurrency: Int?
        /// Its API Gateway routes (`HttpApi` and `Api` events), served on the same port.
        public var apiRoutes: [SAMTemplate.ApiRoute] = []
        /// Tenant isolation (`TenancyConfig` PER_TENANT): every call names a tenant (`X-Amz-Tenant-Id`),
        /// and a tenant's invocations run only in environments of that tenant.
        public var perTenant = false
        /// `DurableConfig`: its invocations start durable executions (nil: a plain function).
        public var durable: DurableSettings?
        /// Its aliases (SAM's `AutoPublishAlias`): a qualified call names one, a version, or `$LATEST`.
        public var aliases: [String] = []

        public init(config: FunctionConfig) { self.config = config }
    }

    public struct Options: Sendable {
        public var host = "127.0.0.1"
        public var port = 0
        /// Environments per function at most; nil: as Lambda, the account's 1,000 capped by what this
        /// machine can hold (half its memory in environments of the function's size).
        public var concurrency: Int?
        /// Scales Lambda's retry delays (about 1 and 2 minutes).
        public var retryDelayScale = 0.01
        /// Every execution environment's own options (freezing, isolation, CPU limit, credentials);
        /// its log and records go through this service's `log` and `onRecord`.
        public var environment = Sandbox.Options()
        /// Watch each function's code and layers; after an edit, its next invocation starts cold
        /// from the new code, as after a deployment.
        public var reloadOnChange = true
        /// How often the code is looked at for changes.
        public var reloadInterval: TimeInterval = 1
        /// `AWS_ENDPOINT_URL` for the functions: their calls to other services go to this emulator
        /// (moto's server, LocalStack); Lambda calls still come here. Nil: they come here too, and
        /// are refused at once with what to do (nothing reaches a public endpoint), unless the
        /// functions were given the shell's credentials (`environment.hostCredentials`).
        public var endpointURL: String?
        /// Sends a destination record to the project's queue, topic or bucket (logical ID or ARN) in
        /// the local AWS; where it went, or nil when it has no home there (the record goes to a file).
        public var deliverToResource: (@Sendable (String, [UInt8]) async -> String?)?
        /// Each API's CORS and stage variables, from the template.
        public var apiCors: [SAMTemplate.ApiRoute.Kind: SAMTemplate.FunctionURLConfig.CORS] = [:]
        public var stageVariables: [SAMTemplate.ApiRoute.Kind: [String: String]] = [:]
        /// The REST API's binary media types (SAMTemplate.binaryMediaTypes).
        public var binaryMediaTypes: [String] = []
        /// Each API's Lambda authorizers and default one (SAMTemplate.lambdaAuthorizers, defaultAuthorizers).
        public var lambdaAuthorizers: [SAMTemplate.ApiRoute.Kind: [String: SAMTemplate.LambdaAuthorizer]] = [:]
        public var defaultAuthorizers: [SAMTemplate.ApiRoute.Kind: String] = [:]
        /// Checks the SigV4 signature of requests to AWS_IAM URLs and routes (the CLI checks them against
        /// the credentials serve was started with); nil takes any signature for the service.
        public var checkSignature: (@Sendable (SignedRequest) -> SignatureCheck)?
        /// What clients are allowed: request and idle timeouts, open connections.
        public var clients = ClientLimits()
        /// An environment free for this long is shut down, as Lambda reclaims idle ones; 0 keeps them.
        public var idleTimeout: TimeInterval = 600
        /// Destination records for targets that are not functions of the project.
        public var destinations: URL
        /// Where each function's asynchronous queue is kept (a folder per function), so that events
        /// accepted survive a crash and run after the restart; nil keeps them in memory.
        public var queueFolder: URL?
        public var log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        /// A one-line summary of each invocation in the log (`invoke --listen` prints its timeline instead).
        public var logRecords = true
        /// Every invocation's record, with the function's name, whoever invoked it.
        public var onRecord: @Sendable (String, InvocationRecord) -> Void = { _, _ in }
        public init(destinations: URL) { self.destinations = destinations }
    }

    let options: Options
    /// The process's one event loop group, the sandboxes' too.
    private let group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    private var channel: Channel?
    public private(set) var port = 0
    private(set) var functions: [String: Function] = [:]
    private(set) var pools: [String: FunctionPool] = [:]
    private(set) var queues: [String: AsyncInvocations] = [:]
    /// The environments of functions with tenant isolation, per tenant.
    private(set) var tenants = TenantPools(factories: [:])
    private var watcher: Task<Void, Never>?
    private var idleReaper: Task<Void, Never>?
    /// Each function's variables as the project sets them, before serve adds its own.
    private(set) var declaredEnvironment: [String: [String: String]] = [:]

    /// Every function's API Gateway routes.
    private(set) var apiRoutes: [(function: String, route: SAMTemplate.ApiRoute)] = []

    /// The durable executions' control plane, once the CLI started it (it needs this server's port).
    let durableBackend = Locked<DurableBackend?>(nil)
    /// This run's function logs, for CloudWatch Logs' FilterLogEvents at this port.
    let logs = FunctionLogs()

    /// Claimed once the tables are filled.
    private let started = OnceFlag()

    public init(functions: [Function], options: Options) throws {
        self.options = options
        // One function (`invoke --listen`, a one-function project): the Invoke API and its environments
        // share one event loop, so a warm call never crosses threads (the runner's own work per call is
        // a fraction of a millisecond; the functions run in their own processes). Otherwise the
        // connections and the environments spread over the group's loops, one per core.
        let sharedLoop = functions.count == 1 ? group.next() : nil
        let channel = try ServeServer.start(router: self, group: sharedLoop ?? group, host: options.host, port: options.port,
                                            limits: options.clients)
        self.channel = channel
        port = channel.localAddress?.port ?? options.port
        let endpoint = "http://127.0.0.1:\(port)"
        var tenantFactories: [String: @Sendable () -> FunctionPool] = [:]
        for var function in functions {
            declaredEnvironment[function.config.name] = function.config.environment
            // The project's functions call each other through this server, with the SDK they already use.
            function.config.environment["AWS_ENDPOINT_URL_LAMBDA"] = endpoint
            if let url = options.endpointURL ?? (options.environment.hostCredentials ? nil : endpoint) {
                function.config.environment["AWS_ENDPOINT_URL"] = function.config.environment["AWS_ENDPOINT_URL"] ?? url
            }
            let name = function.config.name
            self.functions[name] = function
            apiRoutes += function.apiRoutes.map { (name, $0) }
            var sandboxOptions = options.environment
            sandboxOptions.eventLoop = sharedLoop
            sandboxOptions.log = options.log
            // What CloudWatch Logs would get: the function's lines and each REPORT, in its log group.
            let group = function.config.logGroup ?? "/aws/lambda/\(name)", stream = FunctionLogs.streamName(), logs = self.logs
            logs.declare(group: group)
            sandboxOptions.onOutput = { line in logs.add(group: group, stream: stream, line: line) }
            let log = options.log
            let onRecord = options.onRecord
            let logRecords = options.logRecords
            sandboxOptions.onRecord = { record in
                logs.add(group: group, stream: stream, line: record.reportLine)
                onRecord(name, record)
                guard logRecords else { return }
                let billing = record.managedInstances.map { managed in
                    "billed per instance" + (managed.overlapping > 0 ? ", \(managed.overlapping) other(s) running beside it" : "")
                        + (managed.timeoutNotEnforced ? ", timed out and ran on (not enforced)" : "")
                } ?? "billed \(record.billedDurationMs) ms"
                log("\(name) \(record.requestId) \(String(format: "%.1f", record.durationMs)) ms \(billing)"
                    + (record.initDurationMs.map { String(format: ", init %.1f ms", $0) } ?? "")
                    + (record.responseMs.map { String(format: ", response after %.1f ms", $0) } ?? "")
                    + (record.error.map { ", error \($0)" } ?? "")
                    + (record.interrupted ? ", interrupted: the work after the response was cut off" : ""))
            }
            let (limit, reserved) = Self.environmentLimit(for: function, requested: options.concurrency)
            let pool = FunctionPool(config: function.config, concurrency: limit, reserved: reserved, options: sandboxOptions)
            pools[name] = pool
            if function.perTenant {
                let config = function.config, sandboxOptions = sandboxOptions
                tenantFactories[name] = { FunctionPool(config: config, concurrency: limit, reserved: reserved, options: sandboxOptions) }
            }
            queues[name] = AsyncInvocations(
                functionName: name, functionARN: function.config.functionARN,
                maximumRetryAttempts: function.maximumRetryAttempts, maximumEventAge: TimeInterval(function.maximumEventAgeSeconds),
                onSuccess: destination(function.onSuccess), onFailure: destination(function.onFailure),
                retryDelayScale: options.retryDelayScale, concurrency: limit,
                store: options.queueFolder.map { EventStore(folder: $0.appendingPathComponent(name)) },
                invoke: { payload, requestId in
                    let collected = Collected()
                    let extras = Sandbox.InvocationExtras(requestId: requestId)
                    // Lambda queues asynchronous events until an environment is free: they wait, never throttled.
                    let record = try await pool.invoke(payload, extras: extras, waitWhenBusy: true) { collected.add($0) }
                    return (record, collected.bytes)
                },
                deliver: { [weak self] destination, record in await self?.deliver(record, to: destination) },
                log: options.log)
        }
        tenants = TenantPools(factories: tenantFactories)
        if options.reloadOnChange { watcher = watchCode() }
        if options.idleTimeout > 0 { idleReaper = reapIdleEnvironments() }
        _ = started.claim()
        // What an earlier run accepted and did not settle (it stopped or crashed) runs now.
        for (name, queue) in queues {
            let log = options.log
            Task {
                let count = await queue.resumeStored()
                if count > 0 { log("\(name): \(count) asynchronous event(s) accepted by an earlier run and not settled run now (at least once)") }
            }
        }
    }

    /// How many environments a function may have at once, and whether that is its reserved concurrency.
    public static func environmentLimit(for function: Function, requested: Int?) -> (limit: Int, reserved: Bool) {
        if let reserved = function.reservedConcurrency { return (min(reserved, requested ?? reserved), true) }
        if let requested { return (requested, false) }
        // Half of this machine's memory in environments of the function's size, at most the account's quota.
        let fits = Int(ProcessInfo.processInfo.physicalMemory / 2 / UInt64(max(1, function.config.memoryMB) * LambdaQuotas.mebibyte))
        return (max(1, min(LambdaQuotas.accountConcurrentExecutions, fits)), false)
    }

    private func destination(_ target: String?) -> AsyncInvocations.Destination? {
        guard let target else { return nil }
        let name = target.split(separator: ":").last.map(String.init) ?? target
        if functions[name] != nil || target.contains(":function:") { return .function(name) }
        return .resource(target, file: options.destinations.appendingPathComponent("\(name).jsonl"))
    }

    private func deliver(_ record: [UInt8], to destination: AsyncInvocations.Destination) async {
        switch destination {
        case .function(let name):
            if let queue = queues[name] { _ = await queue.enqueue(record) }
        case .resource(let target, let url):
            let context = ((try? JSONSerialization.jsonObject(with: Data(record))) as? [String: Any])?["requestContext"] as? [String: Any]
            let what = "destination record (\(context?["condition"] as? String ?? "?"), request \(context?["requestId"] as? String ?? "?"))"
            if let deliver = options.deliverToResource, let landed = await deliver(target, record) {
                options.log("\(what) sent to \(landed)")
                return
            }
            try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            JSONLines.append(Data(record), to: url)
            // Said where it went: the template's queue or topic has no local home, the file stands in for it.
            options.log("\(what) appended to \(DisplayPath.relative(url.path))")
        }
    }

    /// Invokes a function in-process, as a RequestResponse call would.
    public func invoke(_ name: String, payload: [UInt8], tenantId: String? = nil,
                       onResponse: @escaping @Sendable (ResponseEvent) -> Void = { _ in }) async throws -> InvocationRecord {
        switch choosePool(name, tenant: tenantId) {
        case .pool(let pool)?:
            return try await pool.invoke(payload, extras: Sandbox.InvocationExtras(tenantId: tenantId), waitWhenBusy: true, onResponse: onResponse)
        case .refused(let reason)?:
            throw RunnerError.server("InvalidParameterValueException: \(reason)")
        case nil:
            throw RunnerError.server("no function \(name) in this project")
        }
    }

    /// Whether calls to `name` must name a tenant.
    public func isPerTenant(_ name: String) -> Bool { tenants.isPerTenant(name) }

    /// Returns once no asynchronous event is queued or running, for at most `timeout` seconds.
    public func waitUntilIdle(timeout: TimeInterval = 60) async {
        let queues = Array(self.queues.values)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // One queue's last event may queue another's (a destination function): until all are idle at once.
                while true {
                    for queue in queues { await queue.idle() }
                    var busy = false
                    for queue in queues where await queue.isBusy { busy = true }
                    if !busy { return }
                }
            }
            group.addTask { try? await Task.sleep(nanoseconds: UInt64(timeout * 1_000_000_000)) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Stops serving: every sandbox gets SHUTDOWN; returns, per function, the asynchronous events still
    /// queued (kept on disk for the next run with `queueFolder`, dropped without).
    public func stop() async -> [String: Int] {
        // A reload in progress ends before the sandboxes it recycles are shut down.
        watcher?.cancel()
        await watcher?.value
        idleReaper?.cancel()
        await idleReaper?.value
        var dropped: [String: Int] = [:]
        for (name, queue) in queues {
            let count = await queue.stop()
            if count > 0 { dropped[name] = count }
        }
        try? await channel?.close()
        for pool in Array(pools.values) + tenants.all() { await pool.shutdown() }
        await ResponseWriter.drain()
        return dropped
    }

    // MARK: HTTP

    func handle(method: HTTPMethod, uri: String, headers: HTTPHeaders, body: [UInt8], writer: ResponseWriter) {
        // The server listens before the tables are filled (they need its port): nothing is read before then.
        guard started.isClaimed else {
            return refuse(writer, .serviceUnavailable, "ServiceException", "lambda-async serve is still starting; try again")
        }
        // A function's call to another AWS service (AWS_ENDPOINT_URL points here when there is no local
        // AWS): refused at once, said why, rather than sent to AWS's public endpoint.
        if let service = Self.signedService(headers), !["lambda", "execute-api"].contains(service) {
            // CloudWatch Logs: what this run's functions wrote.
            if service == "logs" { return logsAPI(headers: headers, body: body, writer: writer) }
            return refuseService(service, headers: headers, writer: writer)
        }
        let (path, query) = uri.firstIndex(of: "?").map { (String(uri[..<$0]), String(uri[uri.index(after: $0)...])) } ?? (uri, "")
        let parts = path.split(separator: "/").map(String.init)
        if parts.first == "2025-12-01" {
            // The durable-execution operations (checkpoint, state, history, callbacks, stop, list).
            durableAPI(method: method, uri: uri, headers: headers, body: body, writer: writer)
        } else if method == .POST, parts.count == 4, parts[0] == "2015-03-31", parts[1] == "functions", parts[3] == "invocations" {
            let target = parts[2].removingPercentEncoding ?? parts[2]
            if refusedQualifier(target, query: query, writer) { return }
            invokeAPI(target, headers: headers, body: body, writer: writer)
        } else if method == .POST, parts.count == 4, parts[0] == "2014-11-13", parts[1] == "functions", parts[3] == "invoke-async" {
            invokeAsync(parts[2].removingPercentEncoding ?? parts[2], body: body, writer: writer)
        } else if method == .POST, parts.count == 4, parts[0] == "2021-11-15", parts[1] == "functions", parts[3] == "response-streaming-invocations" {
            let target = parts[2].removingPercentEncoding ?? parts[2]
            if refusedQualifier(target, query: query, writer) { return }
            invokeWithResponseStream(target, headers: headers, body: body, writer: writer)
        } else if method == .GET, parts.count >= 2, parts.count <= 4, parts[0] == "2015-03-31", parts[1] == "functions",
                  parts.count != 4 || parts[3] == "configuration" {
            functionsAPI(parts.dropFirst(2).map { $0.removingPercentEncoding ?? $0 }, writer: writer)
        } else if let cors = apiPreflight(method: method.rawValue, path: path, headers: headers) {
            // API Gateway answers a browser's preflight itself, from the API's CORS, before any route or auth.
            writer.send(200, cors.preflightHeaders(headers.map { ($0.name, $0.value) }), [])
        } else if let match = APIGateway.match(method: method.rawValue, path: path, routes: apiRoutes) {
            apiGateway(match, method: method.rawValue, path: path, query: query, headers: headers, body: body, writer: writer)
        } else if parts.count >= 2, parts[0] == "urls" {
            let rest = "/" + parts.dropFirst(2).joined(separator: "/") + (path.hasSuffix("/") && parts.count > 2 ? "/" : "")
            functionURL(parts[1], method: method.rawValue, path: rest, signedPath: path, query: query, headers: headers, body: body, writer: writer)
        } else {
            let response = APIResponse.serviceError(.notFound, "ResourceNotFoundException",
                "\(method) \(path): serve answers POST /2015-03-31/functions/NAME/invocations, GET /2015-03-31/functions[/NAME[/configuration]] , /urls/NAME/... for functions with a URL, and the routes of the functions' HttpApi and Api events (none matched)")
            writer.send(Int(response.status.code), response.headers, response.body)
        }
    }
}
