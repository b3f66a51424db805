import Foundation
import Testing
import TestSupport

/// The runner's servers read with limits: a body past what any API takes is counted, never kept.
@Suite(.timeLimit(.minutes(3))) struct LimitsTests {
    @Test func aResponseOf128MBFailsAsLambdaSaysWithoutTheRunnerHoldingIt() async throws {
        let function = try InvokeTests.Function([
            "bootstrap": """
                #!/bin/sh
                api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
                head -c 134217728 /dev/zero > /tmp/big
                while true; do
                  headers=$(mktemp)
                  curl -sS -D "$headers" -o /dev/null "$api/invocation/next"
                  id=$(grep -i '^lambda-runtime-aws-request-id:' "$headers" | cut -d' ' -f2 | tr -d '\\r')
                  curl -sS -o /dev/null -X POST -T /tmp/big "$api/invocation/$id/response"
                done
                """,
        ], executable: ["bootstrap"])
        defer { function.remove() }
        // The runner's own peak memory (VmHWM, its high-water mark), read until it exits.
        let measured = try await TestSupport.run("python3", ["-c", """
            import subprocess, sys, time
            run = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            run.stdin.write("{}"); run.stdin.close(); run.stdin = None
            peak = 0
            while run.poll() is None:
                try:
                    status = open(f"/proc/{run.pid}/status").read()
                    peak = max(peak, int(status.split("VmHWM:")[1].split()[0]) // 1024)
                except (OSError, IndexError):
                    pass
                time.sleep(0.02)
            out, err = run.communicate()
            print(run.returncode, peak)
            sys.stdout.write(out); sys.stderr.write(err)
            """, Binary.url.path, "invoke", "--code", function.root.path, "--runtime", "provided.al2023", "--isolation", "none",
            "--memory", "1024", "--timeout", "60", "--event", "-"])
        let words = measured.stdout.split(separator: "\n").first?.split(separator: " ") ?? []
        #expect(words.first == "1", "\(measured.stdout) \(measured.stderr)")
        #expect(measured.stdout.contains("Function.ResponseSizeTooLarge") || measured.stderr.contains("Function.ResponseSizeTooLarge"),
                "\(measured.stderr)")
        #expect(measured.stdout.contains("Response payload size (134217728 bytes) exceeded maximum allowed payload size (6291556 bytes)."),
                "\(measured.stdout)")
        // Held whole, 128 MB of body would be in the runner at least once; counted, it never is.
        let peakMB = words.count > 1 ? Int(words[1]) ?? 0 : 0
        #expect(peakMB > 0 && peakMB < 110, "the runner peaked at \(peakMB) MB")
    }

    @Test func serveRefusesABodyPastEveryDoorsLimitAndGoesOn() async throws {
        let (parent, project) = try await ServeTests.project(["--strategy", "custom-runtime"])
        defer { try? FileManager.default.removeItem(at: parent) }
        let server = try await ServeTests.Server(project: project, arguments: ["--isolation", "none"])
        let result = try await TestSupport.run("python3", ["-c", """
            import http.client, sys
            port = int(sys.argv[1])
            big = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            big.request("POST", "/2015-03-31/functions/ApiFunction/invocations", body=b"x" * (12 * 1024 * 1024))
            r = big.getresponse()
            print(r.status, r.getheader("X-Amzn-ErrorType"), r.read()[:40])
            ok = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            ok.request("POST", "/2015-03-31/functions/ApiFunction/invocations", body=b'{"orderId": "o-1"}')
            print(ok.getresponse().status)
            """, String(server.port)])
        #expect(server.stop() == 130)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("413 RequestEntityTooLargeException b'{\"message\":\"Request Entity Too Large") == true,
                "\(result.stdout) \(result.stderr)")
        #expect(lines.last == "200", "\(result.stdout) \(result.stderr)")
    }

    /// A function holds only its own descriptors: none of serve's listening sockets, event loops or
    /// other environments' pipes, which it could otherwise accept connections on or write into.
    @Test func aFunctionHoldsOnlyItsOwnDescriptors() async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = parent.appendingPathComponent("app")
        try writeSingleFunctionProject(at: project, name: "Fds", runtime: "python3.11", files: [
            "app.py": """
                import os
                def handler(event, context):
                    listing = os.listdir("/proc/self/fd")
                    return {fd: os.readlink(f"/proc/self/fd/{fd}") for fd in listing if os.path.exists(f"/proc/self/fd/{fd}")}
                """,
        ])
        for isolation in isolationAvailable ? ["none", "auto"] : ["none"] {
            let server = try await ServeTests.Server(project: project, arguments: ["--isolation", isolation])
            let result = try await TestSupport.run("python3", ["-c", """
                import sys, urllib.request
                url = f"http://127.0.0.1:{sys.argv[1]}/2015-03-31/functions/Fds/invocations"
                print(urllib.request.urlopen(urllib.request.Request(url, data=b"{}"), timeout=30).read().decode())
                """, String(server.port)])
            #expect(server.stop() == 130)
            let held = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: String], "\(result.stderr)")
            // Standard input, output and error; the listing's own descriptor is gone once it is read.
            #expect(Set(held.keys) == ["0", "1", "2"], "\(isolation): \(held)")
            #expect(!held.values.contains { $0.hasPrefix("socket:") || $0.contains("eventpoll") }, "\(isolation): \(held)")
        }
    }
}
