import Foundation
import Testing
import TestSupport

/// Durable functions run locally: serve starts executions, replays them in its sandboxes, forwards the
/// durable-execution APIs (the AWS CLI and boto3 work against it), and keeps executions on disk so a
/// restart in the middle of a wait loses nothing.
@Suite(.timeLimit(.minutes(4))) struct DurableTests {
    /// The generated durable project under serve: its API answers and starts the execution (a repeated
    /// order starts none), the record step fails twice and then succeeds, the approval is sent with the
    /// AWS CLI, serve is stopped (SIGTERM) during the follow-up wait and started again, and the execution
    /// ends with the expected history; nothing the history says succeeded ran twice.
    @Test func theGeneratedProjectRetriesWaitsForACallbackAndSurvivesARestart() async throws {
        let parent = try makeTemporaryDirectory("lambda-async-durable")
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = parent.appendingPathComponent("shop")
        let created = try await TestSupport.run(Binary.url.path, ["new", project.path, "--strategy", "durable"])
        #expect(created.status == 0, "\(created.stderr)")
        // A wait long enough that serve is surely stopped inside it on a loaded machine.
        let serveArguments = ["--env", "FOLLOW_UP_DELAY_SECONDS=40"]
        var server = try await ServeTests.Server(project: project, arguments: serveArguments)
        #expect(server.output.contains("durable executions of WorkerFunction"), "\(server.output)")
        let started = try await TestSupport.run("python3", ["-c", boto3ClientPreamble + """
            order = {"orderId": "o-1", "needsApproval": True, "failAttempts": 2}
            for _ in range(2):
                answer = lam.invoke(FunctionName="ApiFunction", Payload=json.dumps(order))
                print("API", answer["StatusCode"], json.loads(answer["Payload"].read())["statusCode"])
            other = lam.invoke(FunctionName="ApiFunction", Payload=json.dumps({"orderId": "o-1"}))
            print("OTHER", json.loads(other["Payload"].read())["statusCode"])
            listed = lam.list_durable_executions_by_function(FunctionName="WorkerFunction")["DurableExecutions"]
            print("LISTED", len(listed), listed[0]["DurableExecutionName"])
            arn = listed[0]["DurableExecutionArn"]
            callbacks = []
            for _ in range(600):
                events = lam.get_durable_execution_history(DurableExecutionArn=arn)["Events"]
                callbacks = [e for e in events if e["EventType"] == "CallbackStarted"]
                if callbacks:
                    break
                time.sleep(0.1)
            print("ARN", arn)
            print("CALLBACK", callbacks[0]["CallbackStartedDetails"]["CallbackId"])
            """, String(server.port)])
        #expect(started.status == 0, "\(started.stdout)\(started.stderr)\n\(server.output)")
        // The API answered 202 twice (one execution), and 409 to another order under the same id.
        #expect(started.stdout.contains("API 200 202\nAPI 200 202\nOTHER 409\nLISTED 1 o-1"), "\(started.stdout)")
        let lines = started.stdout.split(separator: "\n")
        let arn = try #require(lines.first { $0.hasPrefix("ARN ") }).dropFirst(4)
        let callbackId = try #require(lines.first { $0.hasPrefix("CALLBACK ") }).dropFirst(9)
        // The approval, sent with the AWS CLI as the person's tool would.
        let sent = try await TestSupport.run("aws", ["lambda", "send-durable-execution-callback-success", "--endpoint-url", "http://127.0.0.1:\(server.port)",
                                                     "--region", "us-east-1", "--callback-id", String(callbackId), "--result", #"{"approvedBy": "ana"}"#],
                                             environment: ["AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"])
        #expect(sent.status == 0, "\(sent.stderr)")
        // serve stopped (SIGTERM) as soon as the follow-up wait started, then started again.
        let waiting = try await TestSupport.run("python3", ["-c", boto3ClientPreamble + """
            for _ in range(600):
                events = lam.get_durable_execution_history(DurableExecutionArn=sys.argv[2])["Events"]
                if any(e["EventType"] == "WaitStarted" for e in events):
                    print("WAITING"); break
                time.sleep(0.05)
            """, String(server.port), String(arn)])
        kill(server.process.processIdentifier, SIGTERM)
        server.process.waitUntilExit()
        #expect(waiting.stdout.contains("WAITING"), "\(waiting.stdout)\(waiting.stderr)")
        let firstLog = server.output
        #expect(firstLog.contains("task done") && !firstLog.contains("follow-up sent"), "\(firstLog)")
        server = try await ServeTests.Server(project: project, arguments: serveArguments)
        let finished = try await TestSupport.run("python3", ["-c", boto3ClientPreamble + """
            arn = sys.argv[2]
            for _ in range(1200):
                execution = lam.get_durable_execution(DurableExecutionArn=arn)
                if execution["Status"] != "RUNNING":
                    break
                time.sleep(0.1)
            print("STATUS", execution["Status"], execution.get("Result"))
            events = lam.get_durable_execution_history(DurableExecutionArn=arn)["Events"]
            print("EVENTS", " ".join(e["EventType"] + ":" + e.get("Name", "") for e in events))
            """, String(server.port), String(arn)])
        let secondLog = server.output
        #expect(server.stop() == 130)
        #expect(finished.stdout.contains(#"STATUS SUCCEEDED {"orderId": "o-1", "recorded": true, "approval": {"approvedBy": "ana"}}"#),
                "\(finished.stdout)\(finished.stderr)\n\(secondLog)")
        let events = finished.stdout.split(separator: "\n").first { $0.hasPrefix("EVENTS ") } ?? ""
        // Two failed attempts and the third; the approval; the wait; the follow-up.
        #expect(events.components(separatedBy: "StepFailed:record").count - 1 == 2, "\(events)")
        for expected in ["StepSucceeded:record", "CallbackSucceeded:", "WaitSucceeded:follow-up-delay", "StepSucceeded:follow-up", "ExecutionSucceeded"] {
            #expect(events.contains(expected), "\(expected) in \(events)")
        }
        // Nothing the history says succeeded ran again: the record once over both runs, the follow-up once.
        #expect((firstLog + secondLog).components(separatedBy: "\"task done\"").count - 1 == 1, "\(firstLog)\n\(secondLog)")
        #expect(secondLog.components(separatedBy: "\"follow-up sent\"").count - 1 == 1, "\(secondLog)")
        // Every replay was an invocation of the sandbox, timed and billed.
        #expect(secondLog.contains("WorkerFunction ") && secondLog.contains(" billed "), "\(secondLog)")
    }

    @Test func aSynchronousStartAnswersTheResultWithTheExecutionsArn() async throws {
        let project = try makeTemporaryDirectory("lambda-async-durable-sync")
        defer { try? FileManager.default.removeItem(at: project) }
        try writeSingleFunctionProject(at: project, name: "Greeter", runtime: "python3.13", extra: """
                  DurableConfig:
                    ExecutionTimeout: 60

            """, files: ["app.py": """
                from aws_durable_execution_sdk_python.context import durable_step
                from aws_durable_execution_sdk_python.execution import durable_execution

                @durable_step
                def greet(step_context, name):
                    return f"Hello, {name}!"

                @durable_execution
                def handler(event, context):
                    if event.get("fail"):
                        raise ValueError("asked to fail")
                    return context.step(greet(event["name"]))

                """])
        let server = try await ServeTests.Server(project: project)
        let result = try await TestSupport.run("python3", ["-c", boto3ClientPreamble + """
            ok = lam.invoke(FunctionName="Greeter", Payload=json.dumps({"name": "World"}))
            print("OK", ok["StatusCode"], ok["Payload"].read().decode(), ok["DurableExecutionArn"] != "", ok.get("FunctionError"))
            bad = lam.invoke(FunctionName="Greeter", Payload=json.dumps({"fail": True}))
            print("BAD", bad.get("FunctionError"), json.loads(bad["Payload"].read())["errorMessage"])
            try:
                lam.invoke(FunctionName="Greeter", DurableExecutionName="not a valid name!", Payload=b"{}")
            except lam.exceptions.InvalidParameterValueException as e:
                print("NAME refused")
            latest = lam.invoke(FunctionName="Greeter:$LATEST", Payload=json.dumps({"name": "Ana"}))
            print("LATEST", latest["Payload"].read().decode())
            # An alias the template does not make is not found, as on Lambda (a typo would pass nowhere).
            try:
                lam.invoke(FunctionName="Greeter", Qualifier="live", Payload=b"{}")
            except lam.exceptions.ResourceNotFoundException as e:
                print("ALIAS refused", "AutoPublishAlias" in str(e))
            """, String(server.port)])
        #expect(server.stop() == 130)
        #expect(result.stdout.contains(#"OK 200 "Hello, World!" True None"#), "\(result.stdout)\(result.stderr)\n\(server.output)")
        #expect(result.stdout.contains("BAD Unhandled asked to fail"), "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("NAME refused"), "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains(#"LATEST "Hello, Ana!""#), "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("ALIAS refused True"), "\(result.stdout)\(result.stderr)")
    }

    /// `invoke` of a durable function starts an execution, follows it through its replays, writes its
    /// result to stdout, and prints its timeline and cost; a failed execution exits 1 with its error.
    @Test func invokeRunsADurableFunctionsExecutionToItsEnd() async throws {
        let project = try makeTemporaryDirectory("lambda-async-durable-invoke")
        defer { try? FileManager.default.removeItem(at: project) }
        try writeSingleFunctionProject(at: project, name: "Greeter", runtime: "python3.13", extra: """
                  DurableConfig:
                    ExecutionTimeout: 60

            """, files: ["app.py": """
                from aws_durable_execution_sdk_python.config import Duration
                from aws_durable_execution_sdk_python.execution import durable_execution

                @durable_execution
                def handler(event, context):
                    if event.get("fail"):
                        raise ValueError("asked to fail")
                    greeting = context.step(lambda _: f"Hello, {event['name']}!", name="greet")
                    for index in range(event.get("steps", 0)):
                        context.step(lambda _, index=index: index, name=f"s{index}")
                    context.wait(Duration.from_seconds(1), name="pause")
                    return greeting

                """])
        let event = project.appendingPathComponent("event.json")
        try #"{"name": "Ana"}"#.write(to: event, atomically: true, encoding: .utf8)
        let ok = try await TestSupport.run(Binary.url.path, ["invoke", project.path, "--event", event.path])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout == "\"Hello, Ana!\"\n", "\(ok.stdout)")
        #expect(ok.stderr.contains("--- Greeter durable execution") && ok.stderr.contains(": SUCCEEDED (ms from its start) ---"), "\(ok.stderr)")
        for line in ["StepSucceeded greet", "WaitStarted pause (1 s, no compute billed)", "WaitSucceeded pause", "ExecutionSucceeded",
                     "2 replay invocations (", "1 step, 1 wait", "cost: $"] {
            #expect(ok.stderr.contains(line), "\(line): \(ok.stderr)")
        }
        // A history longer than a page (80 more steps): the timeline shows it whole, to its end.
        try #"{"name": "Bo", "steps": 80}"#.write(to: event, atomically: true, encoding: .utf8)
        let long = try await TestSupport.run(Binary.url.path, ["invoke", project.path, "--event", event.path])
        #expect(long.status == 0, "\(long.stderr)")
        #expect(long.stderr.contains("StepSucceeded s79") && long.stderr.contains("ExecutionSucceeded")
                && long.stderr.contains("82 durable operations started"), "\(long.stderr.suffix(3000))")
        try #"{"fail": true}"#.write(to: event, atomically: true, encoding: .utf8)
        let failed = try await TestSupport.run(Binary.url.path, ["invoke", project.path, "--event", event.path])
        #expect(failed.status == 1, "\(failed.stderr)")
        #expect(failed.stdout.contains("asked to fail") && failed.stderr.contains(": FAILED (ms from its start) ---"), "\(failed.stdout)\(failed.stderr)")
    }

    /// A callback's timeout runs from the callback's start, across a restart of serve: one that expired
    /// while serve was down fires at once, not a whole timeout after the restart.
    @Test func aCallbackTimeoutCountsFromItsStartAcrossARestart() async throws {
        let project = try makeTemporaryDirectory("lambda-async-durable-timeout")
        defer { try? FileManager.default.removeItem(at: project) }
        try writeSingleFunctionProject(at: project, name: "Waiter", runtime: "python3.13", extra: """
                  MemorySize: 1024
                  DurableConfig:
                    ExecutionTimeout: 300

            """, files: ["app.py": """
                from aws_durable_execution_sdk_python.config import CallbackConfig, Duration
                from aws_durable_execution_sdk_python.execution import durable_execution

                @durable_execution
                def handler(event, context):
                    callback = context.create_callback(name="answer", config=CallbackConfig(timeout=Duration.from_seconds(12)))
                    return callback.result()

                """])
        var server = try await ServeTests.Server(project: project)
        let started = try await TestSupport.run("python3", ["-c", boto3ClientPreamble + """
            arn = lam.invoke(FunctionName="Waiter", InvocationType="Event", Payload=b"{}")["DurableExecutionArn"]
            for _ in range(600):
                events = lam.get_durable_execution_history(DurableExecutionArn=arn)["Events"]
                if any(e["EventType"] == "CallbackStarted" for e in events):
                    break
                time.sleep(0.05)
            print("ARN", arn)
            """, String(server.port)])
        let arn = try #require(started.stdout.split(separator: "\n").first { $0.hasPrefix("ARN ") }).dropFirst(4)
        let callbackStart = Date()
        #expect(server.stop() == 130)
        // Down past the callback's 12 seconds.
        try await Task.sleep(nanoseconds: UInt64(max(0, 13 - Date().timeIntervalSince(callbackStart)) * 1_000_000_000))
        server = try await ServeTests.Server(project: project)
        let restarted = Date()
        let ended = try await TestSupport.run("python3", ["-c", boto3ClientPreamble + """
            for _ in range(600):
                execution = lam.get_durable_execution(DurableExecutionArn=sys.argv[2])
                if execution["Status"] != "RUNNING":
                    break
                time.sleep(0.1)
            print("STATUS", execution["Status"], execution.get("Error", {}).get("ErrorMessage"))
            events = lam.get_durable_execution_history(DurableExecutionArn=sys.argv[2])["Events"]
            print("TIMEDOUT", [e["EventTimestamp"].timestamp() for e in events if e["EventType"] == "CallbackTimedOut"])
            """, String(server.port), String(arn)])
        #expect(server.stop() == 130)
        #expect(ended.stdout.contains("STATUS FAILED Callback timed out"), "\(ended.stdout)\(ended.stderr)\n\(server.output)")
        // When the control plane recorded the timeout (the replay that fails the execution may take long on
        // a loaded machine): a full timeout after the restart would be 12 s.
        let line = ended.stdout.split(separator: "\n").first { $0.hasPrefix("TIMEDOUT [") } ?? ""
        let timedOut = Double(line.dropFirst("TIMEDOUT [".count).prefix { $0 != "]" && $0 != "," }) ?? .infinity
        let afterRestart = timedOut - restarted.timeIntervalSince1970
        #expect(afterRestart < 8, "the callback timed out \(afterRestart) s after the restart: \(ended.stdout)")
    }
}
