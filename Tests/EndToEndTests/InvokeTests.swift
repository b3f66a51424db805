import Foundation
import Testing
import TestSupport

/// `lambda-async invoke` as a user runs it, on functions written for each case.
@Suite(.timeLimit(.minutes(10))) struct InvokeTests {
    /// A folder with files, some executable, and a unique marker for finding its processes.
    struct Function {
        let root: URL
        let marker = "la-test-\(UUID().uuidString.prefix(12))"

        init(_ files: [String: String], executable: Set<String> = []) throws {
            root = try makeTemporaryDirectory("lambda-async-fn")
            for (path, text) in files {
                let url = root.appendingPathComponent(path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try text.write(to: url, atomically: true, encoding: .utf8)
                try FileManager.default.setAttributes([.posixPermissions: executable.contains(path) ? 0o755 : 0o644], ofItemAtPath: url.path)
            }
        }

        func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

        /// Runs invoke with the marker in the function's environment; returns the result and the records.
        func invoke(_ arguments: [String], event: String = "{}", environment: [String: String] = [:]) async throws -> (ProcessResult, [[String: Any]]) {
            let report = root.appendingPathComponent("report-\(UUID().uuidString.prefix(6)).jsonl")
            let result = try await TestSupport.run(Binary.url.path, ["invoke"] + arguments + ["--event", "-", "--report", report.path, "--env", "MARKER=\(marker)"],
                                             environment: environment, input: event, directory: root)
            let lines = (try? String(contentsOf: report, encoding: .utf8))?.split(separator: "\n") ?? []
            let records = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            return (result, records)
        }

        /// Processes whose environment carries the marker: none may outlive the runner.
        func survivors() -> [String] {
            let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { Int($0) != nil } ?? []
            return pids.filter { pid in
                guard let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
                return environ.range(of: Data("MARKER=\(marker)".utf8)) != nil
            }
        }

        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    static func number(_ record: [String: Any], _ key: String) -> Double { (record[key] as? NSNumber)?.doubleValue ?? -1 }

    @Test func aCustomRuntimeAnswersBeforeItsPostResponseWorkAndIsBilledForIt() async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = parent.appendingPathComponent("cr")
        #expect(try await TestSupport.run(Binary.url.path, ["new", project.path, "--strategy", "custom-runtime"]).status == 0)
        let marker = "la-test-\(UUID().uuidString.prefix(12))"
        let report = parent.appendingPathComponent("report.jsonl")
        let result = try await TestSupport.run(Binary.url.path, ["invoke", project.path, "--env", "TASK_MS=400", "--env", "MARKER=\(marker)",
                                                            "--report", report.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"statusCode\": 202"))
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as! [String: Any]
        // Bounds with room for a loaded machine: waiting for the task would take at least 400 ms.
        #expect(Self.number(record, "responseMs") < 250, "the client waited for the task: \(record)")
        #expect(Self.number(record, "runtimeDoneMs") >= 400)
        #expect(Self.number(record, "billedDurationMs") >= 400)
        #expect(record["frozen"] as? Bool == true)
        #expect(result.stderr.contains("REPORT RequestId: "))
        #expect(result.stderr.contains("Init Duration: "))

        // The same function behind its URL: the sample request carries the order in its body.
        let url = try await TestSupport.run(Binary.url.path, ["invoke", project.path, "--event", project.appendingPathComponent("events/function-url.json").path])
        #expect(url.status == 0, "\(url.stderr)")
        #expect(url.stdout.contains(#"\"orderId\": \"order-1003\""#), "\(url.stdout)")
    }

    @Test func environmentFromTheTemplateAnEnvVarsFileAndFlagsInThatOrder() async throws {
        let function = try Function([
            "template.yaml": """
                Transform: AWS::Serverless-2016-10-31
                Resources:
                  EchoFunction:
                    Type: AWS::Serverless::Function
                    Properties:
                      CodeUri: src/
                      Handler: app.handler
                      Runtime: python3.13
                      Environment:
                        Variables: {FROM_TEMPLATE: template, LEVEL: template, ORDER: template}
                """,
            "src/app.py": """
                import json, os
                def handler(event, context):
                    return {k: os.environ.get(k) for k in ["FROM_TEMPLATE", "LEVEL", "ORDER", "SHARED", "FLAG"]}
                """,
            "env.json": #"{"Parameters": {"SHARED": "all", "LEVEL": "file", "FLAG": true}, "EchoFunction": {"ORDER": "file"}}"#,
            "typo.json": #"{"EchoFuntion": {"ORDER": "file"}}"#,
        ])
        defer { function.remove() }
        let (result, _) = try await function.invoke([function.root.path, "--env-vars", function.path("env.json"), "--env", "ORDER=flag"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                == #"{"FROM_TEMPLATE": "template", "LEVEL": "file", "ORDER": "flag", "SHARED": "all", "FLAG": "true"}"#)

        // A section naming no function is a typo: said, with the functions there are, for invoke and serve alike.
        for command in ["invoke", "serve"] {
            let typo = try await TestSupport.run(Binary.url.path, [command, function.root.path, "--env-vars", function.path("typo.json")])
            // Input the command cannot take: bad input (64), as every ProjectError.
            #expect(typo.status == 64, "\(command)")
            #expect(typo.stderr.contains("it sets variables for EchoFuntion, which is not a function of the template; use one of EchoFunction"),
                    "\(command): \(typo.stderr)")
        }
    }

    @Test func pythonAndNodeHandlersAndTheirErrors() async throws {
        let function = try Function([
            "app.py": """
                import os
                def handler(event, context):
                    if event.get("raise"):
                        raise ValueError("bad order")
                    if event.get("exit"):
                        os._exit(3)
                    if event.get("big"):
                        return "x" * (7 * 1024 * 1024)
                    return {"echo": event, "left": context.get_remaining_time_in_millis() > 0}
                """,
            "index.mjs": "export const handler = async (event, context) => ({ node: true, id: context.awsRequestId.length > 0 });\n",
            "callback.js": "exports.handler = (event, context, callback) => callback(null, { callback: true });\n",
        ])
        defer { function.remove() }
        let python = ["--code", function.root.path, "--runtime", "python3.13", "--handler", "app.handler"]
        let (ok, okRecords) = try await function.invoke(python, event: #"{"a": 1}"#)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == #"{"echo": {"a": 1}, "left": true}"#)
        #expect(okRecords.first?["error"] == nil || okRecords.first?["error"] is NSNull)

        let (raised, raisedRecords) = try await function.invoke(python, event: #"{"raise": true}"#)
        #expect(raised.status == 1)
        #expect(raised.stdout.contains(#""errorType": "ValueError""#))
        #expect(raisedRecords.first?["error"] as? String == "Unhandled")

        let (exited, exitedRecords) = try await function.invoke(python, event: #"{"exit": true}"#)
        #expect(exited.stdout.contains("Runtime exited with error: exit status 3"))
        #expect(exitedRecords.first?["error"] as? String == "Runtime.ExitError")

        let (big, bigRecords) = try await function.invoke(python, event: #"{"big": true}"#)
        #expect(big.stdout.contains("Function.ResponseSizeTooLarge"))
        #expect(bigRecords.first?["error"] as? String == "Function.ResponseSizeTooLarge")

        let (initError, initRecords) = try await function.invoke(["--code", function.root.path, "--runtime", "python3.13", "--handler", "missing.handler"])
        #expect(initError.status == 1)
        #expect(initError.stdout.contains("Unable to import module 'missing'"))
        #expect(initRecords.first?["error"] as? String == "Runtime.ImportModuleError")

        let (node, _) = try await function.invoke(["--code", function.root.path, "--runtime", "nodejs22.x", "--handler", "index.handler"])
        #expect(node.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == #"{"node":true,"id":true}"#, "\(node.stderr)")
        let (callback, _) = try await function.invoke(["--code", function.root.path, "--runtime", "nodejs22.x", "--handler", "callback.handler"])
        #expect(callback.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == #"{"callback":true}"#, "\(callback.stderr)")
        #expect(function.survivors().isEmpty)
    }

    @Test func anExternalExtensionKeepsTheEnvironmentUntilItsTaskIsDone() async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = parent.appendingPathComponent("ext")
        #expect(try await TestSupport.run(Binary.url.path, ["new", project.path, "--strategy", "extension", "--variant", "external"]).status == 0)
        let report = parent.appendingPathComponent("report.jsonl")
        let result = try await TestSupport.run(Binary.url.path, ["invoke", project.path, "--env", "TASK_MS=500", "--report", report.path])
        #expect(result.status == 0, "\(result.stderr)")
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as! [String: Any]
        #expect(Self.number(record, "responseMs") < 250, "\(record)")
        #expect(Self.number(record, "runtimeDoneMs") < 250, "\(record)")
        #expect(Self.number(record, "extensionsDoneMs") >= 500)
        #expect(Self.number(record, "durationMs") >= 500)
        #expect((record["doneMsByExtension"] as? [String: Any])?.keys.contains("ext-tasks") == true)
        #expect(result.stderr.contains("task done"))
    }

    @Test func aNodeStreamEndsBeforeTheWorkAfterItAndAnErrorMidStreamIsReported() async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = parent.appendingPathComponent("stream")
        #expect(try await TestSupport.run(Binary.url.path, ["new", project.path, "--strategy", "streaming", "--language", "node"]).status == 0)
        // Packaged first, and run from the zip, as it would be deployed.
        #expect(try await TestSupport.run(Binary.url.path, ["package", project.path]).status == 0)
        let report = parent.appendingPathComponent("report.jsonl")
        let result = try await TestSupport.run(Binary.url.path, [
            "invoke", "--code", project.appendingPathComponent(".lambda-async/build/ApiFunction.zip").path,
            "--runtime", "nodejs22.x", "--handler", "app.handler", "--env", "TASK_MS=500", "--report", report.path, "--event", "-",
        ], input: #"{"orderId": "o-7"}"#)
        #expect(result.status == 0, "\(result.stderr)")
        // The body on stdout; the HTTP integration prelude said on stderr.
        #expect(result.stdout.hasPrefix(#"{"orderId":"o-7","status":"accepted"}"#), "\(result.stdout.debugDescription)")
        #expect(result.stderr.contains(#"HTTP response prelude: {"statusCode":202,"headers":{"content-type":"application/json"}}"#))
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as! [String: Any]
        #expect(Self.number(record, "responseMs") < 250, "\(record)")
        #expect(Self.number(record, "runtimeDoneMs") >= 500)

        let function = try Function(["index.mjs": """
            export const handler = awslambda.streamifyResponse(async (event, stream) => {
              stream.write("partial ");
              throw new RangeError("ran out of rows");
            });
            """])
        defer { function.remove() }
        let (failed, records) = try await function.invoke(["--code", function.root.path, "--runtime", "nodejs22.x", "--handler", "index.handler"])
        #expect(failed.status == 1)
        #expect(failed.stdout.hasPrefix("partial "))
        #expect(failed.stdout.contains("ran out of rows"))
        #expect(records.first?["error"] as? String == "RangeError")
    }

    @Test func aBackgroundThreadWithoutAnExtensionIsFrozenUntilTheNextInvocation() async throws {
        let function = try Function(["app.py": """
            import os, threading, time
            def handler(event, context):
                path = os.path.join(os.environ["LAMBDA_TASK_ROOT"], "..", "..", "ticks")
                def tick():
                    for _ in range(20):
                        with open(os.environ["TICKS"], "a") as f:
                            f.write(f"{time.time()}\\n")
                        time.sleep(0.05)
                threading.Thread(target=tick).start()
                return "started"
            """])
        defer { function.remove() }
        let ticks = function.path("ticks")
        let (result, records) = try await function.invoke(["--isolation", "none", "--code", function.root.path, "--runtime", "python3.13", "--handler", "app.handler",
                                                     "--env", "TICKS=\(ticks)", "--repeat", "2", "--idle", "800"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(records.count == 2)
        let times = try String(contentsOfFile: ticks, encoding: .utf8).split(separator: "\n").compactMap { Double($0) }
        let gaps = zip(times, times.dropFirst()).map { $1 - $0 }
        // Frozen through the idle time: no tick for at least the 800 ms between invocations.
        #expect((gaps.max() ?? 0) >= 0.75, "ticks: \(times.count), gaps: \(gaps)")
        // And never finished: the environment ended with the thread still frozen.
        #expect(times.count < 20)

        // Without the freeze, the same thread runs on.
        try? FileManager.default.removeItem(atPath: ticks)
        _ = try await function.invoke(["--isolation", "none", "--code", function.root.path, "--runtime", "python3.13", "--handler", "app.handler",
                                 "--env", "TICKS=\(ticks)", "--repeat", "2", "--idle", "800", "--no-freeze"])
        let unfrozen = try String(contentsOfFile: ticks, encoding: .utf8).split(separator: "\n").compactMap { Double($0) }
        #expect(zip(unfrozen, unfrozen.dropFirst()).map { $1 - $0 }.max() ?? 1 < 0.5)
        #expect(function.survivors().isEmpty)
    }

    @Test func anExtensionThatNeverAsksForMoreRunsIntoTheTimeoutAndTheNextStartIsCold() async throws {
        let function = try Function([
            "code/app.py": "def handler(event, context):\n    return 'ok'\n",
            "layer/extensions/stuck": """
                #!/usr/bin/env python3
                import json, os, time, urllib.request
                base = f"http://{os.environ['AWS_LAMBDA_RUNTIME_API']}/2020-01-01/extension"
                r = urllib.request.Request(base + "/register", data=json.dumps({"events": ["INVOKE", "SHUTDOWN"]}).encode(),
                                           headers={"Lambda-Extension-Name": "stuck"}, method="POST")
                ident = urllib.request.urlopen(r).headers["Lambda-Extension-Identifier"]
                urllib.request.urlopen(urllib.request.Request(base + "/event/next", headers={"Lambda-Extension-Identifier": ident})).read()
                time.sleep(3600)  # the trap: never asks for the next event again
                """,
        ], executable: ["layer/extensions/stuck"])
        defer { function.remove() }
        let (result, records) = try await function.invoke(["--code", function.path("code"), "--runtime", "python3.13", "--handler", "app.handler",
                                                     "--layer", function.path("layer"), "--timeout", "1", "--repeat", "2"])
        #expect(result.status == 1)
        #expect(records.count == 2)
        for record in records {
            #expect(record["error"] as? String == "Sandbox.Timedout", "\(result.stderr)")
            #expect(Self.number(record, "durationMs") == 1000)
            #expect(record["initDurationMs"] != nil, "each invocation after a timeout starts cold")
        }
        // The response itself was not held back by the stuck extension.
        #expect(result.stdout.hasPrefix("\"ok\""))
        #expect(function.survivors().isEmpty)
    }

    @Test func aTelemetrySubscriberReceivesPlatformEventsAndLogLines() async throws {
        let function = try Function([
            "code/app.py": "def handler(event, context):\n    print('hello from the handler', flush=True)\n    return 'ok'\n",
            "layer/extensions/observer": """
                #!/usr/bin/env python3
                import http.server, json, os, threading, urllib.request
                received = []
                class Sink(http.server.BaseHTTPRequestHandler):
                    def log_message(self, *a): pass
                    def do_POST(self):
                        received.extend(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
                server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
                threading.Thread(target=server.serve_forever, daemon=True).start()
                api = os.environ["AWS_LAMBDA_RUNTIME_API"]
                r = urllib.request.Request(f"http://{api}/2020-01-01/extension/register", method="POST",
                                           data=json.dumps({"events": ["INVOKE", "SHUTDOWN"]}).encode(), headers={"Lambda-Extension-Name": "observer"})
                ident = urllib.request.urlopen(r).headers["Lambda-Extension-Identifier"]
                sub = {"schemaVersion": "2022-12-13", "types": ["platform", "function"],
                       "destination": {"protocol": "HTTP", "URI": f"http://sandbox.localdomain:{server.server_address[1]}"}}
                urllib.request.urlopen(urllib.request.Request(f"http://{api}/2022-07-01/telemetry", method="PUT",
                                       data=json.dumps(sub).encode(), headers={"Lambda-Extension-Identifier": ident})).read()
                while True:
                    event = json.load(urllib.request.urlopen(urllib.request.Request(f"http://{api}/2020-01-01/extension/event/next",
                                                             headers={"Lambda-Extension-Identifier": ident})))
                    if event["eventType"] == "SHUTDOWN":
                        # The last batch is on its way: wait for it within the 2 s SHUTDOWN budget.
                        import time; deadline = time.time() + 1.5
                        while sum(1 for e in received if e["type"] == "platform.report") < 2 and time.time() < deadline: time.sleep(0.02)
                        with open(os.environ["EVENTS"], "w") as f:
                            json.dump(received, f)
                        break
                """,
        ], executable: ["layer/extensions/observer"])
        defer { function.remove() }
        let events = function.path("events.json")
        let (result, records) = try await function.invoke(["--isolation", "none", "--code", function.path("code"), "--runtime", "python3.13", "--handler", "app.handler",
                                                     "--layer", function.path("layer"), "--repeat", "2", "--env", "EVENTS=\(events)"])
        #expect(result.status == 0, "\(result.stderr)")
        let received = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: events))) as! [[String: Any]]
        let types = received.map { $0["type"] as! String }
        #expect(types.filter { $0 == "platform.start" }.count == 2, "\(types)")
        #expect(types.filter { $0 == "platform.runtimeDone" }.count == 2, "\(types)")
        // The second report comes at shutdown, as Lambda delivers it after the environment thaws.
        #expect(types.filter { $0 == "platform.report" }.count == 2, "\(types)")
        // Text log format: a function's record is its line, a string.
        #expect(received.contains { ($0["type"] as? String) == "function" && ($0["record"] as? String) == "hello from the handler" })
        // The init phase's events, sent to a subscriber that subscribed during it.
        for type in ["platform.initStart", "platform.initRuntimeDone", "platform.initReport", "platform.telemetrySubscription", "platform.extension"] {
            #expect(types.contains(type), "\(type) missing from \(types)")
        }
        let report = received.first { $0["type"] as? String == "platform.report" }?["record"] as? [String: Any]
        #expect(report?["requestId"] as? String == records.first?["requestId"] as? String)
        #expect(((report?["metrics"] as? [String: Any])?["billedDurationMs"] as? Int ?? 0) >= 1)
    }

    @Test func telemetryBatchesFollowEachSubscribersBuffering() async throws {
        // One observer per buffering: TIMEOUT_MS 25 gets batches as they fall due, 30000 only the
        // one sent before SHUTDOWN. Each writes how many batches and events it got.
        let observer = """
            #!/usr/bin/env python3
            import http.server, json, os, sys, threading, urllib.error, urllib.request
            batches = []
            class Sink(http.server.BaseHTTPRequestHandler):
                def log_message(self, *a): pass
                def do_POST(self):
                    batches.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                    self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            api = os.environ["AWS_LAMBDA_RUNTIME_API"]
            name = os.path.basename(sys.argv[0])
            r = urllib.request.Request(f"http://{api}/2020-01-01/extension/register", method="POST",
                                       data=json.dumps({"events": ["SHUTDOWN"]}).encode(), headers={"Lambda-Extension-Name": name})
            ident = urllib.request.urlopen(r).headers["Lambda-Extension-Identifier"]
            def subscribe(timeout_ms):
                sub = {"schemaVersion": "2022-12-13", "types": ["platform"], "buffering": {"timeoutMs": timeout_ms},
                       "destination": {"protocol": "HTTP", "URI": f"http://sandbox.localdomain:{server.server_address[1]}"}}
                try:
                    return urllib.request.urlopen(urllib.request.Request(f"http://{api}/2022-07-01/telemetry", method="PUT",
                                                  data=json.dumps(sub).encode(), headers={"Lambda-Extension-Identifier": ident})).status
                except urllib.error.HTTPError as e:
                    return e.code
            refused = subscribe(5)  # below Lambda's 25 ms
            subscribe(int(os.environ["TIMEOUT_MS_" + name.upper()]))
            event = json.load(urllib.request.urlopen(urllib.request.Request(f"http://{api}/2020-01-01/extension/event/next",
                                                                              headers={"Lambda-Extension-Identifier": ident})))
            # The last batch is on its way: wait for it within the 2 s SHUTDOWN budget.
            import time; deadline = time.time() + 1.5
            # The invocations' events (the init phase's come too, as many as there are extensions).
            def invoke_events(): return sum(1 for b in batches for e in b if e["type"] in ("platform.start", "platform.runtimeDone", "platform.report"))
            while invoke_events() < 9 and time.time() < deadline: time.sleep(0.02)
            with open(os.environ["OUT_DIR"] + "/" + name, "w") as f:
                json.dump({"refused": refused, "batches": len(batches), "events": invoke_events()}, f)
            """
        let function = try Function([
            "code/app.py": "import time\ndef handler(event, context):\n    time.sleep(0.1)\n    return 'ok'\n",
            "layer/extensions/fast": observer,
            "layer/extensions/slow": observer,
        ], executable: ["layer/extensions/fast", "layer/extensions/slow"])
        defer { function.remove() }
        let (result, _) = try await function.invoke(["--isolation", "none", "--code", function.path("code"), "--runtime", "python3.13", "--handler", "app.handler",
                                               "--layer", function.path("layer"), "--repeat", "3",
                                               "--env", "OUT_DIR=\(function.root.path)", "--env", "TIMEOUT_MS_FAST=25", "--env", "TIMEOUT_MS_SLOW=30000"])
        #expect(result.status == 0, "\(result.stderr)")
        func outcome(_ name: String) throws -> [String: Int] {
            try JSONSerialization.jsonObject(with: Data(contentsOf: function.root.appendingPathComponent(name))) as! [String: Int]
        }
        let fast = try outcome("fast"), slow = try outcome("slow")
        #expect(fast["refused"] == 400 && slow["refused"] == 400)
        // platform.start, runtimeDone and report for each of the three invocations.
        #expect(fast["events"] == 9 && slow["events"] == 9, "fast \(fast), slow \(slow)")
        #expect(slow["batches"] == 1, "\(slow)")
        #expect((fast["batches"] ?? 0) >= 3, "\(fast)")
    }

    @Test func theRuntimeAPIAnswersLikeLambdaToOutOfOrderCalls() async throws {
        let function = try Function(["bootstrap": """
            #!/usr/bin/env python3
            import json, os, sys, urllib.request, urllib.error
            base = f"http://{os.environ['AWS_LAMBDA_RUNTIME_API']}/2018-06-01/runtime"
            def post(path, body=b"{}"):
                try:
                    with urllib.request.urlopen(urllib.request.Request(base + path, data=body, method="POST")) as r:
                        return r.status, json.loads(r.read())
                except urllib.error.HTTPError as e:
                    return e.code, json.loads(e.read())
            while True:
                with urllib.request.urlopen(base + "/invocation/next") as r:
                    rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
                    deadline = r.headers["Lambda-Runtime-Deadline-Ms"]
                print("bogus", *post("/invocation/not-a-request/response"), file=sys.stderr, flush=True)
                print("first", *post(f"/invocation/{rid}/response", json.dumps({"deadline": bool(deadline)}).encode()), file=sys.stderr, flush=True)
                print("second", *post(f"/invocation/{rid}/response"), file=sys.stderr, flush=True)
            """], executable: ["bootstrap"])
        defer { function.remove() }
        let (result, _) = try await function.invoke(["--code", function.root.path, "--runtime", "provided.al2023"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == #"{"deadline": true}"#)
        #expect(result.stderr.contains("bogus 400 {'errorMessage': 'Invalid request ID: not-a-request', 'errorType': 'InvalidRequestID'}"))
        #expect(result.stderr.contains("first 202 {'status': 'OK'}"))
        #expect(result.stderr.contains("second 403"))
        #expect(result.stderr.contains("InvalidStateTransition"))
    }

    @Test func ctrlCShutsTheSandboxDownAndExtensionsGetShutdown() async throws {
        let function = try Function([
            "code/app.py": "import os, time\ndef handler(event, context):\n    open(os.environ['STARTED_FILE'], 'w').close()\n    time.sleep(60)\n",
            "layer/extensions/watcher": """
                #!/usr/bin/env python3
                import json, os, urllib.request
                api = f"http://{os.environ['AWS_LAMBDA_RUNTIME_API']}/2020-01-01/extension"
                r = urllib.request.Request(api + "/register", method="POST", data=json.dumps({"events": ["SHUTDOWN"]}).encode(),
                                           headers={"Lambda-Extension-Name": "watcher"})
                ident = urllib.request.urlopen(r).headers["Lambda-Extension-Identifier"]
                event = json.load(urllib.request.urlopen(urllib.request.Request(api + "/event/next", headers={"Lambda-Extension-Identifier": ident})))
                open(os.environ["SHUTDOWN_FILE"], "w").write(event["shutdownReason"])
                """,
        ], executable: ["layer/extensions/watcher"])
        defer { function.remove() }
        let marker = function.path("shutdown.txt")
        let started = function.path("started")
        let process = Process()
        process.executableURL = Binary.url
        process.arguments = ["invoke", "--isolation", "none", "--code", function.path("code"), "--runtime", "python3.13", "--handler", "app.handler",
                             "--layer", function.path("layer"), "--timeout", "120", "--env", "MARKER=\(function.marker)",
                             "--env", "SHUTDOWN_FILE=\(marker)", "--env", "STARTED_FILE=\(started)"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Interrupted mid-invocation: by then the extension has registered and waits in /event/next.
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: started), Date() < deadline { try? await Task.sleep(nanoseconds: 50_000_000) }
        #expect(FileManager.default.fileExists(atPath: started), "the handler never started")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect((try? String(contentsOfFile: marker, encoding: .utf8)) == "spindown")
        #expect(function.survivors().isEmpty)
    }

    @Test func nothingSurvivesARunnerKilledMidInvocation() async throws {
        let function = try Function(["app.py": "import time\ndef handler(event, context):\n    open(event['started'], 'w').close()\n    time.sleep(60)\n"])
        defer { function.remove() }
        let started = function.path("started")
        let process = Process()
        process.executableURL = Binary.url
        process.arguments = ["invoke", "--isolation", "none", "--code", function.root.path, "--runtime", "python3.13", "--handler", "app.handler",
                             "--timeout", "120", "--env", "MARKER=\(function.marker)", "--event", "-"]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(#"{"started": "\#(started)"}"#.utf8))
        try input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: started), Date() < deadline { try? await Task.sleep(nanoseconds: 50_000_000) }
        #expect(FileManager.default.fileExists(atPath: started))
        #expect(!function.survivors().isEmpty, "the handler should be running")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let gone = Date().addingTimeInterval(5)
        while !function.survivors().isEmpty, Date() < gone { try? await Task.sleep(nanoseconds: 50_000_000) }
        #expect(function.survivors().isEmpty, "sandbox processes outlived a killed runner")
    }
}

/// `invoke --listen` serves Lambda's Invoke API, so SDK clients call the local function unchanged.
@Suite(.timeLimit(.minutes(10))) struct ListenTests {
    /// One Invoke API: the same client gets the same answers from `invoke --listen` and from `serve`.
    @Test func listenAnswersExactlyWhatServeAnswersForOneFunction() async throws {
        let project = try makeTemporaryDirectory("lambda-async-listen")
        defer { try? FileManager.default.removeItem(at: project) }
        try writeSingleFunctionProject(at: project, name: "Greeter", runtime: "python3.11", files: ["app.py": """
            def handler(event, context):
                if event.get("raise"):
                    raise KeyError("sku")
                return {"hello": event.get("name"), "client": (context.client_context.custom if context.client_context else None)}
            """])
        let client = boto3ClientPreamble + """
            def show(label, call):
                try:
                    r = call()
                    payload = r.get("Payload")
                    body = payload.read() if payload else b""
                    print(label, r["StatusCode"], r.get("FunctionError"), body.decode(), "LogResult" in r)
                except Exception as error:
                    print(label, type(error).__name__)
            context = base64.b64encode(json.dumps({"custom": {"tenant": "t-1"}}).encode()).decode()
            show("sync", lambda: lam.invoke(FunctionName="Greeter", Payload=json.dumps({"name": "ana"})))
            show("arn", lambda: lam.invoke(FunctionName="arn:aws:lambda:us-east-1:000000000000:function:Greeter", Payload=b"{}"))
            show("partial-arn", lambda: lam.invoke(FunctionName="000000000000:function:Greeter", Payload=b"{}"))
            show("error", lambda: lam.invoke(FunctionName="Greeter", Payload=json.dumps({"raise": True})))
            show("context", lambda: lam.invoke(FunctionName="Greeter", ClientContext=context, Payload=b"{}"))
            show("tail", lambda: lam.invoke(FunctionName="Greeter", LogType="Tail", Payload=b"{}"))
            show("event", lambda: lam.invoke(FunctionName="Greeter", InvocationType="Event", Payload=b"{}"))
            show("dryrun", lambda: lam.invoke(FunctionName="Greeter", InvocationType="DryRun", Payload=b"{}"))
            show("too-large", lambda: lam.invoke(FunctionName="Greeter", InvocationType="Event", Payload=b"x" * (1024 * 1024 + 1)))
            show("missing", lambda: lam.invoke(FunctionName="Missing", Payload=b"{}"))
            """
        var answers: [String: String] = [:]
        for runner in ["serve", "listen"] {
            let log = project.appendingPathComponent("\(runner).log")
            try Data().write(to: log)
            let process = Process()
            process.executableURL = Binary.url
            process.arguments = runner == "serve" ? ["serve", project.path, "--port", "0"] : ["invoke", project.path, "--listen"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: log)
            try process.run()
            defer { if process.isRunning { process.terminate() } }
            let deadline = Date().addingTimeInterval(20)
            var port = 0
            while port == 0, Date() < deadline {
                port = ServeTests.port(in: (try? String(contentsOf: log, encoding: .utf8)) ?? "", after: "http://127.0.0.1:")
                if port == 0 { try? await Task.sleep(nanoseconds: 50_000_000) }
            }
            let result = try await TestSupport.run("python3", ["-c", client, String(port)])
            #expect(result.status == 0, "\(result.stderr)")
            answers[runner] = result.stdout
            kill(process.processIdentifier, SIGINT)
            process.waitUntilExit()
            #expect(process.terminationStatus == 130, "\(runner) stopped by Ctrl-C")
        }
        #expect(answers["serve"]?.contains("sync 200 None {\"hello\": \"ana\", \"client\": null} False") == true, "\(answers)")
        #expect(answers["serve"]?.contains("partial-arn 200") == true)
        #expect(answers["serve"]?.contains("too-large RequestTooLargeException") == true)
        // Request ids differ from run to run; everything else is the same.
        let uuid = try NSRegularExpression(pattern: "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
        func normalized(_ text: String?) -> String {
            let text = text ?? ""
            return uuid.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "<request-id>")
        }
        #expect(normalized(answers["listen"]) == normalized(answers["serve"]), "\(answers)")
    }

    @Test func boto3AndPlainHTTPCallTheSandbox() async throws {
        let function = try InvokeTests.Function(["app.py": """
            def handler(event, context):
                print("greeting", event.get("name"), flush=True)
                if event.get("raise"):
                    raise KeyError("sku")
                return {"hello": event.get("name")}
            """])
        defer { function.remove() }
        let runner = Process()
        runner.executableURL = Binary.url
        runner.arguments = ["invoke", "--code", function.root.path, "--runtime", "python3.13", "--handler", "app.handler",
                            "--listen", "--env", "MARKER=\(function.marker)"]
        let banner = function.root.appendingPathComponent("listen.log")
        try Data().write(to: banner)
        runner.standardOutput = FileHandle.nullDevice
        runner.standardError = try FileHandle(forWritingTo: banner)
        try runner.run()
        defer { if runner.isRunning { runner.terminate() } }
        // Without --port the runner takes a free one and prints it.
        let deadline = Date().addingTimeInterval(20)
        var port = 0
        while port == 0, Date() < deadline {
            port = ServeTests.port(in: (try? String(contentsOf: banner, encoding: .utf8)) ?? "", after: "http://127.0.0.1:")
            if port == 0 { try? await Task.sleep(nanoseconds: 50_000_000) }
        }
        #expect(port != 0)
        let client = boto3ClientPreamble + """
            ok = lam.invoke(FunctionName="local-function", Payload=json.dumps({"name": "ana"}))
            print("ok", ok["StatusCode"], json.loads(ok["Payload"].read()))
            bad = lam.invoke(FunctionName="local-function", Payload=json.dumps({"raise": True}))
            print("error", bad["StatusCode"], bad.get("FunctionError"), json.loads(bad["Payload"].read())["errorType"])
            event = lam.invoke(FunctionName="local-function", InvocationType="Event", Payload=b"{}")
            print("event", event["StatusCode"])
            import base64
            tail = lam.invoke(FunctionName="local-function", LogType="Tail", Payload=json.dumps({"name": "rui", "raise": True}))
            print("tail", tail.get("FunctionError"), "greeting rui" in base64.b64decode(tail["LogResult"]).decode())
            try:
                lam.invoke(FunctionName="missing", Payload=b"{}")
            except lam.exceptions.ResourceNotFoundException:
                print("missing ResourceNotFoundException")
            """
        let result = try await TestSupport.run("python3", ["-c", client, String(port)])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("ok 200 {'hello': 'ana'}"))
        #expect(result.stdout.contains("error 200 Unhandled KeyError"))
        #expect(result.stdout.contains("event 202"))
        #expect(result.stdout.contains("tail Unhandled True"), "\(result.stdout)")
        #expect(result.stdout.contains("missing ResourceNotFoundException"))
        // Ctrl-C (SIGINT) shuts the sandbox down, and nothing is left behind.
        kill(runner.processIdentifier, SIGINT)
        runner.waitUntilExit()
        #expect(runner.terminationStatus == 130, "stopped by Ctrl-C after a clean shutdown: 130, as plain invoke and serve")
        #expect(function.survivors().isEmpty)
    }
}

/// `invoke` handles an async-invoke project's destinations as `serve` does. With a local AWS the
/// worker's failure record goes to the project's queue there (LocalResourcesTests); without one
/// (--aws-credentials: the functions' calls go to the account) it lands in the project's
/// .lambda-async/destinations, never in the real queue, and the run says where.
@Suite(.timeLimit(.minutes(5))) struct InvokeDestinationTests {
    @Test func withoutALocalAWSTheWorkersFailureRecordIsKeptInAFileAndSaid() async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = parent.appendingPathComponent("shop")
        #expect(try await TestSupport.run(Binary.url.path, ["new", project.path, "--strategy", "async-invoke"]).status == 0)
        let run = try await TestSupport.run(Binary.url.path, ["invoke", project.path, "--function", "ApiFunction", "--isolation", "none", "--aws-credentials",
                                                              "--event", project.appendingPathComponent("events/failing-task.json").path],
                                            environment: ["AWS_ACCESS_KEY_ID": "AKIANOTREAL", "AWS_SECRET_ACCESS_KEY": "not-real"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains("local AWS"), "\(run.stderr)")
        #expect(run.stderr.contains("destination record (RetriesExhausted, request ") && run.stderr.contains("appended to "), "\(run.stderr)")
        let file = project.appendingPathComponent(".lambda-async/destinations/FailedTasksQueue.jsonl")
        let lines = ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: "\n")
        #expect(lines.count == 1, "\(lines)")
        let record = lines.first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect((record?["requestContext"] as? [String: Any])?["condition"] as? String == "RetriesExhausted")
    }
}
