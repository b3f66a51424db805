import Foundation
import Testing
@testable import LambdaAsyncRuntime

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
}
