import Foundation
import Testing
import TestSupport

/// `lambda-async event`: each sample passes Powertools for AWS Lambda's pydantic model of its source
/// (an independent reader of what Lambda sends), with the flags' fields where they belong.
@Suite(.timeLimit(.minutes(10))) struct EventTests {
    static let validator = """
        import json, sys
        from aws_lambda_powertools.utilities.parser import parse, models as m
        MODELS = {"api-gateway-rest": m.APIGatewayProxyEventModel, "api-gateway-http": m.APIGatewayProxyEventV2Model,
                  "function-url": m.LambdaFunctionUrlModel, "sqs": m.SqsModel, "sns": m.SnsModel, "s3": m.S3Model,
                  "eventbridge": m.EventBridgeModel, "scheduled": m.EventBridgeModel, "dynamodb-streams": m.DynamoDBStreamModel,
                  "kinesis": m.KinesisDataStreamModel}
        parsed = parse(event=json.load(sys.stdin), model=MODELS[sys.argv[1]])
        # What a handler would read, by source.
        source = sys.argv[1]
        if source == "sqs": print("body", parsed.Records[0].body)
        elif source == "sns": print("message", parsed.Records[0].Sns.Message)
        elif source == "kinesis": print("data", parsed.Records[0].kinesis.data.decode())
        elif source == "s3": print("object", parsed.Records[0].s3.bucket.name, parsed.Records[0].s3.object.key)
        elif source == "eventbridge": print("eventbridge", parsed.source, parsed.detail_type, json.dumps(parsed.detail))
        elif source == "api-gateway-rest": print("http", parsed.httpMethod, parsed.path, parsed.body)
        elif source in ("api-gateway-http", "function-url"): print("http", parsed.requestContext.http.method, parsed.rawPath, parsed.body)
        else: print("valid")
        """

    /// Powertools, installed by scripts/ensure-deps into a folder of its own (not the machine's Python).
    static let powertools = Binary.repositoryRoot.appendingPathComponent(".build/test-tools/powertools").path

    static let cases: [(String, [String], String)] = [
        ("api-gateway-rest", ["--method", "get", "--path", "/orders/7", "--body", "hi"], "http GET /orders/7 hi"),
        ("api-gateway-http", ["--method", "PUT", "--path", "/orders/7", "--body", "{}"], "http PUT /orders/7 {}"),
        ("function-url", ["--method", "DELETE", "--path", "/x"], "http DELETE /x"),
        ("sqs", ["--body", #"{"orderId": "o-7"}"#, "--region", "eu-west-1"], #"body {"orderId": "o-7"}"#),
        ("sns", ["--body", "hello"], "message hello"),
        ("s3", ["--bucket", "uploads", "--key", "reports/2026.csv"], "object uploads reports/2026.csv"),
        ("eventbridge", ["--event-source", "com.example", "--detail-type", "Thing Done", "--detail", #"{"a": 1}"#],
         #"eventbridge com.example Thing Done {"a": 1}"#),
        ("scheduled", [], "valid"),
        ("dynamodb-streams", ["--region", "eu-west-1"], "valid"),
        ("kinesis", ["--body", "raw bytes"], "data raw bytes"),
    ]

    @Test(arguments: cases.map(\.0))
    func everySampleIsWhatLambdaSends(source: String) async throws {
        let (_, flags, expected) = Self.cases.first { $0.0 == source }!
        for arguments in [[source], [source] + flags] {
            let printed = try await TestSupport.run(Binary.url.path, ["event"] + arguments)
            #expect(printed.status == 0, "\(arguments): \(printed.stderr)")
            let checked = try await TestSupport.run("python3", ["-c", Self.validator, source], environment: ["PYTHONPATH": Self.powertools], input: printed.stdout)
            #expect(checked.status == 0, "\(arguments): \(checked.stderr)")
            if arguments.count > 1 { #expect(checked.stdout.hasPrefix(expected), "\(arguments): \(checked.stdout)") }
        }
    }

    @Test func everySourceIsListedAndAFlagThatDoesNotApplyIsRefused() async throws {
        let listed = try await TestSupport.run(Binary.url.path, ["event", "--list"]).stdout
        for (source, _, _) in Self.cases { #expect(listed.contains(source)) }
        let refused = try await TestSupport.run(Binary.url.path, ["event", "s3", "--body", "x"])
        #expect(refused.status == 64)
        #expect(refused.stderr == "Error: --body does not apply to s3 events; they take --bucket, --key, --region\n", "\(refused.stderr)")
        let typo = try await TestSupport.run(Binary.url.path, ["event", "sqss"])
        #expect(typo.status == 64 && typo.stderr.contains("Did you mean 'sqs'?"), "\(typo.stderr)")
    }

    /// Piped into invoke, as the help shows.
    @Test func aSampleEventRunsAFunction() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "def handler(event, context):\n    return event['Records'][0]['body']\n".write(to: dir.appendingPathComponent("app.py"), atomically: true, encoding: .utf8)
        let event = try await TestSupport.run(Binary.url.path, ["event", "sqs", "--body", "order o-9"]).stdout
        let result = try await TestSupport.run(Binary.url.path, ["invoke", "--code", dir.path, "--runtime", "python3.13", "--handler", "app.handler",
                                                           "--isolation", "none", "--event", "-"], input: event)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "\"order o-9\"\n")
    }
}
