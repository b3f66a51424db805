import Foundation
import Testing
import TestSupport
@testable import LambdaAsyncAWS

/// The signer against botocore's `SigV4Auth` / `S3SigV4Auth` (an independent implementation, the
/// one the AWS CLI uses) on the same requests at the same instant: the Authorization headers must be
/// equal byte for byte.
@Suite struct SigV4Tests {
    struct Case: Sendable, CustomStringConvertible {
        let service: String
        let method: String
        let url: String
        let body: String
        let headers: [String: String]
        let token: String?
        var description: String { "\(service) \(method) \(url)" }
    }

    static let cases: [Case] = [
        Case(service: "s3", method: "PUT", url: "https://my-bucket.s3.eu-west-1.amazonaws.com/artifacts/a%20file%20%C3%A9t%C3%A9.zip",
             body: "zip bytes", headers: ["Content-Type": "application/zip"], token: nil),
        Case(service: "s3", method: "GET", url: "https://s3.eu-west-1.amazonaws.com/bucket/k%2Bplus/~tilde?list-type=2&prefix=a%20b&delimiter=%2F",
             body: "", headers: [:], token: "FwoGZXIvYXdzEBYaDOKEN/with+slash=="),
        Case(service: "s3", method: "PUT", url: "http://127.0.0.1:5000/bucket?publicAccessBlock=", body: "<x/>", headers: [:], token: nil),
        Case(service: "cloudformation", method: "POST", url: "https://cloudformation.us-east-1.amazonaws.com/",
             body: "Action=DescribeStacks&StackName=orders-dev&Version=2010-05-15",
             headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"], token: "session-token-value"),
        Case(service: "lambda", method: "GET",
             url: "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Aorders",
             body: "", headers: [:], token: nil),
        Case(service: "sts", method: "POST", url: "https://sts.amazonaws.com/", body: "Action=GetCallerIdentity&Version=2011-06-15",
             headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "X-Custom": "  spaced   value  "], token: nil),
        Case(service: "execute-api", method: "GET", url: "https://api.example.com/orders/7?b=2&a=1&a=0&empty=&sp%20ace=x%26y",
             body: "", headers: [:], token: nil),
    ]

    static let botocore = """
        import json, sys, datetime
        from unittest import mock
        from botocore.auth import SigV4Auth, S3SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        case = json.loads(sys.argv[1])
        creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", case["token"])
        request = AWSRequest(method=case["method"], url=case["url"], data=case["body"].encode(), headers=case["headers"])
        signer = (S3SigV4Auth if case["service"] == "s3" else SigV4Auth)(creds, case["service"], case["region"])
        fixed = datetime.datetime(2026, 11, 30, 23, 0, 0)
        with mock.patch("botocore.auth.get_current_datetime", return_value=fixed):
            signer.add_auth(request)
        print(request.headers["Authorization"])
        """

    @Test(arguments: cases)
    func matchesBotocore(_ testCase: Case) async throws {
        let region = testCase.service == "sts" ? "us-east-1" : (testCase.url.contains("eu-west-1") ? "eu-west-1" : "us-east-1")
        let input = try JSONSerialization.data(withJSONObject: [
            "service": testCase.service, "method": testCase.method, "url": testCase.url, "body": testCase.body,
            "headers": testCase.headers, "token": testCase.token as Any, "region": region,
        ])
        let reference = try await TestSupport.run("python3", ["-c", Self.botocore, String(decoding: input, as: UTF8.self)])
        #expect(reference.status == 0, "\(reference.stderr)")
        let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                         sessionToken: testCase.token, source: "test")
        let date = ISO8601DateFormatter().date(from: "2026-11-30T23:00:00Z")!
        let signed = SigV4(credentials: credentials, region: region, service: testCase.service)
            .sign(method: testCase.method, url: URL(string: testCase.url)!, headers: testCase.headers, body: Data(testCase.body.utf8), date: date)
        #expect(signed["Authorization"] == reference.stdout.trimmingCharacters(in: .newlines), "\(testCase)")
    }
}

/// A request signed by botocore's rules (our signer is checked against it byte for byte) is taken;
/// a wrong secret, another key, a changed body or path, an old date are refused.
@Suite struct SigV4VerifierTests {
    let credentials = AWSCredentials(accessKeyID: "AKIDTEST", secretAccessKey: "secret", source: "test")
    let now = Date(timeIntervalSince1970: 1_765_000_000)

    func signed(secret: String = "secret", key: String = "AKIDTEST", body: String = #"{"a":1}"#, date: Date? = nil,
                path: String = "/urls/Fn/orders", query: String = "x=1") -> [(String, String)] {
        let signer = SigV4(credentials: AWSCredentials(accessKeyID: key, secretAccessKey: secret, source: "test"), region: "us-east-1", service: "lambda")
        let url = URL(string: "http://127.0.0.1:9000\(path)?\(query)")!
        return signer.sign(method: "POST", url: url, headers: ["Host": "127.0.0.1:9000", "Content-Type": "application/json"],
                           body: Data(body.utf8), date: date ?? now).map { ($0.key, $0.value) }
    }

    func verify(_ headers: [(String, String)], body: String = #"{"a":1}"#, path: String = "/urls/Fn/orders", query: String = "x=1",
                service: String = "lambda") -> SigV4Verifier.Outcome {
        SigV4Verifier(credentials: [credentials]).verify(method: "POST", path: path, query: query, headers: headers, body: Array(body.utf8),
                                                         service: service, now: now)
    }

    @Test func theRightSignatureIsTaken() {
        #expect(verify(signed()) == .valid(accessKey: "AKIDTEST"))
    }

    @Test func everyForgeryIsRefused() {
        func refused(_ outcome: SigV4Verifier.Outcome) -> Bool { if case .refused = outcome { return true } else { return false } }
        #expect(refused(verify(signed(secret: "wrong"))))
        #expect(refused(verify(signed(key: "AKIDOTHER"))))
        #expect(refused(verify(signed(), body: #"{"a":2}"#)), "a body changed after signing")
        #expect(refused(verify(signed(), path: "/urls/Fn/other")), "another path")
        #expect(refused(verify(signed(), query: "x=2")), "another query")
        #expect(refused(verify(signed(date: Date(timeIntervalSince1970: 978_307_200)))), "signed in 2001")
        #expect(verify([("Host", "127.0.0.1:9000")]) == .unsigned)
        #expect(verify(signed(), service: "execute-api") == .unsigned, "signed for another service")
    }
}
