import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C while a caller waits: `serve` and `invoke --listen` answer every caller, leave no process
/// behind and print no error text of their own plumbing.
@Suite struct StopTests {
    enum Phase: String, CaseIterable { case initializing, invoking }

    /// A project whose function sleeps INIT_S at import and `event.s` in its handler.
    static func project(marker: String) throws -> URL {
        let project = try makeTemporaryDirectory("lambda-async-stop")
        try FileManager.default.createDirectory(at: project.appendingPathComponent("src"), withIntermediateDirectories: true)
        try """
            AWSTemplateFormatVersion: '2010-09-09'
            Transform: AWS::Serverless-2016-10-31
            Resources:
              SlowFunction:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: src/
                  Handler: app.handler
                  Runtime: python3.11
                  Timeout: 60
            """.write(to: project.appendingPathComponent("template.yaml"), atomically: true, encoding: .utf8)
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
    static func caller(port: Int, payload: String) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import sys, urllib.request
            url = f"http://127.0.0.1:{sys.argv[1]}/2015-03-31/functions/SlowFunction/invocations"
            try:
                with urllib.request.urlopen(urllib.request.Request(url, data=sys.argv[2].encode(), method="POST"), timeout=60) as r:
                    print(r.status, r.headers.get("X-Amz-Function-Error"), r.read().decode())
            except Exception as error:
                print("no answer:", error)
            """, String(port), payload]
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
    func everyCallerIsAnsweredWhenTheRunnerStops(_ runner: String, _ phase: Phase) throws {
        let marker = "la-test-\(UUID().uuidString.prefix(12))"
        let project = try Self.project(marker: marker)
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
        func waitFor(_ text: String) {
            let deadline = Date().addingTimeInterval(20)
            while !output().contains(text), Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        }
        waitFor("Ctrl-C stops")
        let port = ServeTests.port(in: output(), after: "http://127.0.0.1:")
        #expect(port > 0, "\(output())")
        let (client, answer) = try Self.caller(port: port, payload: phase == .invoking ? #"{"s": 30}"# : "{}")
        switch phase {
        case .initializing:
            // The function's import sleeps 20 s: wait until its runtime exists, then stop.
            let deadline = Date().addingTimeInterval(20)
            while Self.survivors(marker).isEmpty, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            Thread.sleep(forTimeInterval: 0.3)
        case .invoking:
            waitFor("handler running")
        }
        let stoppedAt = Date()
        kill(server.processIdentifier, SIGINT)
        client.waitUntilExit()
        server.waitUntilExit()
        let said = String(decoding: answer.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        // Answered at once, with what happened, not left to the caller's timeout.
        #expect(Date().timeIntervalSince(stoppedAt) < 10)
        #expect(said.hasPrefix("200 Unhandled") && said.contains("Sandbox.Stopped"), "\(said)\n\(output())")
        #expect(!output().contains("EventLoop") && !output().contains("NIO"), "\(output())")
        let deadline = Date().addingTimeInterval(5)
        while !Self.survivors(marker).isEmpty, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        #expect(Self.survivors(marker).isEmpty)
    }
}
