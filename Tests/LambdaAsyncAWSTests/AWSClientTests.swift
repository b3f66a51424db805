import Foundation
import Testing
import TestSupport
@testable import LambdaAsyncAWS

/// The client against a scripted server (Python's http.server): what it retries, what it does not,
/// and how it corrects a skewed clock.
@Suite(.serialized) struct AWSClientTests {
    /// Answers each request with the next scripted (status, code, date offset in seconds) and logs
    /// each request's X-Amz-Date; the last answer repeats.
    static let server = """
        import http.server, json, sys, time, email.utils
        script = json.loads(sys.argv[1])
        log = open(sys.argv[2], "a")
        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args): pass
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                log.write(self.headers.get("X-Amz-Date", "") + "\\n"); log.flush()
                status, code, offset = script.pop(0) if len(script) > 1 else script[0]
                body = (f"<ErrorResponse><Error><Code>{code}</Code><Message>scripted</Message></Error></ErrorResponse>" if status >= 300 else
                        "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account><Arn>arn:aws:iam::123456789012:user/t</Arn>"
                        "<UserId>AID</UserId></GetCallerIdentityResult></GetCallerIdentityResponse>").encode()
                self.send_response_only(status)  # no automatic Date: the scripted one alone
                self.send_header("Date", email.utils.formatdate(time.time() + offset, usegmt=True))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """

    struct Run {
        let identity: Result<STS.Identity, Error>
        let dates: [String]
    }

    func run(_ script: [[Int]]) async throws -> Run {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("client-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let scripted = script.map { "[\($0[0]), \"\(["", "Throttling", "RequestTimeTooSkewed", "AccessDenied"][$0[1]])\", \($0[2])]" }
        process.arguments = ["python3", "-c", Self.server, "[\(scripted.joined(separator: ","))]", log.path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        // SIGKILL: Foundation's terminate() here can leave the server running and the wait hanging.
        defer { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        var portText = ""
        while !portText.hasSuffix("\n"), let byte = try out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty {
            portText += String(decoding: byte, as: UTF8.self)
        }
        let port = portText.trimmingCharacters(in: .whitespacesAndNewlines)
        let client = AWSClient(region: "us-east-1", environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:\(port)"]) {
            AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret", source: "test")
        }
        let identity: Result<STS.Identity, Error>
        do { identity = .success(try await STS(client).callerIdentity()) } catch { identity = .failure(error) }
        let dates = (try? String(contentsOf: log, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        return Run(identity: identity, dates: dates)
    }

    @Test func throttlingAnd5xxAreRetriedThenSucceed() async throws {
        // [status, code (1 Throttling), server clock offset]
        let run = try await run([[400, 1, 0], [503, 0, 0], [200, 0, 0]])
        #expect((try? run.identity.get())?.account == "123456789012")
        #expect(run.dates.count == 3)
    }

    @Test func aRefusalIsNotRetried() async throws {
        let run = try await run([[403, 3, 0], [200, 0, 0]])
        #expect(run.dates.count == 1)
        guard case .failure(let error as AWSError) = run.identity else { Issue.record("no AWSError"); return }
        #expect(error.code == "AccessDenied" && error.status == 403 && error.message == "scripted")
    }

    @Test func retriesStopAfterFiveAttempts() async throws {
        let run = try await run([[500, 0, 0]])
        #expect(run.dates.count == 5)
        if case .success = run.identity { Issue.record("a server that always fails succeeded") }
    }

    @Test func aSkewedClockIsCorrectedFromTheServersDate() async throws {
        // The server's clock is 20 minutes ahead: the retry is signed at the server's time.
        let run = try await run([[403, 2, 1200], [200, 0, 1200]])
        #expect((try? run.identity.get())?.account == "123456789012", "\(run.identity)")
        #expect(run.dates.count == 2)
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        formatter.timeZone = TimeZone(identifier: "UTC")
        if run.dates.count == 2, let first = formatter.date(from: run.dates[0]), let second = formatter.date(from: run.dates[1]) {
            #expect(abs(second.timeIntervalSince(first) - 1200) < 30, "\(run.dates)")
        }
    }
}
