import Foundation
import Testing
import LambdaAsyncProject
@testable import LambdaAsyncService
@testable import LambdaAsyncEnvironment

/// Function URLs: what an AWS_IAM URL accepts as signed, and the event it then builds.
@Suite struct FunctionURLTests {
    static let header = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261130/us-east-1/lambda/aws4_request, "
        + "SignedHeaders=host;x-amz-date, Signature=0123abcd"

    @Test func aSigV4RequestForLambdaNamesItsAccessKey() {
        #expect(FunctionURL.signingAccessKey(headers: [("Authorization", Self.header)], query: "") == "AKIDEXAMPLE")
        #expect(FunctionURL.signingAccessKey(headers: [("authorization", Self.header)], query: "a=1") == "AKIDEXAMPLE")
        // A presigned URL carries the credential in its query.
        let presigned = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDQUERY%2F20261130%2Feu-west-1%2Flambda%2Faws4_request&X-Amz-Signature=ff"
        #expect(FunctionURL.signingAccessKey(headers: [], query: presigned) == "AKIDQUERY")
    }

    @Test func anythingElseIsUnsigned() {
        #expect(FunctionURL.signingAccessKey(headers: [], query: "") == nil)
        #expect(FunctionURL.signingAccessKey(headers: [("Authorization", "Bearer token")], query: "") == nil)
        // Signed for another service: Lambda refuses it too.
        let s3 = Self.header.replacingOccurrences(of: "/lambda/", with: "/s3/")
        #expect(FunctionURL.signingAccessKey(headers: [("Authorization", s3)], query: "") == nil)
        #expect(FunctionURL.signingAccessKey(headers: [("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/x, Signature=1")], query: "") == nil)
    }

    @Test func theEventCarriesTheCallerOnlyWhenSigned() throws {
        func context(_ accessKey: String?) throws -> [String: Any] {
            let bytes = FunctionURL.event(method: "POST", rawPath: "/orders", query: "", headers: [("Content-Type", "application/json")],
                                          body: Array("{}".utf8), requestId: "r-1", urlID: "api", signedBy: accessKey)
            let event = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
            return try #require(event["requestContext"] as? [String: Any])
        }
        let open = try context(nil)
        #expect(open["accountId"] as? String == "anonymous")
        #expect(open["authorizer"] == nil)
        let signed = try context("AKIDEXAMPLE")
        let iam = try #require((signed["authorizer"] as? [String: Any])?["iam"] as? [String: Any])
        #expect(iam["accessKey"] as? String == "AKIDEXAMPLE")
        #expect(iam["accountId"] as? String == signed["accountId"] as? String)
        #expect(iam["userArn"] as? String == "arn:aws:iam::\(FunctionConfig.accountID):user/local")
    }

    typealias CORS = SAMTemplate.FunctionURLConfig.CORS

    @Test func corsAnswersPreflightsAndReplacesTheFunctionsOwnHeaders() {
        var cors = CORS()
        cors.allowOrigins = ["https://app.example.com"]
        cors.allowMethods = ["*"]
        cors.allowHeaders = ["content-type", "x-api-key"]
        cors.exposeHeaders = ["x-request-id"]
        cors.maxAge = 600
        let preflight = [("Origin", "https://app.example.com"), ("Access-Control-Request-Method", "PUT"),
                         ("Access-Control-Request-Headers", "content-type")]
        #expect(CORS.isPreflight(method: "OPTIONS", headers: preflight))
        #expect(!CORS.isPreflight(method: "OPTIONS", headers: [("Origin", "https://app.example.com")]))
        #expect(!CORS.isPreflight(method: "POST", headers: preflight))
        let answer = Dictionary(uniqueKeysWithValues: cors.preflightHeaders(preflight))
        #expect(answer == ["Access-Control-Allow-Origin": "https://app.example.com", "Vary": "Origin",
                           "Access-Control-Allow-Methods": "PUT", "Access-Control-Allow-Headers": "content-type,x-api-key",
                           "Access-Control-Max-Age": "600"])
        // Another origin gets no CORS headers: the browser refuses the call.
        #expect(cors.preflightHeaders([("Origin", "https://evil.example"), ("Access-Control-Request-Method", "GET")]).isEmpty)

        let response = cors.responseHeaders([("Content-Type", "application/json"), ("access-control-allow-origin", "*")],
                                            request: [("origin", "https://app.example.com")])
        #expect(response.map { "\($0.0): \($0.1)" } == [
            "Content-Type: application/json", "Access-Control-Allow-Origin: https://app.example.com", "Vary: Origin",
            "Access-Control-Expose-Headers: x-request-id",
        ])
    }

    @Test func anyOriginIsAStarUnlessCredentialsAreAllowed() {
        var cors = CORS()
        cors.allowOrigins = ["*"]
        let request = [("Origin", "http://localhost:3000")]
        #expect(cors.responseHeaders([], request: request).first { $0.0 == "Access-Control-Allow-Origin" }?.1 == "*")
        cors.allowCredentials = true
        let withCredentials = cors.responseHeaders([], request: request)
        #expect(withCredentials.first { $0.0 == "Access-Control-Allow-Origin" }?.1 == "http://localhost:3000")
        #expect(withCredentials.contains { $0 == ("Access-Control-Allow-Credentials", "true") })
        // No Origin: not a cross-origin call, nothing added.
        #expect(cors.responseHeaders([("A", "b")], request: []).map(\.0) == ["A"])
    }
}
