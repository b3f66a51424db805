import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A project's own queues and tables, locally: `invoke` starts moto's server, makes the template's
/// resources with the names the functions' variables carry, sends the destination records there, and
/// says what landed where. Nothing leaves the machine: every call that would go to AWS's public
/// endpoints is sent through a proxy that counts and refuses connections, and it sees none.
@Suite(.timeLimit(.minutes(10))) struct LocalResourcesTests {
    /// A proxy that takes every connection and closes it at once, counting them.
    final class RefusingProxy: @unchecked Sendable {
        let listener: LoopbackListener
        private let lock = NSLock()
        private var seen = 0
        var connections: Int { lock.withLock { seen } }

        init() throws {
            listener = try LoopbackListener()
            let fd = listener.fd
            Thread.detachNewThread { [self] in
                while true {
                    let client = accept(fd, nil, nil)
                    if client < 0 { return }
                    lock.withLock { seen += 1 }
                    close(client)
                }
            }
        }

        var environment: [String] {
            let url = "http://127.0.0.1:\(listener.port)"
            return ["--env", "HTTPS_PROXY=\(url)", "--env", "HTTP_PROXY=\(url)", "--env", "NO_PROXY=127.0.0.1,localhost"]
        }
    }

    static let cells: [[String]] = [
        ["--strategy", "async-invoke"],
        ["--strategy", "extension"],
        ["--strategy", "extension", "--variant", "external"],
        ["--strategy", "custom-runtime"],
        ["--strategy", "async-invoke", "--language", "node"],
        ["--strategy", "streaming", "--language", "node"],
        ["--strategy", "extension", "--language", "node"],
        ["--strategy", "custom-runtime", "--language", "node"],
    ]

    @Test(arguments: cells)
    func anIdempotencyProjectRunsOfflineWithItsOwnQueueAndTable(_ cell: [String]) async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = parent.appendingPathComponent("shop")
        let created = try await TestSupport.run(Binary.url.path, ["new", project.path, "--idempotency"] + cell)
        #expect(created.status == 0, "\(created.stderr)")
        let proxy = try RefusingProxy()
        // On the host (--isolation none), so that the functions can reach the proxy if they try.
        func invoke(_ event: String) async throws -> ProcessResult {
            try await TestSupport.run(Binary.url.path, ["invoke", project.path, "--function", "ApiFunction", "--isolation", "none",
                                                        "--event", project.appendingPathComponent("events/\(event)").path] + proxy.environment,
                                      environment: ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""])
        }
        let succeeded = try await invoke("event.json")
        #expect(succeeded.status == 0, "\(cell): \(succeeded.stderr)")
        #expect(succeeded.stderr.contains("local AWS (moto's server"), "\(succeeded.stderr)")
        // The task ran once and its idempotency record is in the project's table.
        #expect(succeeded.stderr.contains("IdempotencyTable (DynamoDB table): 1 item"), "\(cell): \(succeeded.stderr)")
        #expect(succeeded.stderr.contains("FailedTasksQueue (SQS queue): 0 messages"), "\(cell): \(succeeded.stderr)")

        let failed = try await invoke("failing-task.json")
        // The failed task's record is in the project's queue, however the cell queues it (an on-failure
        // destination of Lambda's, or the project's own retry code).
        #expect(failed.stderr.contains("FailedTasksQueue (SQS queue): 1 message;"), "\(cell): \(failed.stderr)")
        #expect(!failed.stderr.contains("NoLocalEndpoint") && !failed.stderr.contains("could not be queued"), "\(failed.stderr)")
        #expect(proxy.connections == 0, "\(cell): \(proxy.connections) connection(s) tried to leave the machine")

        // What the last run left is shown by `lambda-async resources`.
        let shown = try await TestSupport.run(Binary.url.path, ["resources", project.path, "--format", "json"])
        #expect(shown.status == 0, "\(shown.stderr)")
        let snapshot = try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any] ?? [:]
        let resources = snapshot["resources"] as? [[String: Any]] ?? []
        let queue = resources.first { $0["logicalID"] as? String == "FailedTasksQueue" }
        #expect(queue?["count"] as? Int == 1, "\(shown.stdout)")
        let record = ((queue?["records"] as? [String])?.first).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [String: Any]
        #expect(((record?["requestContext"] as? [String: Any])?["condition"] as? String) == "RetriesExhausted", "\(shown.stdout)")
    }

    /// No resource for a service in the template: the function's call to it is refused at once by the
    /// runner with what to do, rather than sent to AWS with placeholder keys (26 s of retries before).
    @Test func aCallToAServiceWithNoLocalHomeIsRefusedAtOnce() async throws {
        let project = try makeTemporaryDirectory("lambda-async-no-home")
        defer { try? FileManager.default.removeItem(at: project) }
        try writeSingleFunctionProject(at: project, name: "Fn", runtime: "python3.12", timeout: 30, files: ["app.py": """
            import boto3, botocore
            def handler(event, context):
                try:
                    boto3.client("s3").list_buckets()
                except botocore.exceptions.ClientError as error:
                    return error.response["Error"]["Code"] + ": " + error.response["Error"]["Message"]
            """])
        let result = try await TestSupport.run(Binary.url.path, ["invoke", project.path, "--event", "-"], input: "{}")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("NoLocalEndpoint") && result.stdout.contains("--aws-endpoint-url"), "\(result.stdout)")
    }

    /// With a real AWS SDK for JavaScript on the machine (here a small stand-in for one, with a
    /// dependency of its own, named by LAMBDA_ASYNC_AWS_SDK_JS), Node functions import it from where
    /// Lambda has it, /var/runtime/node_modules, its own imports resolved there; the runner's stand-ins
    /// remain for the clients it lacks.
    @Test(arguments: ["auto", "none"])
    func theMachinesRealSDKForJavaScriptWinsOverTheStandIns(_ isolation: String) async throws {
        let parent = try makeTemporaryDirectory("lambda-async-sdk-js")
        defer { try? FileManager.default.removeItem(at: parent) }
        let sdk = parent.appendingPathComponent("sdk/node_modules")
        let files = [
            "@aws-sdk/client-sqs/package.json": #"{"name": "@aws-sdk/client-sqs", "version": "3.700.0", "type": "module", "exports": "./index.mjs"}"#,
            "@aws-sdk/client-sqs/index.mjs": """
                import { marker } from "@smithy/marker";
                export class SQSClient { async send() { return { real: true, marker }; } }
                export class SendMessageCommand { constructor(input) { this.input = input; } }
                """,
            "@smithy/marker/package.json": #"{"name": "@smithy/marker", "version": "1.0.0", "type": "module", "exports": "./index.mjs"}"#,
            "@smithy/marker/index.mjs": #"export const marker = import.meta.url;"#,
        ]
        for (path, text) in files {
            let url = sdk.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let project = parent.appendingPathComponent("app")
        try writeSingleFunctionProject(at: project, name: "Fn", runtime: "nodejs22.x", handler: "index.handler", files: ["index.mjs": """
            import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
            import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
            export const handler = async () => ({
              sqs: await new SQSClient({}).send(new SendMessageCommand({})),
              dynamodb: new DynamoDBClient({}).constructor.name,
            });
            """])
        let result = try await TestSupport.run(Binary.url.path, ["invoke", project.path, "--isolation", isolation, "--event", "-"],
                                               environment: ["LAMBDA_ASYNC_AWS_SDK_JS": sdk.path], input: "{}")
        #expect(result.status == 0, "\(result.stderr)")
        let answer = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        let sqs = answer["sqs"] as? [String: Any]
        #expect(sqs?["real"] as? Bool == true, "\(result.stdout)\(result.stderr)")
        let marker = sqs?["marker"] as? String ?? ""
        let expected = isolation == "none" ? "file://" + sdk.path + "/@smithy/marker/index.mjs" : "file:///var/runtime/node_modules/@smithy/marker/index.mjs"
        #expect(marker == expected, "\(marker)")
        #expect(answer["dynamodb"] as? String == "DynamoDBClient", "\(result.stdout)")
    }
}
