import Foundation
import LambdaAsyncEnvironment
import LambdaAsyncCore
import LambdaAsyncProject
import NIOCore
import NIOHTTP1

/// Lambda's Invoke API on serve's port (shared by `invoke --listen`): Invoke (RequestResponse, Event,
/// DryRun), InvokeWithResponseStream, the function lookups, throttles and refusals.
extension LocalLambda {
    /// `ListFunctions`, `GetFunction` and `GetFunctionConfiguration`, so tools that look a function
    /// up (or wait for it to be Active) before invoking it work too.
    func functionsAPI(_ rest: [String], writer: ResponseWriter) {
        let response: APIResponse
        if rest.isEmpty {
            response = .json(.ok, ["Functions": functions.keys.sorted().map { configuration(of: $0) }])
        } else if functions[functionName(rest[0])] == nil {
            response = .serviceError(.notFound, "ResourceNotFoundException",
                                     "Function not found: \(rest[0]); this project has \(functions.keys.sorted().joined(separator: ", "))")
        } else if rest.count == 2 {
            response = .json(.ok, configuration(of: functionName(rest[0])))
        } else {
            let name = functionName(rest[0])
            response = .json(.ok, ["Configuration": configuration(of: name),
                                   "Code": ["RepositoryType": "S3", "Location": functions[name]!.config.code.absoluteString]])
        }
        writer.send(Int(response.status.code), response.headers, response.body)
    }

    func configuration(of name: String) -> [String: Any] {
        let config = functions[name]!.config
        return [
            "FunctionName": name, "FunctionArn": config.functionARN, "Runtime": config.runtime.identifier,
            "Handler": config.handler, "MemorySize": config.memoryMB, "Timeout": Int(config.timeoutSeconds),
            "Environment": ["Variables": declaredEnvironment[name] ?? [:]], "Version": "$LATEST", "PackageType": "Zip",
            "State": "Active", "LastUpdateStatus": "Successful",
        ]
    }

    func refuse(_ writer: ResponseWriter, _ status: HTTPResponseStatus, _ type: String, _ message: String) {
        let response = APIResponse.serviceError(status, type, message)
        writer.send(Int(status.code), response.headers, response.body)
    }

    /// Lambda's throttle: 429 `TooManyRequestsException` with its `Reason`, which the SDKs retry with backoff.
    func throttle(_ writer: ResponseWriter, _ pool: FunctionPool, _ throttled: FunctionPool.Throttled? = nil) {
        let reason = (throttled ?? pool.throttled).reason
        let response = APIResponse.json(.tooManyRequests, ["Type": "User", "message": "Rate Exceeded.", "Reason": reason],
                                        headers: [("X-Amzn-ErrorType", "TooManyRequestsException")])
        writer.send(Int(response.status.code), response.headers, response.body)
    }

    /// Whether the local runner can run functions of this runtime (Python, Node.js, custom runtimes).
    public static func runsLocally(_ runtime: LambdaRuntime) -> Bool {
        [.provided, .python, .node].contains(runtime.family)
    }

    /// A function of a runtime the runner cannot run (java21, dotnet8, ruby3.4) is listed but refused
    /// with a 400 the SDKs do not retry (a 5xx would be retried for seconds), saying what to do.
    func refusedAsNotRunnable(_ name: String, _ writer: ResponseWriter) -> Bool {
        guard let runtime = functions[name]?.config.runtime, !Self.runsLocally(runtime) else { return false }
        refuse(writer, .badRequest, "InvalidRuntimeException",
               "\(name) uses \(runtime.identifier), which lambda-async's local runner cannot run (it runs python3.*, nodejs* and provided.* functions); test it with its language's own tools or deploy it")
        return true
    }

    /// A function name, a partial ARN or a full ARN, as the Invoke API takes them.
    func functionName(_ target: String) -> String {
        let parts = target.split(separator: ":")
        if let index = parts.firstIndex(of: "function"), index + 1 < parts.count { return String(parts[index + 1]) }
        // NAME:QUALIFIER
        if parts.count == 2 { return String(parts[0]) }
        return target
    }

