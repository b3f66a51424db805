import Foundation
import Testing
import TestSupport

/// `lambda-async serve` driven by real clients: boto3, the AWS CLI, plain HTTP.
@Suite(.timeLimit(.minutes(10))) struct ServeTests {
    /// A running `serve` of a project; stopped with SIGINT, as Ctrl-C does.
    final class Server {
        let process = Process()
        private(set) var port = 0
        let log: URL

        /// Port 0: the system picks a free one, and serve prints it.
        init(project: URL, arguments: [String] = [], environment: [String: String] = [:]) async throws {
            log = project.appendingPathComponent("serve.log")
            try Data().write(to: log)
            process.executableURL = Binary.url
            process.arguments = ["serve", project.path, "--port", "0"] + arguments
            if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: log)
            try process.run()
            let deadline = Date().addingTimeInterval(20)
            while !(try String(contentsOf: log, encoding: .utf8)).contains("Ctrl-C stops"), Date() < deadline {
                try? await Task.sleep(nanoseconds: 50_000_000)
            }
            port = ServeTests.port(in: output, after: "on http://127.0.0.1:")
        }

        var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        /// Waits until `text` appears `count` times in the log (records are logged when invocations end).
        func waitFor(_ text: String, count: Int = 1, seconds: Double = 20) async {
            let deadline = Date().addingTimeInterval(seconds)
            while output.components(separatedBy: text).count - 1 < count, Date() < deadline { try? await Task.sleep(nanoseconds: 50_000_000) }
        }

        func stop() -> Int32 {
            kill(process.processIdentifier, SIGINT)
            process.waitUntilExit()
            return process.terminationStatus
        }

        deinit { if process.isRunning { process.terminate() } }
    }

    /// The port printed after `marker` in a server's banner.
    static func port(in text: String, after marker: String) -> Int {
        guard let range = text.range(of: marker) else { return 0 }
        return Int(text[range.upperBound...].prefix { $0.isNumber }) ?? 0
    }

    static func project(_ arguments: [String], edit: ((URL) throws -> Void)? = nil) async throws -> (parent: URL, project: URL) {
        let parent = try makeTemporaryDirectory()
        let project = parent.appendingPathComponent("app")
        let created = try await TestSupport.run(Binary.url.path, ["new", project.path] + arguments)
        #expect(created.status == 0, "\(created.stderr)")
        try edit?(project)
        return (parent, project)
    }

    /// Sets a Globals environment variable of a generated template (they all declare SYNC_MS and TASK_MS).
    static func setTaskMilliseconds(_ milliseconds: Int, in project: URL) throws {
        let url = project.appendingPathComponent("template.yaml")
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "TASK_MS: \"0\"", with: "TASK_MS: \"\(milliseconds)\"")
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    @Test func anEditedFunctionStartsColdWithItsNewCode() async throws {
        let (parent, project) = try await Self.project(["--strategy", "custom-runtime"])
        defer { try? FileManager.default.removeItem(at: parent) }
        let server = try await Server(project: project)
        func invoke(_ orderId: String) async throws -> String {
            let result = try await TestSupport.run("python3", ["-c", """
                import sys, urllib.request
                url = f"http://127.0.0.1:{sys.argv[1]}/2015-03-31/functions/ApiFunction/invocations"
                print(urllib.request.urlopen(urllib.request.Request(url, data=sys.argv[2].encode())).read().decode())
                """, String(server.port), #"{"orderId": "\#(orderId)"}"#])
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout
        }
        await #expect(try invoke("o-1").contains(#"\"status\": \"accepted\""#))
        let app = project.appendingPathComponent("src/app.py")
        let code = try String(contentsOf: app, encoding: .utf8)
        #expect(code.contains(#""status": "accepted""#))
        try code.replacingOccurrences(of: #""status": "accepted""#, with: #""status": "edited""#).write(to: app, atomically: true, encoding: .utf8)
        await server.waitFor("ApiFunction: code changed")
        await #expect(try invoke("o-2").contains(#"\"status\": \"edited\""#), "\(server.output)")
        // The edited code's unpacked copy replaced the first one: one copy per function, however many edits.
        let copies = try FileManager.default.contentsOfDirectory(atPath: project.appendingPathComponent(".lambda-async/run").path)
        #expect(copies.count == 1, "\(copies)")
        #expect(server.stop() == 130)
        // Both invocations were cold starts: the edit shut the first environment down.
        let records = server.output.split(separator: "\n").filter { $0.hasPrefix("ApiFunction ") && $0.contains(" billed ") }
        #expect(records.count == 2 && records.allSatisfy { $0.contains(", init ") }, "\(server.output)")
    }

    @Test func aFunctionURLWithCorsAnswersPreflightsItselfAndTagsResponses() async throws {
        let (parent, project) = try await Self.project(["--strategy", "custom-runtime", "--public"]) { project in
            let url = project.appendingPathComponent("template.yaml")
            let text = try String(contentsOf: url, encoding: .utf8)
            #expect(text.contains("        AuthType: NONE\n"))
            try text.replacingOccurrences(of: "        AuthType: NONE\n", with: """
                        AuthType: NONE
                        Cors:
                          AllowOrigins: ["http://localhost:3000"]
                          AllowMethods: [POST]
                          AllowHeaders: [content-type]
                          MaxAge: 300

                """).write(to: url, atomically: true, encoding: .utf8)
        }
        defer { try? FileManager.default.removeItem(at: parent) }
        let server = try await Server(project: project)
        let client = """
            import http.client, json, sys
            port = int(sys.argv[1])
            def call(method, headers, body=None):
                c = http.client.HTTPConnection("127.0.0.1", port)
                c.request(method, "/urls/ApiFunction/", body=body, headers=headers)
                r = c.getresponse()
                return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode()
            status, headers, _ = call("OPTIONS", {"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST",
                                                  "Access-Control-Request-Headers": "content-type"})
            print("preflight", status, headers.get("access-control-allow-origin"), headers.get("access-control-allow-methods"),
                  headers.get("access-control-max-age"))
            status, headers, body = call("POST", {"Origin": "http://localhost:3000", "Content-Type": "application/json"},
                                         json.dumps({"orderId": "o-cors"}))
            print("post", status, headers.get("access-control-allow-origin"), json.loads(body)["orderId"])
            status, headers, _ = call("POST", {"Origin": "https://elsewhere.example"}, "{}")
            print("other", status, headers.get("access-control-allow-origin"))
            """
        let result = try await TestSupport.run("python3", ["-c", client, String(server.port)])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("preflight 200 http://localhost:3000 POST 300"), "\(result.stdout)")
        // The order came in the request's body: the generated handler reads function URL events.
        #expect(result.stdout.contains("post 202 http://localhost:3000 o-cors"), "\(result.stdout)")
        #expect(result.stdout.contains("other 202 None"), "\(result.stdout)")
        #expect(server.stop() == 130)
        #expect(server.output.contains("URL /urls/ApiFunction/ (BUFFERED, NONE, CORS)"))
        // Two invocations: the preflight never reached the function.
        let records = server.output.split(separator: "\n").filter { $0.hasPrefix("ApiFunction ") && $0.contains(" billed ") }
        #expect(records.count == 2, "\(server.output)")
    }

    @Test func aPortInUseIsSaidWithTheFix() async throws {
        let (parent, project) = try await Self.project(["--strategy", "custom-runtime"])
        defer { try? FileManager.default.removeItem(at: parent) }
        let first = try await Server(project: project)
        let second = try await TestSupport.run(Binary.url.path, ["serve", project.path, "--port", String(first.port)])
        #expect(second.status == 1)
        #expect(second.stderr.contains("cannot listen on 127.0.0.1:\(first.port): another program is using that port; choose another with --port, or 0 for a free one"),
                "\(second.stderr)")
        #expect(first.stop() == 130)
    }

    @Test func aCallersClientContextAndLogTailWork() async throws {
        let project = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: project) }
        for (path, text) in [
            ("template.yaml", """
                Transform: AWS::Serverless-2016-10-31
                Resources:
                  PyFunction: {Type: AWS::Serverless::Function, Properties: {CodeUri: src/, Handler: app.handler, Runtime: python3.13}}
                  NodeFunction: {Type: AWS::Serverless::Function, Properties: {CodeUri: src/, Handler: index.handler, Runtime: nodejs22.x}}
                """),
            ("src/app.py", """
                def handler(event, context):
                    print("handled", context.aws_request_id, flush=True)
                    cc = context.client_context
                    return None if cc is None else {"tenant": cc.custom["tenant"], "app": cc.client.app_title}
                """),
            ("src/index.mjs", "export const handler = async (event, context) => context.clientContext ?? null;\n"),
        ] {
            let url = project.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let server = try await Server(project: project)
        let client = """
            import base64, json, sys
            import boto3
            from botocore.config import Config
            lam = boto3.client("lambda", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", region_name="us-east-1",
                               aws_access_key_id="x", aws_secret_access_key="x", config=Config(retries={"max_attempts": 0}))
            context = base64.b64encode(json.dumps({"client": {"app_title": "orders-app"}, "custom": {"tenant": "t-1"}, "env": {}}).encode()).decode()
            for name in ("PyFunction", "NodeFunction"):
                print(name, json.loads(lam.invoke(FunctionName=name, ClientContext=context, Payload=b"{}")["Payload"].read()))
                print(name, "without", json.loads(lam.invoke(FunctionName=name, Payload=b"{}")["Payload"].read()))
            # LogType Tail: the end of the invocation's log, as the AWS CLI's --log-type Tail shows it.
            tail = lam.invoke(FunctionName="PyFunction", LogType="Tail", Payload=b"{}")
            log = base64.b64decode(tail["LogResult"]).decode().splitlines()
            print("tail", log[0].startswith("START RequestId: "), log[1].startswith("handled "), log[-2].startswith("END RequestId: "),
                  log[-1].startswith("REPORT RequestId: "), json.loads(tail["Payload"].read()))
            try:
                lam.invoke(FunctionName="PyFunction", ClientContext="bm90IGpzb24=", Payload=b"{}")  # "not json"
            except lam.exceptions.InvalidRequestContentException as e:
                print("refused", e.response["Error"]["Message"])
            """
        let result = try await TestSupport.run("python3", ["-c", client, String(server.port)])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("PyFunction {'tenant': 't-1', 'app': 'orders-app'}"), "\(result.stdout)")
        #expect(result.stdout.contains("NodeFunction {'client': {'app_title': 'orders-app'}, 'custom': {'tenant': 't-1'}, 'env': {}}"), "\(result.stdout)")
        #expect(result.stdout.contains("PyFunction without None") && result.stdout.contains("NodeFunction without None"), "\(result.stdout)")
        #expect(result.stdout.contains("refused Client context must be a valid Base64-encoded JSON object."), "\(result.stdout)")
        #expect(result.stdout.contains("tail True True True True None"), "\(result.stdout)")
        #expect(server.stop() == 130)
    }

    /// The records of one of the project's queues in serve's local AWS, read live with
    /// `lambda-async resources`, once it holds `count` of them (or after 20 s).
    static func queuedRecords(_ project: URL, queue: String, count: Int) async throws -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(20)
        var records: [[String: Any]] = []
        repeat {
            let shown = try await TestSupport.run(Binary.url.path, ["resources", project.path, "--format", "json"])
            let snapshot = (try? JSONSerialization.jsonObject(with: Data(shown.stdout.utf8))) as? [String: Any] ?? [:]
            let found = (snapshot["resources"] as? [[String: Any]] ?? []).first { $0["logicalID"] as? String == queue }
            records = (found?["records"] as? [String] ?? []).compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            if records.count >= count { break }
            try await Task.sleep(nanoseconds: 200_000_000)
        } while Date() < deadline
        return records
    }

    @Test func anAsyncInvokeProjectRunsEndToEndWithRetriesAndADestination() async throws {
        let (parent, project) = try await Self.project(["--strategy", "async-invoke"])
        defer { try? FileManager.default.removeItem(at: parent) }
        let server = try await Server(project: project)
        let client = """
            import boto3, json, sys, time
            from botocore.config import Config
            lam = boto3.client("lambda", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", region_name="us-east-1",
                               aws_access_key_id="x", aws_secret_access_key="x", config=Config(retries={"max_attempts": 0}))
            ok = lam.invoke(FunctionName="ApiFunction", Payload=json.dumps({"orderId": "o-1"}))
            print("sync", ok["StatusCode"], json.loads(json.loads(ok["Payload"].read())["body"]))
            failing = lam.invoke(FunctionName="ApiFunction", Payload=json.dumps({"orderId": "o-2", "fail": True}))
            print("sync-with-failing-task", failing["StatusCode"], failing.get("FunctionError"))
            event = lam.invoke(FunctionName="WorkerFunction", InvocationType="Event", Payload=json.dumps({"orderId": "o-3"}))
            print("event", event["StatusCode"])
            error = lam.invoke(FunctionName="WorkerFunction", Payload=json.dumps({"orderId": "o-5", "fail": True}))
            print("function-error", error["StatusCode"], error.get("FunctionError"), json.loads(error["Payload"].read())["errorType"])
            dry = lam.invoke(FunctionName="WorkerFunction", InvocationType="DryRun")
            print("dryrun", dry["StatusCode"])
            try:
                lam.invoke(FunctionName="Nope", Payload=b"{}")
            except lam.exceptions.ResourceNotFoundException:
                print("unknown ResourceNotFoundException")
            # Looking functions up, as tools do before invoking: listed, Active, their settings.
            print("listed", sorted(f["FunctionName"] for f in lam.list_functions()["Functions"]))
            lam.get_waiter("function_active_v2").wait(FunctionName="WorkerFunction")
            config = lam.get_function_configuration(FunctionName="WorkerFunction")
            print("configuration", config["State"], config["Runtime"], config["Timeout"], sorted(config["Environment"]["Variables"]))
            # Lambda's payload limits: 1 MB for an asynchronous event, 6 MB for a synchronous one.
            big = json.dumps({"orderId": "o-6", "pad": "x" * 1_048_576}).encode()
            for kind, payload in (("Event", big), ("RequestResponse", big + b" " * (5 * 1_048_576))):
                try:
                    lam.invoke(FunctionName="WorkerFunction", InvocationType=kind, Payload=payload)
                except lam.exceptions.RequestTooLargeException as e:
                    print("too-large", kind, e.response["ResponseMetadata"]["HTTPStatusCode"])
            """
        let result = try await TestSupport.run("python3", ["-c", client, String(server.port)])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("sync 200 {'orderId': 'o-1', 'status': 'accepted'}"))
        #expect(result.stdout.contains("sync-with-failing-task 200 None"))
        #expect(result.stdout.contains("event 202"))
        #expect(result.stdout.contains("function-error 200 Unhandled TaskError"))
        #expect(result.stdout.contains("dryrun 204"))
        #expect(result.stdout.contains("unknown ResourceNotFoundException"))
        #expect(result.stdout.contains("listed ['ApiFunction', 'WorkerFunction']"), "\(result.stdout)")
        #expect(result.stdout.contains("configuration Active python3.14 30 ['SYNC_MS', 'TASK_MS']"), "\(result.stdout)")
        #expect(result.stdout.contains("too-large Event 413"), "\(result.stdout)")
        #expect(result.stdout.contains("too-large RequestResponse 413"), "\(result.stdout)")

        // The AWS CLI speaks to it too.
        let out = parent.appendingPathComponent("out.json")
        let cli = try await TestSupport.run("aws", ["lambda", "invoke", "--endpoint-url", "http://127.0.0.1:\(server.port)", "--region", "us-east-1",
                                              "--function-name", "WorkerFunction",
                                              "--payload", #"{"orderId": "o-4"}"#, out.path],
                                      environment: ["AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"])
        #expect(cli.status == 0, "\(cli.stderr)")
        #expect(cli.stdout.contains("\"StatusCode\": 200"))
        #expect(try String(contentsOf: out, encoding: .utf8).contains("\"recorded\": true"))

        // The failing task: the worker (invoked by ApiFunction through serve) is tried 1 + 2 times,
        // then Lambda's destination record lands in the project's queue, in serve's local AWS, read
        // live by `lambda-async resources` while serve runs.
        let records = try await Self.queuedRecords(project, queue: "FailedTasksQueue", count: 1)
        #expect(server.stop() == 130)
        #expect(server.output.contains("sent to FailedTasksQueue (SQS queue, local AWS)"), "\(server.output)")
        #expect(server.output.contains("local AWS: FailedTasksQueue (SQS queue): 1 message"), "\(server.output)")
        // The event answered 202 at once, and then ran.
        #expect(server.output.split(separator: "\n").contains { $0.contains(#""message": "task done""#) && $0.contains(#""orderId": "o-3""#) },
                "\(server.output)")
        #expect(records.count == 1)
        let record = try #require(records.first)
        let context = record["requestContext"] as! [String: Any]
        #expect(context["condition"] as? String == "RetriesExhausted")
        #expect(context["approximateInvokeCount"] as? Int == 3)
        #expect((record["requestPayload"] as? [String: Any])?["orderId"] as? String == "o-2")
        #expect((record["responseContext"] as? [String: Any])?["functionError"] as? String == "Unhandled")
        #expect(server.output.components(separatedBy: "WorkerFunction async").count - 1 >= 3, "\(server.output)")
        // Every attempt of the event ran with the request id its 202 gave and its failure record has,
        // as Lambda's retries do (idempotency code keys on it).
        let failedId = context["requestId"] as? String ?? "?"
        #expect(server.output.split(separator: "\n").filter { $0.contains(#""message": "task started""#) && $0.contains(#""requestId": "\#(failedId)""#) }.count == 3,
                "\(failedId) \(server.output)")
    }

    @Test func aStreamingFunctionURLAnswersChunkByChunkBeforeTheFunctionEnds() async throws {
        let (parent, project) = try await Self.project(["--strategy", "streaming", "--language", "node"]) { project in
            try Self.setTaskMilliseconds(600, in: project)
            // A second, slower stream: two chunks 400 ms apart.
            try """
                export const handler = awslambda.streamifyResponse(async (event, stream) => {
                  const caller = event.requestContext?.authorizer?.iam?.accessKey ?? "none";
                  stream = awslambda.HttpResponseStream.from(stream, { statusCode: 201, headers: { "x-kind": "chunks", "x-caller": caller } });
                  stream.write("first;");
                  await new Promise((resolve) => setTimeout(resolve, 400));
                  stream.write("second");
                  stream.end();
                });
                """.write(to: project.appendingPathComponent("src/chunks.mjs"), atomically: true, encoding: .utf8)
            let url = project.appendingPathComponent("template.yaml")
            let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "\nOutputs:", with: """

                  ChunksFunction:
                    Type: AWS::Serverless::Function
                    Properties:
                      CodeUri: src/
                      Handler: chunks.handler
                      FunctionUrlConfig:
                        AuthType: AWS_IAM
                        InvokeMode: RESPONSE_STREAM

                Outputs:
                """)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        defer { try? FileManager.default.removeItem(at: parent) }
        // AWS_IAM URLs check signatures against the keys serve is started with.
        let server = try await Server(project: project, environment: ["AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret"])
        let client = """
            import http.client, json, subprocess, sys, time
            from botocore.auth import SigV4Auth
            from botocore.awsrequest import AWSRequest
            from botocore.credentials import Credentials
            port = int(sys.argv[1])
            def signed(method, path, body=b"", secret="secret"):
                request = AWSRequest(method=method, url=f"http://127.0.0.1:{port}{path}", data=body)
                SigV4Auth(Credentials("AKIDTEST", secret), "lambda", "us-east-1").add_auth(request)
                return dict(request.headers)
            def status(method, path, body, headers):
                c = http.client.HTTPConnection("127.0.0.1", port)
                c.request(method, path, body=body, headers=headers)
                r = c.getresponse()
                r.read()
                return r.status
            # Forgeries: another secret, a body changed after signing, a signature from 2001.
            order = json.dumps({"orderId": "o-8"}).encode()
            old = signed("POST", "/urls/ApiFunction/", order)
            old["X-Amz-Date"] = "20010101T000000Z"
            print("forged", status("POST", "/urls/ApiFunction/", order, signed("POST", "/urls/ApiFunction/", order, secret="guessed")),
                  status("POST", "/urls/ApiFunction/", b'{"orderId": "o-666"}', signed("POST", "/urls/ApiFunction/", order)),
                  status("POST", "/urls/ApiFunction/", order, old))
            # Both URLs are AWS_IAM: unsigned requests are turned away, as Lambda does.
            c = http.client.HTTPConnection("127.0.0.1", port)
            c.request("POST", "/urls/ApiFunction/orders", body=b"{}")
            r = c.getresponse()
            print("unsigned", r.status, r.getheader("x-amzn-ErrorType"), r.read().decode())
            # Warm first (a cold start on a loaded machine takes as long as the task): the timed call
            # measures the response against the work after it.
            warm = json.dumps({"orderId": "o-7"}).encode()
            status("POST", "/urls/ApiFunction/orders", warm, signed("POST", "/urls/ApiFunction/orders", warm))
            time.sleep(0.8)  # its task done, its environment free again
            c = http.client.HTTPConnection("127.0.0.1", port)
            body = json.dumps({"orderId": "o-9"}).encode()
            start = time.perf_counter()
            c.request("POST", "/urls/ApiFunction/orders?source=test", body=body, headers=signed("POST", "/urls/ApiFunction/orders?source=test", body))
            r = c.getresponse()
            body = r.read()
            print("order", r.status, body.decode(), round((time.perf_counter() - start) * 1000))
            # The generated README's command.
            curl = subprocess.run(["curl", "-s", "-N", "-d", '{"orderId": "o-10"}', f"http://127.0.0.1:{port}/urls/ApiFunction/",
                                   "--aws-sigv4", "aws:amz:us-east-1:lambda", "--user", "AKIDTEST:secret"], capture_output=True, text=True)
            print("curl", curl.stdout)
            c = http.client.HTTPConnection("127.0.0.1", port)
            c.request("GET", "/urls/ChunksFunction/", headers=signed("GET", "/urls/ChunksFunction/"))
            r = c.getresponse()
            print("caller", r.getheader("x-caller"))
            start = time.perf_counter()
            first = r.read1(64)
            t1 = time.perf_counter()
            rest = r.read()
            t2 = time.perf_counter()
            print("chunks", r.status, r.getheader("x-kind"), first.decode(), rest.decode(), round((t2 - t1) * 1000))
            import boto3
            lam = boto3.client("lambda", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                               aws_access_key_id="x", aws_secret_access_key="x")
            stream = lam.invoke_with_response_stream(FunctionName="ChunksFunction", Payload=b"{}")
            payload, complete = b"", None
            for event in stream["EventStream"]:
                if "PayloadChunk" in event:
                    payload += event["PayloadChunk"]["Payload"]
                if "InvokeComplete" in event:
                    complete = event["InvokeComplete"]
            print("sdk-stream", payload.split(bytes(8))[-1].decode(), complete is not None and "ErrorCode" not in complete)
            """
        let result = try await TestSupport.run("python3", ["-c", client, String(server.port)])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(#"unsigned 403 AccessDeniedException {"Message":"Forbidden"}"#), "\(result.stdout)")
        #expect(result.stdout.contains(#"curl {"orderId":"o-10","status":"accepted"}"#), "\(result.stdout)")
        #expect(result.stdout.contains("caller AKIDTEST"), "\(result.stdout)")
        #expect(result.stdout.contains("forged 403 403 403"), "\(result.stdout)")
        let order = result.stdout.split(separator: "\n").first { $0.hasPrefix("order") }?.split(separator: " ") ?? []
        #expect(order.count == 4)
        #expect(order.dropFirst().first == "202")
        #expect(order.count == 4 && order[2] == #"{"orderId":"o-9","status":"accepted"}"#)
        // The whole response arrived well before the 600 ms task after it ended.
        #expect((Int(order.last ?? "") ?? 9999) < 450, "\(result.stdout)")
        let chunks = result.stdout.split(separator: "\n").first { $0.hasPrefix("chunks") }?.split(separator: " ") ?? []
        #expect(chunks.count == 6 && chunks[1] == "201" && chunks[2] == "chunks" && chunks[3] == "first;" && chunks[4] == "second", "\(result.stdout)")
        #expect((Int(chunks.last ?? "") ?? 0) >= 300, "the first chunk did not arrive before the second: \(result.stdout)")
        #expect(result.stdout.contains("sdk-stream first;second True"), "\(result.stdout)")
        #expect(server.stop() == 130)
        // The function's invocation went on after the response: billed for the task.
        #expect(server.output.contains("ApiFunction"))
        #expect(server.output.contains("URL /urls/ChunksFunction/ (RESPONSE_STREAM, AWS_IAM)"))
        #expect(server.output.contains("ApiFunction URL: 403 Forbidden: AuthType AWS_IAM takes only requests signed with SigV4"))
    }

    /// A stop while the work after the response still runs: the invocation is reported as interrupted
    /// (serve's log line, the REPORT status), not as a short success.
    @Test func aStopDuringTheWorkAfterTheResponseIsReportedAsInterrupted() async throws {
        let (parent, project) = try await Self.project(["--strategy", "custom-runtime"]) { try Self.setTaskMilliseconds(3000, in: $0) }
        defer { try? FileManager.default.removeItem(at: parent) }
        let server = try await Server(project: project, arguments: ["--isolation", "none"])
        let answered = try await TestSupport.run("python3", ["-c", """
            import sys, urllib.request
            url = f"http://127.0.0.1:{sys.argv[1]}/2015-03-31/functions/ApiFunction/invocations"
            print(urllib.request.urlopen(urllib.request.Request(url, data=b'{"orderId": "o-1"}'), timeout=30).read().decode())
            """, String(server.port)])
        #expect(answered.stdout.contains("accepted"), "\(answered.stderr)")
        await server.waitFor("task started")
        #expect(server.stop() == 130)
        let line = server.output.split(separator: "\n").first { $0.hasPrefix("ApiFunction ") && $0.contains(" billed ") }
        #expect(line?.contains("interrupted: the work after the response was cut off") == true, "\(server.output)")
    }

    @Test func anExtensionProjectAndConcurrencyAndAStopThatKeepsQueuedEvents() async throws {
        let (parent, project) = try await Self.project(["--strategy", "extension"]) { try Self.setTaskMilliseconds(700, in: $0) }
        defer { try? FileManager.default.removeItem(at: parent) }
        let server = try await Server(project: project, arguments: ["--concurrency", "2"])
        let client = """
            import concurrent.futures, json, sys, time, urllib.request
            port = int(sys.argv[1])
            url = f"http://127.0.0.1:{port}/2015-03-31/functions/ApiFunction/invocations"
            def call(i):
                start = time.perf_counter()
                with urllib.request.urlopen(urllib.request.Request(url, data=json.dumps({"orderId": f"o-{i}"}).encode(), method="POST")) as r:
                    return r.status, json.loads(json.loads(r.read())["body"])["orderId"], time.perf_counter() - start
            with concurrent.futures.ThreadPoolExecutor(2) as pool:
                results = list(pool.map(call, range(2)))
            print("parallel", sorted(r[1] for r in results), all(r[0] == 200 for r in results))
            for i in range(3):
                req = urllib.request.Request(url, data=b"{}", method="POST", headers={"X-Amz-Invocation-Type": "Event"})
                urllib.request.urlopen(req).read()
            print("queued")
            """
        let result = try await TestSupport.run("python3", ["-c", client, String(server.port)])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("parallel ['o-0', 'o-1'] True"))
        // Two environments, each with its own cold start.
        await server.waitFor(", init ", count: 2)
        #expect(server.output.components(separatedBy: ", init ").count - 1 == 2, "\(server.output)")
        #expect(server.stop() == 130)
        // 3 events at 700 ms each, stopped at once: every one not settled is kept, and said.
        #expect(server.output.contains("queued asynchronous event(s) of ApiFunction in .lambda-async/queue: they run when serve starts again"),
                "\(server.output)")
        let kept = (try? FileManager.default.contentsOfDirectory(atPath: project.appendingPathComponent(".lambda-async/queue/ApiFunction").path)) ?? []
        #expect(!kept.isEmpty)
        // The next serve runs them and empties the queue.
        let next = try await Server(project: project, arguments: ["--concurrency", "2"])
        await next.waitFor("accepted by an earlier run and not settled run now")
        await next.waitFor(" billed ", count: kept.count)
        #expect(next.output.contains("ApiFunction: \(kept.count) asynchronous event(s) accepted by an earlier run"), "\(next.output)")
        #expect(next.stop() == 130)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: project.appendingPathComponent(".lambda-async/queue/ApiFunction").path)) ?? []).isEmpty)
    }
}

