import Foundation
import LambdaAsyncCore
import NIOCore
import NIOHTTP1

/// The Runtime and Extensions APIs of a Managed Instances environment: concurrent /next long polls,
/// answers by request id, extensions held to SHUTDOWN. Every call arrives on the environment's loop.
extension ManagedEnvironment {
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
