import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Each execution environment on its own network, as on Lambda: a function reaches its own Runtime
/// API at 127.0.0.1:9001 and the local AWS endpoints it was given, and nothing else on this machine.
@Suite(.enabled(if: isolationAvailable, "needs root and bubblewrap (scripts/ensure-deps installs it)"), .timeLimit(.minutes(3)))
struct NetworkTests {
    /// A listening socket on the host's loopback, as a developer's local database would be.
    typealias HostService = LoopbackListener

    /// Every TCP port listening on this machine's IPv4 loopback (or on every address), from /proc.
    static func loopbackListeners() -> Set<Int> {
        // Read to its end: procfs reports no size, and a busy machine's table is many pages long.
        guard let file = FileHandle(forReadingAtPath: "/proc/net/tcp") else { return [] }
        defer { try? file.close() }
        let table = String(decoding: file.readDataToEndOfFile(), as: UTF8.self)
        var ports: Set<Int> = []
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 3, fields[3] == "0A" else { continue }  // 0A: LISTEN
            let local = fields[1].split(separator: ":")
            guard local.count == 2, ["0100007F", "00000000"].contains(String(local[0])), let port = Int(local[1], radix: 16) else { continue }
            ports.insert(port)
        }
        return ports
    }

    static let prober = """
        import json, os, socket
        def handler(event, context):
            seen = {"api": os.environ["AWS_LAMBDA_RUNTIME_API"], "ports": {}}
            for port in event["ports"]:
                try:
                    s = socket.create_connection(("127.0.0.1", port), timeout=1)
                    if port == 9001:
                        # Its own environment's API: a /next there would end its own invocation.
                        seen["ports"][str(port)] = "connected"
                        s.close()
                        continue
                    # What a thief would do: long-poll for another environment's next invocation.
                    s.settimeout(1)
                    s.sendall(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
                    try:
                        answer = s.recv(200).decode(errors="replace").split("\\r\\n")[0]
                    except socket.timeout:
                        answer = "no answer yet (a long poll)"
                    seen["ports"][str(port)] = "connected: " + answer
                    s.close()
                except OSError as error:
                    seen["ports"][str(port)] = type(error).__name__
            return seen
        """

    @Test func aFunctionReachesNeitherAnotherEnvironmentsRuntimeAPINorTheHostsLoopback() async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = parent.appendingPathComponent("app")
        try writeSingleFunctionProject(at: project, name: "Prober", runtime: "python3.11", extra: """
              Victim:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: src/
                  Handler: victim.handler
                  Runtime: python3.11
            """, files: [
            "app.py": Self.prober,
            "victim.py": "def handler(event, context):\n    return {'victim': event.get('n')}\n",
        ])
        let service = try HostService()
        let server = try await ServeTests.Server(project: project)
        defer { _ = server.stop() }
        let call = """
            import json, sys, urllib.request
            port, name, event = sys.argv[1], sys.argv[2], sys.argv[3]
            url = f"http://127.0.0.1:{port}/2015-03-31/functions/{name}/invocations"
            print(urllib.request.urlopen(urllib.request.Request(url, data=event.encode()), timeout=20).read().decode())
            """
        // The victim's environment exists and waits for its next invocation.
        let first = try await TestSupport.run("python3", ["-c", call, String(server.port), "Victim", #"{"n": 1}"#])
        #expect(first.stdout.contains(#""victim": 1"#), "\(first.stderr) \(server.output)")

        // The prober tries every port listening on this machine's loopback but serve's own Invoke API.
        let ports = Self.loopbackListeners().subtracting([server.port])
        #expect(ports.contains(service.port))
        let probe = try await TestSupport.run("python3", ["-c", call, String(server.port), "Prober", String(decoding: try JSONSerialization.data(withJSONObject: ["ports": ports.sorted() + [9001]]), as: UTF8.self)])
        let seen = try #require(try JSONSerialization.jsonObject(with: Data(probe.stdout.utf8)) as? [String: Any], "\(probe.stderr) \(server.output)")
        #expect(seen["api"] as? String == "127.0.0.1:9001")
        let results = try #require(seen["ports"] as? [String: String])
        for port in ports {
            #expect(results[String(port)] == "ConnectionRefusedError", "port \(port): \(results[String(port)] ?? "not tried")")
        }
        // 127.0.0.1:9001 is its own environment's API: reachable, and nobody else's.
        #expect(results["9001"]?.hasPrefix("connected") == true, "\(results)")

        // Nothing was taken from the victim: its next invocation is answered as usual.
        let second = try await TestSupport.run("python3", ["-c", call, String(server.port), "Victim", #"{"n": 2}"#])
        #expect(second.stdout.contains(#""victim": 2"#), "\(second.stderr) \(server.output)")
    }

    @Test func theLocalAWSEndpointIsForwardedIntoTheEnvironmentAndNothingElse() async throws {
        let function = try InvokeTests.Function([
            "app.py": """
                import os, socket, urllib.request
                def handler(event, context):
                    endpoint = urllib.request.urlopen(os.environ["AWS_ENDPOINT_URL"], timeout=5).read().decode()
                    try:
                        socket.create_connection(("127.0.0.1", int(event["other"])), timeout=1).close()
                        other = "connected"
                    except OSError as error:
                        other = type(error).__name__
                    return {"endpoint": endpoint, "other": other, "hosts": open("/etc/hosts").read()}
                """,
        ])
        defer { function.remove() }
        // A local "AWS endpoint" answering one word, and another host service the function was not
        // given; both on this machine's loopback, for the length of one invoke.
        let script = """
            import http.server, socket, subprocess, sys, threading
            class Endpoint(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    self.send_response(200); self.send_header("Content-Length", "9"); self.end_headers()
                    self.wfile.write(b"local-aws")
                def log_message(self, *args): pass
            endpoint = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
            threading.Thread(target=endpoint.serve_forever, daemon=True).start()
            other = socket.socket(); other.bind(("127.0.0.1", 0)); other.listen(4)
            run = subprocess.run(sys.argv[1:] + ["--aws-endpoint-url", f"http://localhost:{endpoint.server_address[1]}"],
                                 input=f'{{"other": {other.getsockname()[1]}}}', capture_output=True, text=True, timeout=60)
            sys.stdout.write(run.stdout); sys.stderr.write(run.stderr)
            """
        let result = try await TestSupport.run("python3", ["-c", script, Binary.url.path, "invoke", "--code", function.root.path, "--runtime", "python3.11",
                                                     "--handler", "app.handler", "--event", "-"])
        let seen = IsolationTests.response(result)
        #expect(seen["endpoint"] as? String == "local-aws", "\(result.stdout) \(result.stderr)")
        #expect(seen["other"] as? String == "ConnectionRefusedError")
        // The environment's own names: sandbox.localdomain is itself (where extensions listen).
        #expect((seen["hosts"] as? String)?.contains("127.0.0.1 localhost sandbox.localdomain") == true)
    }

    @Test func twoEnvironmentsOfAnExternalExtensionWithAFixedPortRunAtOnce() async throws {
        // The generated external extension listens on 127.0.0.1:4243 in every environment; on a
        // shared network the second environment's extension could not bind it (Extension.Crash).
        for language in ["node", "python"] {
            var arguments = ["--strategy", "extension", "--language", language]
            if language == "python" { arguments += ["--variant", "external"] }
            let (parent, project) = try await ServeTests.project(arguments) { try ServeTests.setTaskMilliseconds(500, in: $0) }
            defer { try? FileManager.default.removeItem(at: parent) }
            let server = try await ServeTests.Server(project: project, arguments: ["--concurrency", "2"])
            let client = """
                import concurrent.futures, json, sys, urllib.request
                url = f"http://127.0.0.1:{sys.argv[1]}/2015-03-31/functions/ApiFunction/invocations"
                def call(i):
                    request = urllib.request.Request(url, data=json.dumps({"orderId": f"o-{i}"}).encode(), method="POST")
                    with urllib.request.urlopen(request, timeout=30) as r:
                        return r.status, r.headers.get("X-Amz-Function-Error"), json.loads(json.loads(r.read())["body"])["orderId"]
                with concurrent.futures.ThreadPoolExecutor(2) as pool:
                    print(sorted(pool.map(call, range(2))))
                """
            let result = try await TestSupport.run("python3", ["-c", client, String(server.port)])
            #expect(result.stdout.contains("[(200, None, 'o-0'), (200, None, 'o-1')]"), "\(language): \(result.stdout) \(result.stderr) \(server.output)")
            // Two environments, each with its own cold start and its own extension on port 4243.
            await server.waitFor(", init ", count: 2)
            #expect(server.output.components(separatedBy: ", init ").count - 1 == 2, "\(language): \(server.output)")
            #expect(!server.output.contains("Address already in use") && !server.output.contains("Extension.Crash"), "\(language): \(server.output)")
            #expect(server.stop() == 130)
        }
    }
}
