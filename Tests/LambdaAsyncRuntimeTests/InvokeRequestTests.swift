import NIOHTTP1
import Testing
@testable import LambdaAsyncRuntime

/// The Invoke API's checks, shared by `invoke --listen` and `serve`.
@Suite struct InvokeRequestTests {
    func parse(_ type: String?, bytes: Int) -> Result<InvokeRequest, InvokeRequestError> {
        InvokeRequest.parse(headers: HTTPHeaders(type.map { [("X-Amz-Invocation-Type", $0)] } ?? []), body: [UInt8](repeating: 32, count: bytes))
    }

    func errorType(_ result: Result<InvokeRequest, InvokeRequestError>) -> String? {
        guard case .failure(let error) = result else { return nil }
        return error.response.headers.first { $0.0 == "X-Amzn-ErrorType" }?.1
    }

    @Test func typesAndTheirPayloadLimits() {
        if case .success(.requestResponse) = parse(nil, bytes: 6 * 1_048_576) {} else { Issue.record("6 MB synchronous is allowed") }
        if case .success(.event) = parse("Event", bytes: 1_048_576) {} else { Issue.record("1 MB asynchronous is allowed") }
        if case .success(.dryRun) = parse("DryRun", bytes: 0) {} else { Issue.record("DryRun") }
        #expect(errorType(parse("RequestResponse", bytes: 6 * 1_048_576 + 1)) == "RequestTooLargeException")
        #expect(errorType(parse("Event", bytes: 1_048_577)) == "RequestTooLargeException")
        #expect(errorType(parse("Later", bytes: 2)) == "InvalidParameterValueException")
        if case .failure(let error) = parse("Event", bytes: 1_048_577) { #expect(error.response.status == .payloadTooLarge) }
    }
}