/// A Node.js async-invoke project runs locally too: the runner stands in for the AWS SDK the runtime ships.
@Suite(.timeLimit(.minutes(10))) struct NodeAsyncInvokeTests {
    @Test func theApiFunctionInvokesItsWorkerThroughServe() async throws {
        let (parent, project) = try await ServeTests.project(["--strategy", "async-invoke", "--language", "node"])
        defer { try? FileManager.default.removeItem(at: parent) }
        let server = try await ServeTests.Server(project: project)
        let call = try await TestSupport.run("python3", ["-c", """
            import json, sys, urllib.request
            url = f"http://127.0.0.1:{sys.argv[1]}/2015-03-31/functions/ApiFunction/invocations"
            with urllib.request.urlopen(urllib.request.Request(url, data=json.dumps({"orderId": "n-1", "fail": True}).encode(), method="POST")) as r:
                print(r.status, json.loads(json.loads(r.read())["body"])["status"])
            """, String(server.port)])
        #expect(call.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "200 accepted", "\(call.stderr)")
        let records = try await ServeTests.queuedRecords(project, queue: "FailedTasksQueue", count: 1)
        #expect(server.stop() == 130)
        let record = try #require(records.first, "\(server.output)")
        #expect((record["requestContext"] as? [String: Any])?["condition"] as? String == "RetriesExhausted")
        #expect((record["requestPayload"] as? [String: Any])?["orderId"] as? String == "n-1")
    }
}