    /// A qualified call (`?Qualifier=`, or `NAME:QUALIFIER` in the name or ARN) to a version or alias the
    /// function does not have: Lambda answers 404, and so does the runner, rather than run the code under
    /// a qualifier no deploy would make. Known: `$LATEST`, the template's `AutoPublishAlias`, and, for a
    /// function that has one, a version number (every version runs the project's code here).
    func refusedQualifier(_ target: String, query: String, _ writer: ResponseWriter) -> Bool {
        let name = functionName(target)
        guard let function = functions[name] else { return false }
        let fromQuery = query.split(separator: "&").first { $0.hasPrefix("Qualifier=") }
            .map { String($0.dropFirst("Qualifier=".count)).removingPercentEncoding ?? String($0.dropFirst("Qualifier=".count)) }
        let parts = target.split(separator: ":").map(String.init)
        let fromName: String? = {
            if let index = parts.firstIndex(of: "function") { return index + 2 < parts.count ? parts[index + 2] : nil }
            return parts.count == 2 ? parts[1] : nil
        }()
        guard let qualifier = fromQuery ?? fromName, qualifier != "$LATEST", !function.aliases.contains(qualifier),
              function.aliases.isEmpty || !qualifier.allSatisfy(\.isNumber) else { return false }
        let known = (["$LATEST"] + function.aliases + (function.aliases.isEmpty ? [] : ["a version number"])).joined(separator: ", ")
        refuse(writer, .notFound, "ResourceNotFoundException",
               "Function not found: \(name):\(qualifier); \(name) has \(known) (AutoPublishAlias in template.yaml makes an alias)")
        return true
    }

    func unknown(_ target: String, _ writer: ResponseWriter) {
        refuse(writer, .notFound, "ResourceNotFoundException",
               "Function not found: \(target); this project has \(functions.keys.sorted().joined(separator: ", "))")
    }

