import Foundation
import LambdaAsyncCore
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// The Runtime, Extensions and Telemetry APIs a sandbox serves on loopback (the Invoke API is
/// `LocalLambda`'s, for `serve` and `invoke --listen` alike). Every call arrives on the sandbox's event loop.
extension Sandbox {
    func handle(method: HTTPMethod, path: String, headers: HTTPHeaders, body: [UInt8]) -> EventLoopFuture<APIResponse> {
        let parts = path.split(separator: "?").first.map { $0.split(separator: "/").map(String.init) } ?? []
        switch (method, parts.first, parts.dropFirst().first) {
        case (_, "2018-06-01", "runtime"):
            return runtimeAPI(method, Array(parts.dropFirst(2)), headers, body)
        case (_, "2020-01-01", "extension"):
            return extensionsAPI(method, Array(parts.dropFirst(2)), headers, body)
        case (.PUT, "2022-07-01", "telemetry"), (.PUT, "2020-08-15", "logs"):
            guard let id = headers.first(name: "Lambda-Extension-Identifier"), extensions[id] != nil else {
                return eventLoop.makeSucceededFuture(.error(.forbidden, "Extension.InvalidExtensionIdentifier", "Lambda-Extension-Identifier is missing or unknown"))
            }
            if let problem = telemetry.subscribe(extensionId: id, body: body) {
                return eventLoop.makeSucceededFuture(.error(.badRequest, "ValidationError", problem))
            }
            let types = ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any])?["types"] as? [String] ?? ["platform", "function"]
            telemetry.record("platform.telemetrySubscription", ["name": extensions[id]!.name, "state": "Subscribed", "types": types])
            return eventLoop.makeSucceededFuture(.json(.ok, ["status": "OK"]))
        default:
            return eventLoop.makeSucceededFuture(.error(.notFound, "UnknownOperation", "\(method) \(path) is not part of the Lambda APIs"))
        }
    }

    func runtimeAPI(_ method: HTTPMethod, _ parts: [String], _ headers: HTTPHeaders, _ body: [UInt8]) -> EventLoopFuture<APIResponse> {
        func done(_ response: APIResponse) -> EventLoopFuture<APIResponse> { eventLoop.makeSucceededFuture(response) }
        switch (method, parts) {
        case (.GET, ["invocation", "next"]):
            extensions.registrationOpen = false
            if let invocation = current, !invocation.finished, let delivered = invocation.deliveredAt {
                // Asking for more means this invocation is over for the runtime.
                let doneAt = now()
                invocation.runtimeDoneAt = doneAt
                telemetry.record("platform.runtimeDone", [
                    "requestId": invocation.id, "status": invocation.error == nil ? "success" : "error",
                    "metrics": ["durationMs": milliseconds(from: delivered, to: doneAt)],
                ])
                checkInvocationDone()
            }
            let promise = eventLoop.makePromise(of: APIResponse.self)
            runtimeWaiter = promise
            // The runtime's first /next is its half of init's end.
            if pendingInit?.runtimeAsked == false {
                lifecycle.updatePendingInit { $0.runtimeAsked = true }
                checkInitComplete()
            }
            if let invocation = current, invocation.deliveredAt == nil, runtimeWaiter?.futureResult === promise.futureResult {
                runtimeWaiter = nil
                promise.succeed(nextResponse(invocation))
            }
            return promise.futureResult
        case (.POST, ["init", "error"]):
            guard pendingInit != nil else {
                return done(.error(.forbidden, "InvalidStateTransition", "init/error is accepted only during init"))
            }
            // The reason only: init fails when the runtime then exits (or at the 10 s limit), as on Lambda.
            let type = headers.first(name: "Lambda-Runtime-Function-Error-Type") ?? "Runtime.Unknown"
            initFailure = InitFailure(type: type, body: body.isEmpty ? Array(Self.errorJSON(type, "init failed")) : body)
            return done(.json(.accepted, ["status": "OK"]))
        case (.POST, _) where parts.count == 3 && parts[0] == "invocation" && parts[2] == "response":
            let invocation: Invocation
            switch answerable(parts[1]) {
            case .success(let found): invocation = found
            case .failure(let refusal): return done(refusal.response)
            }
            if body.count > LambdaQuotas.runtimeResponseBytes { return done(responseTooLarge(invocation, size: body.count)) }
            respond(invocation, .complete(body))
            return done(.json(.accepted, ["status": "OK"]))
        case (.POST, _) where parts.count == 3 && parts[0] == "invocation" && parts[2] == "error":
            let invocation: Invocation
            switch answerable(parts[1]) {
            case .success(let found): invocation = found
            case .failure(let refusal): return done(refusal.response)
            }
            let type = headers.first(name: "Lambda-Runtime-Function-Error-Type") ?? "Unhandled"
            respond(invocation, .error(type: "Unhandled", body: body.isEmpty ? Array(Self.errorJSON(type, "Unhandled error")) : body), error: type)
            return done(.json(.accepted, ["status": "OK"]))
        default:
            return done(.error(.notFound, "UnknownOperation", "\(method) /2018-06-01/runtime/\(parts.joined(separator: "/")) is not part of the Runtime API"))
        }
    }

    /// A buffered response over 6 MB: the caller gets `Function.ResponseSizeTooLarge`, the runtime 413.
    private func responseTooLarge(_ invocation: Invocation, size: Int) -> APIResponse {
        let message = "Response payload size (\(size) bytes) exceeded maximum allowed payload size (\(LambdaQuotas.runtimeResponseBytes) bytes)."
        respond(invocation, .error(type: "Function.ResponseSizeTooLarge", body: Array(Self.errorJSON("Function.ResponseSizeTooLarge", message))),
                error: "Function.ResponseSizeTooLarge")
        return .error(.payloadTooLarge, "RequestEntityTooLarge", message)
    }

    func refuseOversized(method: HTTPMethod, path: String, size: Int) -> EventLoopFuture<APIResponse> {
        let parts = path.split(separator: "/").map(String.init)
        if method == .POST, parts.count == 5, parts[1] == "runtime", parts[2] == "invocation", parts[4] == "response",
           case .success(let invocation) = answerable(parts[3]) {
            return eventLoop.makeSucceededFuture(responseTooLarge(invocation, size: size))
        }
        return eventLoop.makeSucceededFuture(.error(.payloadTooLarge, "RequestEntityTooLarge",
                                                    "Request body (\(size) bytes) exceeded maximum allowed size (\(APIHandler.bodyLimit) bytes)."))
    }

    func invalidResponseMode(requestId: String, mode: String) -> APIResponse {
        if case .success(let invocation) = answerable(requestId) {
            let type = "Runtime.InvalidResponseModeHeader"
            respond(invocation, .error(type: type, body: Array(Self.errorJSON(type, "Lambda-Runtime-Function-Response-Mode must be streaming, not \(mode)"))),
                    error: type)
        }
        return .error(.badRequest, "InvalidResponseMode", "Lambda-Runtime-Function-Response-Mode must be streaming, not \(mode)")
    }

    func beginStream(requestId: String) -> APIResponse? {
        switch answerable(requestId) {
        case .success(let invocation):
            invocation.streaming = true
            return nil
        case .failure(let refusal):
            return refusal.response
        }
    }

    struct Refusal: Error { let response: APIResponse }

    /// The invocation a runtime may still answer: the current one, delivered, with no response yet.
    func answerable(_ requestId: String) -> Result<Invocation, Refusal> {
        guard let invocation = current, !invocation.finished, invocation.id == requestId, invocation.deliveredAt != nil else {
            return .failure(Refusal(response: .error(.badRequest, "InvalidRequestID", "Invalid request ID: \(requestId)")))
        }
        guard invocation.responseAt == nil, !invocation.streaming else {
            return .failure(Refusal(response: .error(.forbidden, "InvalidStateTransition", "The response for \(requestId) was already sent")))
        }
        return .success(invocation)
    }

    func streamChunk(requestId: String, _ bytes: [UInt8]) -> StreamFlow? {
        guard let invocation = current, !invocation.finished, invocation.id == requestId, invocation.responseAt == nil else { return nil }
        invocation.streamedBytes += bytes.count
        if invocation.streamedBytes > LambdaQuotas.streamedResponseBytes {
            respond(invocation, .error(type: "Function.ResponseSizeTooLarge",
                                       body: Array(Self.errorJSON("Function.ResponseSizeTooLarge", "Streamed response exceeded 200 MB"))),
                    error: "Function.ResponseSizeTooLarge")
            return nil
        }
        if invocation.firstByteAt == nil, !bytes.isEmpty { invocation.firstByteAt = now() }
        invocation.onResponse(.chunk(bytes))
        return invocation.extras.flow
    }

    func endStream(requestId: String, trailers: HTTPHeaders?) -> APIResponse {
        guard let invocation = current, !invocation.finished, invocation.id == requestId else {
            return .error(.badRequest, "InvalidRequestID", "Invalid request ID: \(requestId)")
        }
        if let type = trailers?.first(name: "Lambda-Runtime-Function-Error-Type") {
            // A mid-stream error: its body comes base64-encoded in a trailer.
            let body = trailers?.first(name: "Lambda-Runtime-Function-Error-Body").flatMap { Data(base64Encoded: $0) }.map(Array.init)
            respond(invocation, .error(type: type, body: body ?? Array(Self.errorJSON(type, "error during the stream"))), error: type)
        } else {
            respond(invocation, .complete([]))
        }
        return .json(.accepted, ["status": "OK"])
    }

    func extensionsAPI(_ method: HTTPMethod, _ parts: [String], _ headers: HTTPHeaders, _ body: [UInt8]) -> EventLoopFuture<APIResponse> {
        func done(_ response: APIResponse) -> EventLoopFuture<APIResponse> { eventLoop.makeSucceededFuture(response) }
        switch (method, parts) {
        case (.POST, ["register"]):
            let requested = ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any])?["events"] as? [String] ?? []
            let member: ExtensionRegistry.Member
            switch extensions.register(name: headers.first(name: "Lambda-Extension-Name"), events: requested) {
            case .success(let registered): member = registered
            case .failure(let refusal): return done(.error(.forbidden, refusal.type, refusal.message))
            }
            let id = member.id
            telemetry.record("platform.extension", ["name": member.name, "state": "Ready", "events": requested])
            // Every external extension registered: the runtime may start.
            if !processes.hasRuntime, pendingInit != nil, extensions.allExpectedRegistered {
                do { try startRuntime() } catch {
                    failInit(type: "Runtime.InvalidEntrypoint", message: "\(error)", error: error)
                }
            }
            var answer: [String: Any] = ["functionName": config.name, "functionVersion": "$LATEST", "handler": config.handler]
            // Only when asked for, as Lambda does.
            if headers.first(name: "Lambda-Extension-Accept-Feature")?.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == "accountId" }) == true {
                answer["accountId"] = FunctionConfig.accountID
            }
            return done(.json(.ok, answer, headers: [("Lambda-Extension-Identifier", id)]))
        case (.GET, ["event", "next"]):
            let promise = eventLoop.makePromise(of: APIResponse.self)
            guard let first = extensions.next(id: headers.first(name: "Lambda-Extension-Identifier"), answer: promise, at: now()) else {
                return promise.futureResult
            }
            if first { checkInitComplete() }
            checkInvocationDone()
            return promise.futureResult
        case (.POST, ["init", "error"]), (.POST, ["exit", "error"]):
            guard let id = headers.first(name: "Lambda-Extension-Identifier"), let state = extensions[id] else {
                return done(.error(.forbidden, "Extension.InvalidExtensionIdentifier", "Lambda-Extension-Identifier is missing or unknown"))
            }
            guard let type = headers.first(name: "Lambda-Extension-Function-Error-Type"), !type.isEmpty else {
                return done(.error(.forbidden, "Extension.MissingHeader", "Lambda-Extension-Function-Error-Type is required"))
            }
            options.log("extension reported \(parts.joined(separator: "/")): \(type)")
            // Its exit after /exit/error is the error Lambda reports, not a crash.
            if parts[0] == "exit" { extensions.exitedWithError(state.name) }
            failInit(type: type, message: "extension init error", body: body, error: RunnerError.cannotStart("extension", type))
            return done(.json(.accepted, ["status": "OK"]))
        default:
            return done(.error(.notFound, "UnknownOperation", "\(method) /2020-01-01/extension/\(parts.joined(separator: "/")) is not part of the Extensions API"))
        }
    }

    package static func errorJSON(_ type: String, _ message: String) -> Data {
        (try? JSONSerialization.data(withJSONObject: ["errorType": type, "errorMessage": message], options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }
}
