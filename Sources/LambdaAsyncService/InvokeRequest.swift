import Foundation
import LambdaAsyncEnvironment
import LambdaAsyncCore
import NIOHTTP1

/// What an Invoke API request (`POST /2015-03-31/functions/NAME/invocations`) asks for, checked as
/// Lambda checks it; shared by `invoke --listen` and `serve`.
enum InvokeRequest {
    /// Synchronous, with what the caller asks besides its payload (client context, log tail).
    case requestResponse(Sandbox.InvocationExtras)
    case event
    case dryRun

    /// The invocation type and its payload limit, or the error Lambda answers.
    static func parse(headers: HTTPHeaders, body: [UInt8]) -> Result<InvokeRequest, InvokeRequestError> {
        switch headers.first(name: "X-Amz-Invocation-Type") ?? "RequestResponse" {
        case "DryRun":
            return .success(.dryRun)
        case "Event":
            guard body.count <= LambdaQuotas.asyncPayloadBytes else {
                return .failure(.tooLarge("Request must be smaller than \(LambdaQuotas.asyncPayloadBytes) bytes for an asynchronous invocation"))
            }
            if let problem = InvokePayload.problem(body) { return .failure(.invalidContent(problem)) }
            return .success(.event)
        case "RequestResponse":
            guard body.count <= LambdaQuotas.bufferedPayloadBytes else {
                return .failure(.tooLarge("Request must be smaller than \(LambdaQuotas.bufferedPayloadBytes) bytes for the Invoke operation"))
            }
            if let problem = InvokePayload.problem(body) { return .failure(.invalidContent(problem)) }
            return extras(headers).map(InvokeRequest.requestResponse)
        case let other:
            return .failure(.invalid("X-Amz-Invocation-Type must be RequestResponse, Event or DryRun, not \(other)"))
        }
    }

    /// What a synchronous call asks besides its payload: its client context and `X-Amz-Log-Type`.
    private static func extras(_ headers: HTTPHeaders) -> Result<Sandbox.InvocationExtras, InvokeRequestError> {
        let tail: Bool
        switch headers.first(name: "X-Amz-Log-Type") ?? "None" {
        case "None": tail = false
        case "Tail": tail = true
        case let other: return .failure(.invalid("X-Amz-Log-Type must be None or Tail, not \(other)"))
        }
        return clientContext(headers).map { Sandbox.InvocationExtras(clientContext: $0, tailLog: tail) }
    }

    /// `X-Amz-Log-Result`: the last 4 KB of the execution log, base64-encoded.
    static func logResultHeader(_ record: InvocationRecord) -> [(String, String)] {
        guard let log = record.executionLog else { return [] }
        return [("X-Amz-Log-Result", Data(Array(log.utf8).suffix(4_096)).base64EncodedString())]
    }

    /// `X-Amz-Client-Context`: base64 JSON about the calling client (the mobile SDKs send it), at most
    /// 3,583 bytes, which Lambda hands to the function's context on synchronous invocations. Returns
    /// the JSON text, nil when there is none, or the error Lambda answers.
    static func clientContext(_ headers: HTTPHeaders) -> Result<String?, InvokeRequestError> {
        guard let encoded = headers.first(name: "X-Amz-Client-Context"), !encoded.isEmpty else { return .success(nil) }
        guard encoded.utf8.count <= 3_583 else {
            return .failure(.invalidContent("Client context must be 3583 bytes or fewer, base64-encoded"))
        }
        guard let data = Data(base64Encoded: encoded), (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
            return .failure(.invalidContent("Client context must be a valid Base64-encoded JSON object."))
        }
        return .success(String(decoding: data, as: UTF8.self))
    }

    /// The headers of a synchronous answer; `Unhandled` when the function failed.
    static func answerHeaders(functionError: Bool, requestId: String? = nil) -> [(String, String)] {
        [("Content-Type", "application/json"), ("X-Amz-Executed-Version", "$LATEST")]
            + (requestId.map { [("X-Amzn-RequestId", $0)] } ?? [])
            + (functionError ? [("X-Amz-Function-Error", "Unhandled")] : [])
    }
}

/// An invocation's payload, as Lambda takes it.
public enum InvokePayload {
    /// Lambda parses every payload as JSON before any function runs: what is not JSON is refused with
    /// `InvalidRequestContentException` (400), never handed to the runtime (where it would crash a
    /// runtime client's loop). An empty payload is allowed, as the SDKs send one when none is given.
    public static func problem(_ body: [UInt8]) -> String? {
        guard !body.isEmpty, (try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])) == nil else { return nil }
        let shown = String(decoding: body.prefix(40), as: UTF8.self)
        return "Could not parse request body into json: Could not parse payload into json: the payload is not JSON (it starts \(shown.debugDescription))"
    }
}

struct InvokeRequestError: Error {
    let response: APIResponse

    static func tooLarge(_ message: String) -> InvokeRequestError {
        InvokeRequestError(response: .serviceError(.payloadTooLarge, "RequestTooLargeException", message))
    }

    static func invalidContent(_ message: String) -> InvokeRequestError {
        InvokeRequestError(response: .serviceError(.badRequest, "InvalidRequestContentException", message))
    }

    static func invalid(_ message: String) -> InvokeRequestError {
        InvokeRequestError(response: .serviceError(.badRequest, "InvalidParameterValueException", message))
    }
}