    /// The legacy `InvokeAsync` API (`POST /2014-11-13/functions/NAME/invoke-async/`), which the SDKs
    /// still carry: an asynchronous invocation with its old 256 KB limit, answered `{"Status": 202}`.
    func invokeAsync(_ target: String, body: [UInt8], writer: ResponseWriter) {
        let name = functionName(target)
        guard pools[name] != nil, let queue = queues[name] else { return unknown(target, writer) }
        if refusedAsNotRunnable(name, writer) || refusedAsDurableElsewhere(name, door: "the legacy InvokeAsync API", writer) { return }
        guard body.count <= LambdaQuotas.legacyInvokeAsyncPayloadBytes else {
            return refuse(writer, .payloadTooLarge, "RequestTooLargeException",
                          "Request must be smaller than \(LambdaQuotas.legacyInvokeAsyncPayloadBytes) bytes for the InvokeAsync operation (Invoke with InvocationType Event takes \(LambdaQuotas.asyncPayloadBytes))")
        }
        if let problem = InvokePayload.problem(body) { return refuse(writer, .badRequest, "InvalidRequestContentException", problem) }
        Task {
            let id = await queue.enqueue(body)
            writer.send(202, [("Content-Type", "application/json"), ("X-Amzn-RequestId", id)], Array(#"{"Status":202}"#.utf8))
        }
    }

    /// `InvokeWithResponseStream`: the function's bytes as PayloadChunk events as they come, then InvokeComplete.
    func invokeWithResponseStream(_ target: String, headers: HTTPHeaders, body: [UInt8], writer: ResponseWriter) {
        guard pools[functionName(target)] != nil else { return unknown(target, writer) }
        if refusedAsNotRunnable(functionName(target), writer)
            || refusedAsDurableElsewhere(functionName(target), door: "InvokeWithResponseStream", writer) { return }
        guard let pool = pool(for: target, headers: headers, writer: writer) else { return }
        let tenant = tenants.isPerTenant(functionName(target)) ? headers.first(name: "X-Amz-Tenant-Id") : nil
        guard body.count <= LambdaQuotas.bufferedPayloadBytes else {
            return refuse(writer, .payloadTooLarge, "RequestTooLargeException", "Request must be smaller than \(LambdaQuotas.bufferedPayloadBytes) bytes")
        }
        if let problem = InvokePayload.problem(body) { return refuse(writer, .badRequest, "InvalidRequestContentException", problem) }
        if pool.wouldThrottle { return throttle(writer, pool) }
        writer.head(200, [("Content-Type", "application/vnd.amazon.eventstream"), ("X-Amz-Executed-Version", "$LATEST")])
        // The stream goes no faster than its client reads it.
        let flow = StreamFlow()
        writer.follow(flow)
        Task {
            let ended = OnceFlag()
            do {
                _ = try await pool.invoke(body, extras: Sandbox.InvocationExtras(flow: flow, tenantId: tenant), waitWhenBusy: true) { event in
                    switch event {
                    case .chunk(let bytes):
                        if !bytes.isEmpty { writer.chunk(EventStream.chunk(bytes)) }
                    case .complete(let bytes):
                        if !bytes.isEmpty { writer.chunk(EventStream.chunk(bytes)) }
                        if ended.claim() { writer.chunk(EventStream.complete()); writer.end() }
                    case .error(let type, let errorBody):
                        if ended.claim() {
                            writer.chunk(EventStream.complete(errorCode: type, errorDetails: String(decoding: errorBody, as: UTF8.self)))
                            writer.end()
                        }
                    }
                }
            } catch {
                if ended.claim() { writer.chunk(EventStream.complete(errorCode: "ServiceException", errorDetails: "\(error)")); writer.end() }
            }
        }
    }

    func invokeAPI(_ target: String, headers: HTTPHeaders, body: [UInt8], writer: ResponseWriter) {
        let name = functionName(target)
        guard pools[name] != nil, let queue = queues[name] else { return unknown(target, writer) }
        if refusedAsNotRunnable(name, writer) || refusedAsDurable(name, writer) { return }
        // A caller's call starts a durable execution; the control plane's own (a replay) runs the handler once.
        if isDurable(name), headers.first(name: Self.handlerInvocationHeader) != "true" {
            return startDurableExecution(name, headers: headers, body: body, writer: writer)
        }
        guard let pool = pool(for: target, headers: headers, writer: writer) else { return }
        let tenant = tenants.isPerTenant(name) ? headers.first(name: "X-Amz-Tenant-Id") : nil
        switch InvokeRequest.parse(headers: headers, body: body) {
        case .failure(let error):
            writer.send(Int(error.response.status.code), error.response.headers, error.response.body)
        case .success(.dryRun):
            writer.send(204, [], [])
        case .success(.event) where tenant != nil:
            // Not reproduced: the local asynchronous queue keeps no tenant with its events.
            refuse(writer, .badRequest, "InvalidParameterValueException",
                   "lambda-async runs asynchronous (Event) invocations of per-tenant functions on Lambda only, not locally: invoke \(name) with RequestResponse here")
        case .success(.event):
            Task {
                let id = await queue.enqueue(body)
                writer.send(202, [("X-Amzn-RequestId", id)], [])
            }
        case .success(.requestResponse(let asked)):
            var withTenant = asked
            withTenant.tenantId = tenant
            // The request id the answer carries (X-Amzn-RequestId) is the invocation's, as on Lambda.
            let requestId = asked.requestId ?? UUID().uuidString.lowercased()
            withTenant.requestId = requestId
            let extras = withTenant
            // Futures from here to the answer: a warm call never waits for a cooperative-pool thread.
            let collected = Collected()
            let answered = OnceFlag()
            let completed = OnceFlag()
            pool.submit(body, extras: extras, waitWhenBusy: false) { event in
                switch event {
                case .chunk(let bytes): collected.add(.chunk(bytes))
                case .complete(let bytes):
                    collected.add(.complete(bytes))
                    _ = completed.claim()
                    if !extras.tailLog, answered.claim() { writer.send(200, InvokeRequest.answerHeaders(functionError: false, requestId: requestId), collected.bytes) }
                case .error(let type, let errorBody):
                    collected.add(.error(type: type, body: errorBody))
                    if !extras.tailLog, answered.claim() { writer.send(200, InvokeRequest.answerHeaders(functionError: true, requestId: requestId), errorBody) }
                }
            }.whenComplete { [self] result in
                switch result {
                case .success(let record):
                    // With the log's tail, the answer waits for its REPORT line, at the invocation's end.
                    if extras.tailLog, answered.claim() {
                        let failed = completed.claim() // still unclaimed: the function never completed
                        writer.send(200, InvokeRequest.answerHeaders(functionError: failed, requestId: requestId) + InvokeRequest.logResultHeader(record), collected.bytes)
                    }
                case .failure(let throttled as FunctionPool.Throttled):
                    if answered.claim() { throttle(writer, pool, throttled) }
                case .failure(RunnerError.stopped):
                    // As the sandbox answers an invocation it had queued: a function error, not a 5xx to retry.
                    if answered.claim() {
                        writer.send(200, InvokeRequest.answerHeaders(functionError: true),
                                    Array(Sandbox.errorJSON("Sandbox.Stopped", RunnerError.stopped.description)))
                    }
                case .failure(let error):
                    if answered.claim() { refuse(writer, .internalServerError, "ServiceException", "\(error)") }
                }
            }
        }
    }
}
