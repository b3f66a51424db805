import Foundation
import NIOHTTP1
import Testing
@testable import LambdaAsyncService
@testable import LambdaAsyncEnvironment

/// The Invoke API's checks, shared by `invoke --listen` and `serve`.
@Suite struct InvokeRequestTests {
    /// A JSON string payload of exactly `bytes` bytes (or `body` as given).
    func parse(_ type: String?, bytes: Int, body: [UInt8]? = nil) -> Result<InvokeRequest, InvokeRequestError> {
        let json = bytes < 2 ? [UInt8](repeating: 32, count: bytes) : [34] + [UInt8](repeating: 97, count: bytes - 2) + [34]
        return InvokeRequest.parse(headers: HTTPHeaders(type.map { [("X-Amz-Invocation-Type", $0)] } ?? []), body: body ?? json)
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
        // Not JSON: refused before any function runs, whatever the type; an empty payload is allowed.
        #expect(errorType(parse(nil, bytes: 0, body: Array("not json".utf8))) == "InvalidRequestContentException")
        #expect(errorType(parse("Event", bytes: 0, body: Array("{oops".utf8))) == "InvalidRequestContentException")
        if case .success(.requestResponse) = parse(nil, bytes: 0, body: []) {} else { Issue.record("an empty payload is allowed") }
    }

    @Test func aClientContextIsBase64JSONOfAtMost3583Bytes() {
        func context(_ value: String?) -> Result<String?, InvokeRequestError> {
            InvokeRequest.clientContext(HTTPHeaders(value.map { [("X-Amz-Client-Context", $0)] } ?? []))
        }
        if case .success(let text) = context(Data(#"{"custom":{"tenant":"t-1"}}"#.utf8).base64EncodedString()) {
            #expect(text == #"{"custom":{"tenant":"t-1"}}"#)
        } else { Issue.record("a base64 JSON object is a client context") }
        if case .success(let text) = context(nil) { #expect(text == nil) } else { Issue.record("none is fine") }
        for bad in ["not base64!", Data("[1]".utf8).base64EncodedString(), String(repeating: "A", count: 3_584)] {
            if case .failure(let error) = context(bad) {
                #expect(error.response.headers.contains { $0 == ("X-Amzn-ErrorType", "InvalidRequestContentException") })
            } else { Issue.record("\(bad.prefix(20)) is refused") }
        }
    }
}

import LambdaAsyncProject

/// Which API Gateway route a request takes.
@Suite struct APIGatewayRoutingTests {
    typealias Route = SAMTemplate.ApiRoute
    static let routes: [(function: String, route: Route)] = [
        ("Any", Route(kind: .http, method: "ANY", path: "/orders/{id}", payloadVersion: "2.0", iamAuth: false)),
        ("Get", Route(kind: .http, method: "GET", path: "/orders/{id}", payloadVersion: "2.0", iamAuth: false)),
        ("Literal", Route(kind: .http, method: "GET", path: "/orders/latest", payloadVersion: "2.0", iamAuth: false)),
        ("Greedy", Route(kind: .rest, method: "ANY", path: "/orders/{proxy+}", payloadVersion: "1.0", iamAuth: false)),
        ("Default", Route(kind: .http, method: "ANY", path: nil, payloadVersion: "2.0", iamAuth: false)),
    ]

    @Test func theMostSpecificRouteWins() {
        func target(_ method: String, _ path: String) -> String? { APIGateway.match(method: method, path: path, routes: Self.routes)?.function }
        #expect(target("GET", "/orders/latest") == "Literal")
        #expect(target("GET", "/orders/7") == "Get")
        #expect(target("POST", "/orders/7") == "Any")
        #expect(target("GET", "/orders/7/lines/2") == "Greedy")
        #expect(APIGateway.match(method: "GET", path: "/orders/7/lines/2", routes: Self.routes)?.pathParameters == ["proxy": "7/lines/2"])
        #expect(target("GET", "/elsewhere") == "Default")
        #expect(APIGateway.match(method: "GET", path: "/orders/a%20b", routes: Self.routes)?.pathParameters == ["id": "a b"])
        #expect(APIGateway.match(method: "GET", path: "/x", routes: Array(Self.routes.prefix(4))) == nil)
    }
}
