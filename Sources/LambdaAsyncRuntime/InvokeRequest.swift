import LambdaAsyncCore
import NIOHTTP1

/// What an Invoke API request (`POST /2015-03-31/functions/NAME/invocations`) asks for, checked as
/// Lambda checks it; shared by `invoke --listen` and `serve`.
enum InvokeRequest {
    case requestResponse
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
            return .success(.event)
        case "RequestResponse":
            guard body.count <= LambdaQuotas.bufferedPayloadBytes else {
                return .failure(.tooLarge("Request must be smaller than \(LambdaQuotas.bufferedPayloadBytes) bytes for the Invoke operation"))
            }
            return .success(.requestResponse)
        case let other:
            return .failure(.invalid("X-Amz-Invocation-Type must be RequestResponse, Event or DryRun, not \(other)"))
        }
    }

    /// The headers of a synchronous answer; `Unhandled` when the function failed.
    static func answerHeaders(functionError: Bool) -> [(String, String)] {
        [("Content-Type", "application/json"), ("X-Amz-Executed-Version", "$LATEST")]
            + (functionError ? [("X-Amz-Function-Error", "Unhandled")] : [])
    }
}

struct InvokeRequestError: Error {
    let response: APIResponse

    static func tooLarge(_ message: String) -> InvokeRequestError {
        InvokeRequestError(response: .serviceError(.payloadTooLarge, "RequestTooLargeException", message))
    }

    static func invalid(_ message: String) -> InvokeRequestError {
        InvokeRequestError(response: .serviceError(.badRequest, "InvalidParameterValueException", message))
    }
}