/// Lambda's asynchronous queue is durable: `serve` killed with SIGKILL right after accepting 300
/// events loses none of them; the next `serve` runs every one (at least once).
@Suite(.timeLimit(.minutes(5))) struct DurableQueueTests {
    @Test func threeHundredEventsSurviveAKill() async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = parent.appendingPathComponent("app")
        let ran = parent.appendingPathComponent("ran.txt")
        try writeSingleFunctionProject(at: project, name: "Worker", runtime: "python3.11", extra: """
                  Environment:
                    Variables:
                      RAN_FILE: \(ran.path)

            """, files: [
            "app.py": """
                import os, time
                def handler(event, context):
                    time.sleep(0.02)
                    with open(os.environ["RAN_FILE"], "a") as f:
                        f.write(f"{event['n']}\\n")
                """,
        ])
        let first = try await ServeTests.Server(project: project, arguments: ["--isolation", "none", "--concurrency", "4"])
        let sent = try await TestSupport.run("python3", ["-c", """
            import http.client, json, sys
            connection = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=30)
            accepted = 0
            for n in range(300):
                connection.request("POST", "/2015-03-31/functions/Worker/invocations", body=json.dumps({"n": n}),
                                   headers={"X-Amz-Invocation-Type": "Event"})
                response = connection.getresponse()
                response.read()
                accepted += response.status == 202
            print(accepted)
            """, String(first.port)])
        // At once, as a crash would: no shutdown, no chance to save anything more.
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()
        #expect(sent.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "300", "\(sent.stderr)")
        func done() -> Set<String> {
            Set(((try? String(contentsOf: ran, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init))
        }
        let beforeRestart = done().count
        #expect(beforeRestart < 300, "the kill came after every event had run: nothing left to prove")

        let second = try await ServeTests.Server(project: project, arguments: ["--isolation", "none", "--concurrency", "4"])
        let deadline = Date().addingTimeInterval(60)
        while done().count < 300, Date() < deadline { try await Task.sleep(nanoseconds: 100_000_000) }
        #expect(done() == Set((0..<300).map(String.init)), "\(done().count) of 300 ran")
        #expect(second.output.contains("Worker: \(300 - beforeRestart)") || second.output.contains("accepted by an earlier run and not settled run now"),
                "\(second.output.prefix(2000))")
        await second.waitFor("billed", count: 300 - beforeRestart)
        #expect(second.stop() == 130)
    }
}

