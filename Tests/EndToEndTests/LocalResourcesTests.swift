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
        ["--strategy", "durable"],
    ]

    /// Every generated variant: the eight cells, with and without --idempotency and --powertools (32).
    static let variants: [[String]] = cells.flatMap { cell in
        [[], ["--idempotency"], ["--powertools"], ["--idempotency", "--powertools"]].map { cell + $0 }
    }

    @Test(arguments: variants)
    func everyVariantRunsItsSampleEventsOfflineWithItsOwnResources(_ variant: [String]) async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = parent.appendingPathComponent("shop")
        let created = try await TestSupport.run(Binary.url.path, ["new", project.path] + variant)
        #expect(created.status == 0, "\(created.stderr)")
        let idempotent = variant.contains("--idempotency")
        let proxy = try RefusingProxy()
        // On the host (--isolation none), so that the functions can reach the proxy if they try; an
        // external extension's fixed port (4243) would then be shared with the tests running beside.
        let port = try MotoServer.portOutsideEphemeralRange()
        func invoke(_ event: String) async throws -> ProcessResult {
            try await TestSupport.run(Binary.url.path, ["invoke", project.path, "--function", "ApiFunction", "--isolation", "none",
                                                        "--env", "TASKS_PORT=\(port)",
                                                        "--event", project.appendingPathComponent("events/\(event)").path] + proxy.environment,
                                      environment: ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""])
        }
        let events = (try FileManager.default.contentsOfDirectory(atPath: project.appendingPathComponent("events").path)).sorted()
        #expect(events == ["event.json", "failing-task.json", "function-url.json"], "\(events)")
        for event in events {
            let run = try await invoke(event)
            let failing = event == "failing-task.json"
            // A failing task is the function's own business: the caller has its answer, the run succeeds.
            #expect(run.status == 0, "\(variant) \(event): \(run.stderr)")
            #expect(run.stderr.contains("local AWS (moto's server"), "\(variant) \(event): \(run.stderr)")
            // The failed task's record is in the project's queue, however the cell queues it (an on-failure
            // destination of Lambda's, or the project's own retry code); a task that ran is in the table.
            #expect(run.stderr.contains("FailedTasksQueue (SQS queue): \(failing ? "1 message" : "0 messages")"), "\(variant) \(event): \(run.stderr)")
            if idempotent {
                #expect(run.stderr.contains("IdempotencyTable (DynamoDB table): \(failing ? "0 items" : "1 item")"), "\(variant) \(event): \(run.stderr)")
            } else {
                #expect(!run.stderr.contains("IdempotencyTable"))
            }
            #expect(!run.stderr.contains("NoLocalEndpoint") && !run.stderr.contains("could not be queued"), "\(variant) \(event): \(run.stderr)")
            if variant.contains("durable") {
                // invoke followed the execution the API started to its end, and printed its timeline and cost.
                #expect(run.stderr.contains("--- WorkerFunction durable execution order-100") && run.stderr.contains(failing ? ": FAILED (ms" : ": SUCCEEDED (ms"),
                        "\(variant) \(event): \(run.stderr)")
                #expect(run.stderr.contains(failing ? "StepSucceeded report-failure" : "StepSucceeded follow-up"), "\(variant) \(event): \(run.stderr)")
                #expect(run.stderr.contains("replay invocations (") && run.stderr.contains("cost: $"), "\(variant) \(event): \(run.stderr)")
            }
        }
        #expect(proxy.connections == 0, "\(variant): \(proxy.connections) connection(s) tried to leave the machine")

        // What the last run (the function URL's event) left: the earlier runs' records went with their
        // moto; the snapshot is the last run's, and `lambda-async resources` shows it.
        let shown = try await TestSupport.run(Binary.url.path, ["resources", project.path, "--format", "json"])
        #expect(shown.status == 0, "\(shown.stderr)")
        let snapshot = try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any] ?? [:]
        let resources = (snapshot["resources"] as? [[String: Any]] ?? []).compactMap { $0["logicalID"] as? String }
        #expect(resources == (idempotent ? ["FailedTasksQueue", "IdempotencyTable"] : ["FailedTasksQueue"]), "\(shown.stdout)")
    }

    /// The record a failed task leaves, as `lambda-async resources` shows it.
    @Test func aFailedTasksRecordIsShownByResources() async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = parent.appendingPathComponent("shop")
        #expect(try await TestSupport.run(Binary.url.path, ["new", project.path, "--strategy", "async-invoke"]).status == 0)
        let failed = try await TestSupport.run(Binary.url.path, ["invoke", project.path, "--function", "ApiFunction", "--isolation", "none",
                                                                 "--event", project.appendingPathComponent("events/failing-task.json").path])
        #expect(failed.stderr.contains("FailedTasksQueue (SQS queue): 1 message (lambda-async resources shows them)"), "\(failed.stderr)")
        let shown = try await TestSupport.run(Binary.url.path, ["resources", project.path, "--format", "json"])
        let snapshot = try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any] ?? [:]
        let queue = (snapshot["resources"] as? [[String: Any]] ?? []).first { $0["logicalID"] as? String == "FailedTasksQueue" }
        #expect(queue?["count"] as? Int == 1, "\(shown.stdout)")
        let record = ((queue?["records"] as? [String])?.first).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [String: Any]
        #expect(((record?["requestContext"] as? [String: Any])?["condition"] as? String) == "RetriesExhausted", "\(shown.stdout)")
        let table = try await TestSupport.run(Binary.url.path, ["resources", project.path])
        #expect(table.stdout.contains("FailedTasksQueue (SQS queue): 1 message") && table.stdout.contains("RetriesExhausted"), "\(table.stdout)")
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
