import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C while a caller waits: `serve` and `invoke --listen` answer every caller, leave no process
/// behind and print no error text of their own plumbing.
@Suite(.timeLimit(.minutes(10))) struct StopTests {
    enum Phase: String, CaseIterable { case initializing, invoking, postResponse, resetting }

    /// A project whose function sleeps INIT_S at import and `event.s` in its handler; with `after`,
    /// a custom runtime that answers at once and then works for 30 s; with `timeout`, a 1 s timeout and
    /// an extension whose SHUTDOWN takes 1.8 s, so that a reset lasts.
    static func project(marker: String, phase: Phase) throws -> URL {
        let project = try makeTemporaryDirectory("lambda-async-stop")
        let layer = "      Layers: [!Ref SlowShutdown]\n  SlowShutdown:\n    Type: AWS::Serverless::LayerVersion\n    Properties:\n      ContentUri: layer/\n"
        try writeSingleFunctionProject(
            at: project, name: "SlowFunction", runtime: phase == .postResponse ? "provided.al2023" : "python3.11",
            timeout: phase == .resetting ? 1 : 60, extra: phase == .resetting ? layer : "", files: ["app.py": """
                import os, time
                time.sleep(float(os.environ.get('INIT_S', '0')))
                def handler(event, context):
                    print('handler running', flush=True)
                    time.sleep(event.get('s', 0))
                    return 'done'
                """])
        if phase == .postResponse {
            // Answers, then works on for 30 s before its next /next: post-response work.
            try """
                #!/bin/sh
                api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
                headers=$(mktemp)
                curl -sS -D "$headers" -o /dev/null "$api/invocation/next"
                id=$(grep -i '^lambda-runtime-aws-request-id:' "$headers" | cut -d' ' -f2 | tr -d '\\r')
                curl -sS -o /dev/null -X POST --data '"done"' "$api/invocation/$id/response"
                echo 'handler running' >&2
                sleep 30
                curl -sS -o /dev/null "$api/invocation/next"
                """.write(to: project.appendingPathComponent("src/bootstrap"), atomically: true, encoding: .utf8)
            chmod(project.appendingPathComponent("src/bootstrap").path, 0o755)
        }
        if phase == .resetting {
            let extensions = project.appendingPathComponent("layer/extensions")
            try FileManager.default.createDirectory(at: extensions, withIntermediateDirectories: true)
            try """
                #!/usr/bin/env python3
                import json, os, time, urllib.request
                api = f"http://{os.environ['AWS_LAMBDA_RUNTIME_API']}/2020-01-01/extension"
                r = urllib.request.Request(api + "/register", method="POST", data=json.dumps({"events": ["SHUTDOWN"]}).encode(),
                                           headers={"Lambda-Extension-Name": "slow"})
                ident = urllib.request.urlopen(r).headers["Lambda-Extension-Identifier"]
                urllib.request.urlopen(urllib.request.Request(api + "/event/next", headers={"Lambda-Extension-Identifier": ident}))
                print("shutdown started", flush=True)
                time.sleep(1.8)
                """.write(to: extensions.appendingPathComponent("slow"), atomically: true, encoding: .utf8)
            chmod(extensions.appendingPathComponent("slow").path, 0o755)
        }
        try """
            import os, time
            time.sleep(float(os.environ.get('INIT_S', '0')))
            def handler(event, context):
                print('handler running', flush=True)
                time.sleep(event.get('s', 0))
                return 'done'
            """.write(to: project.appendingPathComponent("src/app.py"), atomically: true, encoding: .utf8)
        return project
    }

    /// A caller in the background: prints the status, the function-error header and the body it got.
    /// A client calling SlowFunction; once its request is sent it creates `sent`, when given.
    static func caller(port: Int, payload: String, sent: URL? = nil) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import http.client, sys
            try:
                connection = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=60)
                connection.request("POST", "/2015-03-31/functions/SlowFunction/invocations", body=sys.argv[2].encode())
                if sys.argv[3]:
                    open(sys.argv[3], "w").close()
                r = connection.getresponse()
                print(r.status, r.getheader("X-Amz-Function-Error"), r.read().decode())
            except Exception as error:
                print("no answer:", error)
            """, String(port), payload, sent?.path ?? ""]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return (process, output)
    }

    static func survivors(_ marker: String) -> [String] {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { Int($0) != nil } ?? []
        return pids.filter { pid in
            FileManager.default.contents(atPath: "/proc/\(pid)/environ")?.range(of: Data("MARKER=\(marker)".utf8)) != nil
        }
    }

    @Test(arguments: ["serve", "listen"], Phase.allCases)
    func everyCallerIsAnsweredWhenTheRunnerStops(_ runner: String, _ phase: Phase) async throws {
        let marker = "la-test-\(UUID().uuidString.prefix(12))"
        let project = try Self.project(marker: marker, phase: phase)
        defer { try? FileManager.default.removeItem(at: project) }
        let log = project.appendingPathComponent("runner.log")
        try Data().write(to: log)
        let server = Process()
        server.executableURL = Binary.url
        let environment = ["--env", "MARKER=\(marker)", "--env", "INIT_S=\(phase == .initializing ? 20 : 0)"]
        server.arguments = runner == "serve"
            ? ["serve", project.path, "--port", "0"] + environment
            : ["invoke", project.path, "--listen"] + environment
        server.standardOutput = FileHandle.nullDevice
        server.standardError = try FileHandle(forWritingTo: log)
        try server.run()
        func output() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        func waitFor(_ text: String) async {
            let deadline = Date().addingTimeInterval(20)
            while !output().contains(text), Date() < deadline { try? await Task.sleep(nanoseconds: 50_000_000) }
        }
        await waitFor("Ctrl-C stops")
        let port = ServeTests.port(in: output(), after: "http://127.0.0.1:")
        #expect(port > 0, "\(output())")
        let (client, answer) = try Self.caller(port: port, payload: phase == .invoking || phase == .resetting ? #"{"s": 30}"# : "{}")
        var second: (Process, Pipe)?
        switch phase {
        case .initializing:
            // The function's import sleeps 20 s: wait until its runtime exists, then stop.
            let deadline = Date().addingTimeInterval(20)
            while Self.survivors(marker).isEmpty, Date() < deadline { try? await Task.sleep(nanoseconds: 50_000_000) }
            try? await Task.sleep(nanoseconds: 300_000_000)
        case .invoking, .postResponse:
            await waitFor("handler running")
        case .resetting:
            // A second caller comes while the first's 1 s timeout resets its environment, whose extension
            // takes 1.8 s over SHUTDOWN; the stop comes during that reset.
            await waitFor("handler running")
            // Its request must have reached the runner before the stop: on a busy machine the
            // client's own start can take longer than the reset.
            let sent = project.appendingPathComponent("second-sent")
            second = try Self.caller(port: port, payload: "{}", sent: sent)
            let deadline = Date().addingTimeInterval(20)
            while !FileManager.default.fileExists(atPath: sent.path), Date() < deadline { try? await Task.sleep(nanoseconds: 20_000_000) }
            try? await Task.sleep(nanoseconds: 200_000_000)
            await waitFor("shutdown started")
        }
        let stoppedAt = Date()
        kill(server.processIdentifier, SIGINT)
        client.waitUntilExit()
        server.waitUntilExit()
        #expect(server.terminationStatus == 130, "an interrupted runner exits 130 after its clean shutdown")
        let said = String(decoding: answer.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        // Answered at once, with what happened, not left to the caller's timeout.
        #expect(Date().timeIntervalSince(stoppedAt) < 10)
        switch phase {
        case .initializing, .invoking:
            #expect(said.hasPrefix("200 Unhandled") && said.contains("Sandbox.Stopped"), "\(said)\n\(output())")
        case .postResponse:
            // The caller had its answer before the stop: the work after it is what was cut, and said:
            // serve's line and invoke --listen's REPORT call it interrupted, not a short success.
            #expect(said.hasPrefix("200 None \"done\""), "\(said)\n\(output())")
            #expect(output().contains(runner == "serve" ? "interrupted: the work after the response was cut off" : "Status: interrupted"),
                    "\(output())")
        case .resetting:
            #expect(said.contains("Sandbox.Timedout"), "\(said)\n\(output())")
            if let (waiting, its) = second {
                waiting.waitUntilExit()
                let answered = String(decoding: its.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                // Answered, not left to hang. As on Lambda, a call that finds the only environment busy
                // (resetting) gets an environment of its own: its answer, or Sandbox.Stopped if the stop
                // came while that one was still starting.
                #expect(answered.hasPrefix("200 ") && (answered.contains("done") || answered.contains("Sandbox.Stopped")), "\(answered)\n\(output())")
            }
        }
        #expect(!output().contains("EventLoop") && !output().contains("NIO"), "\(output())")
        let deadline = Date().addingTimeInterval(5)
        while !Self.survivors(marker).isEmpty, Date() < deadline { try? await Task.sleep(nanoseconds: 100_000_000) }
        #expect(Self.survivors(marker).isEmpty)
    }

    /// Ctrl-C while an external extension still works on an invocation: the runtime ends first
    /// (SIGTERM), then the extension gets SHUTDOWN at its next /event/next, within the 2,000 ms.
    /// Before, the registry was cleared at once: the extension's next call got 403 and no SHUTDOWN.
    @Test func aBusyExtensionGetsShutdownAfterTheRuntimeEnded() async throws {
        let project = try makeTemporaryDirectory("lambda-async-stop-order")
        defer { try? FileManager.default.removeItem(at: project) }
        let layer = "      Layers: [!Ref Worker]\n  Worker:\n    Type: AWS::Serverless::LayerVersion\n    Properties:\n      ContentUri: layer/\n"
        try writeSingleFunctionProject(at: project, name: "OrderFunction", runtime: "provided.al2023", timeout: 30, extra: layer, files: [
            // Answers, then waits for its next event; SIGTERM is noted with the time it came.
            "bootstrap": """
                #!/bin/bash
                trap 'echo "runtime SIGTERM $(date +%s%N)" >&2; touch "$MARKER"; exit 0' TERM
                api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
                headers=$(mktemp)
                curl -sS -D "$headers" -o /dev/null "$api/invocation/next"
                id=$(grep -i '^lambda-runtime-aws-request-id:' "$headers" | cut -d' ' -f2 | tr -d '\\r')
                curl -sS -o /dev/null -X POST --data '"done"' "$api/invocation/$id/response"
                curl -sS -o /dev/null "$api/invocation/next" & wait $!
                """,
        ])
        chmod(project.appendingPathComponent("src/bootstrap").path, 0o755)
        let extensions = project.appendingPathComponent("layer/extensions")
        try FileManager.default.createDirectory(at: extensions, withIntermediateDirectories: true)
        // Works after each INVOKE until the runtime has ended (its SIGTERM trap leaves MARKER), so it is
        // busy whenever the interrupt comes, however loaded the machine; then asks for its next event.
        try """
            #!/usr/bin/env python3
            import json, os, time, urllib.request
            api = f"http://{os.environ['AWS_LAMBDA_RUNTIME_API']}/2020-01-01/extension"
            r = urllib.request.Request(api + "/register", method="POST", data=json.dumps({"events": ["INVOKE", "SHUTDOWN"]}).encode(),
                                       headers={"Lambda-Extension-Name": "worker"})
            ident = urllib.request.urlopen(r).headers["Lambda-Extension-Identifier"]
            while True:
                try:
                    event = json.load(urllib.request.urlopen(urllib.request.Request(api + "/event/next", headers={"Lambda-Extension-Identifier": ident})))
                except Exception as error:
                    print("extension next failed:", error, flush=True)
                    raise SystemExit(1)
                if event["eventType"] == "SHUTDOWN":
                    print("extension SHUTDOWN", time.time_ns(), event["shutdownReason"], flush=True)
                    raise SystemExit(0)
                print("extension working", flush=True)
                deadline = time.time() + 20
                while not os.path.exists(os.environ["MARKER"]) and time.time() < deadline:
                    time.sleep(0.02)
            """.write(to: extensions.appendingPathComponent("worker"), atomically: true, encoding: .utf8)
        chmod(extensions.appendingPathComponent("worker").path, 0o755)
        let log = project.appendingPathComponent("invoke.log")
        try Data().write(to: log)
        let invoke = Process()
        invoke.executableURL = Binary.url
        let marker = project.appendingPathComponent("runtime-ended").path
        invoke.arguments = ["invoke", project.path, "--event", "-", "--isolation", "none", "--env", "MARKER=\(marker)"]
        invoke.standardInput = FileHandle.nullDevice
        invoke.standardOutput = FileHandle.nullDevice
        invoke.standardError = try FileHandle(forWritingTo: log)
        try invoke.run()
        func output() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        let deadline = Date().addingTimeInterval(30)
        while !output().contains("extension working"), Date() < deadline { try? await Task.sleep(nanoseconds: 20_000_000) }
        kill(invoke.processIdentifier, SIGINT)
        invoke.waitUntilExit()
        let text = output()
        #expect(invoke.terminationStatus == 130, "\(text)")
        #expect(!text.contains("extension next failed"), "\(text)")
        func time(after marker: String) -> Int? {
            text.components(separatedBy: "\n").first { $0.contains(marker) }
                .flatMap { $0.components(separatedBy: marker + " ").last?.split(separator: " ").first }.flatMap { Int($0) }
        }
        let sigterm = try #require(time(after: "runtime SIGTERM"), "\(text)")
        let shutdown = try #require(time(after: "extension SHUTDOWN"), "the busy extension got no SHUTDOWN:\n\(text)")
        #expect(sigterm < shutdown, "the runtime ends first, then the extensions get SHUTDOWN")
        #expect(text.contains("SHUTDOWN") && text.contains("spindown"), "\(text)")
    }
}
