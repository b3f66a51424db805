import Foundation
import Testing
import TestSupport

/// Lambda Managed Instances locally: a function with `CapacityProviderConfig` (or run with
/// `--platform managed-instances`) runs up to its concurrency at once in one environment that is never
/// frozen — Python in as many processes, Node.js in one — refuses extensions that ask for INVOKE, and
/// answers a timeout without stopping the code.
@Suite(.timeLimit(.minutes(5))) struct ManagedInstancesTests {
    static func project(runtime: String, handler: String, timeout: Int = 10, files: [String: String], extra: String = "") throws -> URL {
        let project = try makeTemporaryDirectory("lambda-async-managed")
        try writeSingleFunctionProject(at: project, name: "Managed", runtime: runtime, handler: handler, timeout: timeout, extra: """
                  MemorySize: 2048
                  CapacityProviderConfig:
                    Arn: arn:aws:lambda:us-east-1:000000000000:capacity-provider:local
                    PerExecutionEnvironmentMaxConcurrency: 4
            \(extra)
            """, files: files)
        return project
    }

    /// Four calls at once, each working 1.5 s: one environment (one cold start, one /tmp) serves them together.
    @Test(arguments: ["python3.13", "nodejs22.x"])
    func fourCallsRunAtOnceInOneEnvironment(_ runtime: String) async throws {
        let python = runtime.hasPrefix("python")
        let project = try Self.project(runtime: runtime, handler: python ? "app.handler" : "index.handler", files: python ? ["app.py": """
            import os, time, uuid
            if not os.path.exists("/tmp/environment"):
                open("/tmp/environment", "w").write(str(uuid.uuid4()))
            def handler(event, context):
                time.sleep(1.5)
                return {"environment": open("/tmp/environment").read(), "pid": os.getpid(), "max": os.environ.get("AWS_LAMBDA_MAX_CONCURRENCY")}
            """] : ["index.mjs": """
            import { existsSync, readFileSync, writeFileSync } from "node:fs";
            import { randomUUID } from "node:crypto";
            if (!existsSync("/tmp/environment")) writeFileSync("/tmp/environment", randomUUID());
            export const handler = async () => {
              await new Promise((resolve) => setTimeout(resolve, 1500));
              return { environment: readFileSync("/tmp/environment", "utf8"), pid: process.pid, max: process.env.AWS_LAMBDA_MAX_CONCURRENCY };
            };
            """])
        defer { try? FileManager.default.removeItem(at: project) }
        let server = try await ServeTests.Server(project: project)
        let result = try await TestSupport.run("python3", ["-c", boto3ClientPreamble + """
            import concurrent.futures
            def call(_):
                return json.loads(lam.invoke(FunctionName="Managed", Payload=b"{}")["Payload"].read())
            started = time.time()
            with concurrent.futures.ThreadPoolExecutor(4) as pool:
                answers = list(pool.map(call, range(4)))
            print(json.dumps({"answers": answers, "seconds": time.time() - started}))
            """, String(server.port)])
        #expect(server.stop() == 130)
        let outcome = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        let answers = outcome["answers"] as? [[String: Any]] ?? []
        #expect(answers.count == 4, "\(result.stdout)\(result.stderr)\n\(server.output)")
        #expect(Set(answers.compactMap { $0["environment"] as? String }).count == 1, "one environment: \(answers)")
        #expect(answers.allSatisfy { $0["max"] as? String == "4" })
        let pids = Set(answers.compactMap { $0["pid"] as? Int })
        // Python: a process per request; Node.js: one process, four loops.
        #expect(pids.count == (python ? 4 : 1), "\(answers)")
        // Together, not one after another (4 × 1.5 s): the environment is never frozen between them.
        #expect((outcome["seconds"] as? Double ?? 99) < 4.5, "\(outcome)")
        #expect(server.output.components(separatedBy: ", init ").count - 1 == 1, "one cold start: \(server.output)")
        #expect(server.output.contains("other(s) running beside it"), "the overlap is said: \(server.output)")
        #expect(server.output.contains("billed per instance"))
    }

    @Test func anExtensionAskingForInvokeIsRefused() async throws {
        let layer = "      Layers: [!Ref Ext]\n  Ext:\n    Type: AWS::Serverless::LayerVersion\n    Properties:\n      ContentUri: layer/\n"
        let project = try Self.project(runtime: "python3.13", handler: "app.handler",
                                       files: ["app.py": "def handler(event, context):\n    return 'ok'\n"], extra: layer)
        defer { try? FileManager.default.removeItem(at: project) }
        let extensions = project.appendingPathComponent("layer/extensions")
        try FileManager.default.createDirectory(at: extensions, withIntermediateDirectories: true)
        try """
            #!/usr/bin/env python3
            import json, os, urllib.request, urllib.error
            api = f"http://{os.environ['AWS_LAMBDA_RUNTIME_API']}/2020-01-01/extension"
            def register(events):
                r = urllib.request.Request(api + "/register", method="POST", data=json.dumps({"events": events}).encode(),
                                           headers={"Lambda-Extension-Name": "watcher"})
                try:
                    with urllib.request.urlopen(r) as answer:
                        return answer.status, answer.headers["Lambda-Extension-Identifier"]
                except urllib.error.HTTPError as error:
                    return error.code, json.loads(error.read()).get("errorType")
            print("register INVOKE:", *register(["INVOKE", "SHUTDOWN"]), flush=True)
            status, ident = register(["SHUTDOWN"])
            print("register SHUTDOWN:", status, flush=True)
            urllib.request.urlopen(urllib.request.Request(api + "/event/next", headers={"Lambda-Extension-Identifier": ident}))
            """.write(to: extensions.appendingPathComponent("watcher"), atomically: true, encoding: .utf8)
        chmod(extensions.appendingPathComponent("watcher").path, 0o755)
        let result = try await TestSupport.run(Binary.url.path, ["invoke", project.path, "--event", "-"], input: "{}")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"ok\""))
        #expect(result.stderr.contains("register INVOKE: 403 Extension.InvalidEventType"), "\(result.stderr)")
        #expect(result.stderr.contains("register SHUTDOWN: 200"), "\(result.stderr)")
    }

    /// A timeout answers the caller; the code runs on (Managed Instances do not enforce timeouts): the
    /// next call finds what the timed-out one wrote after its deadline.
    @Test func aTimeoutIsAnsweredButTheCodeRunsOn() async throws {
        let project = try makeTemporaryDirectory("lambda-async-managed-timeout")
        defer { try? FileManager.default.removeItem(at: project) }
        try writeSingleFunctionProject(at: project, name: "Slow", runtime: "python3.13", timeout: 1, files: ["app.py": """
            import os, time
            def handler(event, context):
                if event.get("first"):
                    time.sleep(1.6)
                    open("/tmp/finished", "w").write("yes")
                    return "late"
                return os.path.exists("/tmp/finished")
            """])
        let server = try await ServeTests.Server(project: project, arguments: ["--platform", "managed-instances"])
        let result = try await TestSupport.run("python3", ["-c", boto3ClientPreamble + """
            first = lam.invoke(FunctionName="Slow", Payload=b'{"first": true}')
            print("first", first.get("FunctionError"), json.loads(first["Payload"].read()).get("errorType"))
            time.sleep(1.2)
            print("second", json.loads(lam.invoke(FunctionName="Slow", Payload=b"{}")["Payload"].read()))
            """, String(server.port)])
        #expect(server.stop() == 130)
        #expect(result.stdout.contains("first Unhandled Sandbox.Timedout"), "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("second True"), "the timed-out code ran on: \(result.stdout)\n\(server.output)")
        #expect(server.output.contains("do not enforce timeouts"), "\(server.output)")
    }

    /// Many requests in one Node.js process leave no room for callback handlers: refused at init on
    /// Managed Instances even on nodejs22.x, with the runtime client's own message.
    @Test func aNode22CallbackHandlerIsRefusedOnManagedInstances() async throws {
        let code = try makeTemporaryDirectory("lambda-async-managed-callback")
        defer { try? FileManager.default.removeItem(at: code) }
        try "export const handler = (event, context, callback) => callback(null, 1);\n"
            .write(to: code.appendingPathComponent("index.mjs"), atomically: true, encoding: .utf8)
        let refused = try await TestSupport.run(Binary.url.path, ["invoke", "--code", code.path, "--runtime", "nodejs22.x", "--handler", "index.handler",
                                                                  "--platform", "managed-instances", "--event", "-"], input: "{}")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("does not support callback-based function handlers when using Node.js 22 with Managed Instances"), "\(refused.stderr)")
        let lambda = try await TestSupport.run(Binary.url.path, ["invoke", "--code", code.path, "--runtime", "nodejs22.x", "--handler", "index.handler",
                                                                 "--event", "-"], input: "{}")
        #expect(lambda.status == 0 && lambda.stdout.contains("1"), "\(lambda.stderr)")
    }
}
