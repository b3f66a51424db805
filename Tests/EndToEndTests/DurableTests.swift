import Foundation
import Testing
import TestSupport

/// Durable functions are not run locally yet: every door says so plainly, with what to do, instead of
/// running the handler as a plain function or answering the durable SDK's calls with a bare 404.
@Suite(.timeLimit(.minutes(3))) struct DurableTests {
    @Test func aDurableFunctionIsRefusedWithTheReasonAtEveryDoor() async throws {
        let project = try makeTemporaryDirectory("lambda-async-durable")
        defer { try? FileManager.default.removeItem(at: project) }
        try writeSingleFunctionProject(at: project, name: "Worker", runtime: "python3.13", extra: """
                  DurableConfig:
                    ExecutionTimeout: 3600

            """, files: ["app.py": "def handler(event, context):\n    return 'ran as a plain function'\n"])
        let invoked = try await TestSupport.run(Binary.url.path, ["invoke", project.path, "--event", "-"], input: "{}")
        #expect(invoked.status == 64 && invoked.stderr.contains("does not run durable executions yet"), "\(invoked.stderr)")
        #expect(!invoked.stdout.contains("ran as a plain function"))

        let server = try await ServeTests.Server(project: project)
        let result = try await TestSupport.run("python3", ["-c", boto3ClientPreamble + """
            import botocore
            for name, call in (("invoke", lambda: lam.invoke(FunctionName="Worker", Payload=b"{}")),
                               ("state", lambda: lam.get_durable_execution(DurableExecutionArn="arn:aws:lambda:us-east-1:000000000000:function:Worker:$LATEST/durable-execution/x/y"))):
                try:
                    call()
                    print(name, "answered")
                except botocore.exceptions.ClientError as e:
                    print(name, e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])
            """, String(server.port)])
        #expect(server.stop() == 130)
        #expect(result.stdout.contains("invoke DurableExecutionNotServedLocally 400"), "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("state DurableExecutionNotServedLocally 400"), "\(result.stdout)\(result.stderr)")
        #expect(server.output.contains("Worker is a durable function (DurableConfig)"), "said once at start: \(server.output)")
    }
}