/// CloudWatch Logs at serve's port: what this run's functions wrote, in their log groups, for
/// `aws logs filter-log-events` and a test reading its function's logs back.
@Suite(.timeLimit(.minutes(5))) struct LocalLogsTests {
    @Test func filterLogEventsAnswersWhatTheFunctionsWrote() async throws {
        let project = try makeTemporaryDirectory("lambda-async-logs")
        defer { try? FileManager.default.removeItem(at: project) }
        try writeSingleFunctionProject(at: project, name: "Greeter", runtime: "python3.13", files: ["app.py": """
            import json

            def handler(event, context):
                print("plain line for " + event["name"])
                print(json.dumps({"kind": "greeting", "name": event["name"], "attempt": 2}))
                return "ok"

            """])
        let server = try await ServeTests.Server(project: project)
        let result = try await TestSupport.run("python3", ["-c", boto3ClientPreamble + """
            for name in ("ana", "bo"):
                lam.invoke(FunctionName="Greeter", Payload=json.dumps({"name": name}))
            time.sleep(0.5)
            logs = boto3.client("logs", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                                aws_access_key_id="x", aws_secret_access_key="x")
            print("GROUPS", [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]])
            events = logs.filter_log_events(logGroupName="/aws/lambda/Greeter")["events"]
            print("ALL", len(events), sum(e["message"].startswith("REPORT RequestId") for e in events))
            print("TERMS", [e["message"] for e in logs.filter_log_events(logGroupName="/aws/lambda/Greeter", filterPattern='"plain line" ana')["events"]])
            json_pattern = '{ ($.kind = "greeting") && ($.name = "bo") && $.attempt = 2 }'
            print("JSON", [json.loads(e["message"])["name"] for e in logs.filter_log_events(logGroupName="/aws/lambda/Greeter", filterPattern=json_pattern)["events"]])
            page = logs.filter_log_events(logGroupName="/aws/lambda/Greeter", limit=1)
            print("PAGE", len(page["events"]), "nextToken" in page)
            try:
                logs.filter_log_events(logGroupName="/aws/lambda/Nobody")
            except logs.exceptions.ResourceNotFoundException:
                print("UNKNOWN refused")
            try:
                logs.filter_log_events(logGroupName="/aws/lambda/Greeter", filterPattern="[ip, status]")
            except logs.exceptions.InvalidParameterException as e:
                print("PATTERN refused")
            """, String(server.port)])
        #expect(server.stop() == 130)
        #expect(result.stdout.contains("GROUPS ['/aws/lambda/Greeter']"), "\(result.stdout)\(result.stderr)")
        // Two lines and a REPORT per invocation.
        #expect(result.stdout.contains("ALL 6 2"), "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("TERMS ['plain line for ana']"), "\(result.stdout)")
        #expect(result.stdout.contains("JSON ['bo']"), "\(result.stdout)")
        #expect(result.stdout.contains("PAGE 1 True"), "\(result.stdout)")
        #expect(result.stdout.contains("UNKNOWN refused") && result.stdout.contains("PATTERN refused"), "\(result.stdout)")
    }
}
