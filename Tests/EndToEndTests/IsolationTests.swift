import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

let isolationAvailable = geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap")
/// The pids cgroup controller, v1 or v2: what limits an environment's processes and threads.
let processLimitAvailable = FileManager.default.fileExists(atPath: "/sys/fs/cgroup/pids/cgroup.procs")
    || ((try? String(contentsOfFile: "/sys/fs/cgroup/cgroup.controllers", encoding: .utf8))?.contains("pids") ?? false)
    && FileManager.default.fileExists(atPath: "/sys/fs/cgroup")

/// A `provided` bootstrap in shell: each event's answer is what `answer` prints.
func shellBootstrap(_ answer: String) -> String {
    """
    #!/bin/sh
    api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
    while true; do
      headers=$(mktemp)
      curl -sS -D "$headers" -o /dev/null "$api/invocation/next"
      id=$(grep -i '^lambda-runtime-aws-request-id:' "$headers" | cut -d' ' -f2 | tr -d '\r')
      out=$(mktemp)
      \(answer) > "$out" 2>&1 || true
      curl -sS -o /dev/null -X POST --data-binary @"$out" "$api/invocation/$id/response"
    done
    """
}

/// What a function sees in an isolated sandbox (the default, `--isolation auto`), each behaviour
/// checked as Lambda has it. Functions report what they see in their response; nothing here
/// watches them through host files, which an isolated function cannot reach.
@Suite(.enabled(if: isolationAvailable, "needs root and bubblewrap (scripts/ensure-deps installs it)"), .timeLimit(.minutes(10)))
struct IsolationTests {
    typealias Function = InvokeTests.Function

    static func response(_ result: ProcessResult) -> [String: Any] {
        let line = result.stdout.split(separator: "\n").first.map(String.init) ?? ""
        return (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? [:]
    }

    @Test func aHostOnlyPackageFailsToImportAsOnLambdaAndTheFilesystemIsLambdas() async throws {
        // pytest is on this machine (the tests run with it), not in the function's code.
        let function = try Function([
            "needs_pytest.py": "import pytest\ndef handler(event, context):\n    return 'imported'\n",
            "app.py": """
                import errno, os, sys
                def handler(event, context):
                    try:
                        open('/var/task/new-file', 'w')
                        write = 'written'
                    except OSError as error:
                        write = errno.errorcode[error.errno]
                    return {'uid': os.getuid(), 'gid': os.getgid(), 'cwd': os.getcwd(), 'write': write,
                            'path': os.environ['PATH'], 'ld': os.environ['LD_LIBRARY_PATH'], 'tz': os.environ['TZ'],
                            'home': os.path.exists('/root') or os.path.exists('/work'), 'opt': os.listdir('/opt'),
                            'exe': sys.executable, 'boto3': __import__('boto3').__name__}
                """,
        ])
        defer { function.remove() }
        let (failed, records) = try await function.invoke(["--code", function.root.path, "--runtime", "python3.11", "--handler", "needs_pytest.handler"])
        #expect(failed.status == 1)
        #expect(records.first?["error"] as? String == "Runtime.ImportModuleError", "\(failed.stdout)")
        #expect(failed.stdout.contains("No module named 'pytest'"))
        // Without isolation the host's package imports: the difference this suite exists for.
        let (host, _) = try await function.invoke(["--isolation", "none", "--code", function.root.path, "--runtime", "python3.11", "--handler", "needs_pytest.handler"])
        #expect(host.stdout.contains("imported"), "\(host.stderr)")

        let (result, _) = try await function.invoke(["--code", function.root.path, "--runtime", "python3.11", "--handler", "app.handler"])
        let seen = Self.response(result)
        #expect(seen["uid"] as? Int == 993 && seen["gid"] as? Int == 990, "\(result.stdout) \(result.stderr)")
        #expect(seen["cwd"] as? String == "/var/task")
        #expect(seen["write"] as? String == "EROFS")
        #expect(seen["path"] as? String == "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin")
        #expect((seen["ld"] as? String)?.contains("/var/task/lib") == true)
        #expect(seen["tz"] as? String == ":UTC")
        #expect(seen["home"] as? Bool == false)
        #expect((seen["opt"] as? [String])?.isEmpty == true)
        #expect((seen["exe"] as? String)?.hasPrefix("/var/lang/") == true)
        #expect(seen["boto3"] as? String == "boto3")
        #expect(function.survivors().isEmpty)
    }

    @Test func tmpIsEmptyAtEachColdStartAndFullPastItsSize() async throws {
        let function = try Function(["app.py": """
            import errno, os
            def handler(event, context):
                before = sorted(os.listdir('/tmp'))
                open('/tmp/left-behind', 'w').write('x')
                if not event.get('fill'):
                    return {'before': before}
                written = 0
                try:
                    with open('/tmp/big', 'wb') as out:
                        chunk = b'\\0' * (8 << 20)
                        while written < (600 << 20):
                            out.write(chunk)
                            out.flush()
                            written += len(chunk)
                    result = 'no error'
                except OSError as error:
                    result = errno.errorcode[error.errno]
                os.remove('/tmp/big')
                return {'before': before, 'result': result, 'writtenMB': written >> 20}
            """])
        defer { function.remove() }
        // Two invocations of one environment: /tmp keeps what the first wrote, as on Lambda.
        let (warm, _) = try await function.invoke(["--code", function.root.path, "--runtime", "python3.11", "--handler", "app.handler", "--repeat", "2"])
        #expect(warm.stdout.contains(#"{"before": []}"#) && warm.stdout.contains(#"{"before": ["left-behind"]}"#), "\(warm.stdout)")
        // A new cold start: empty again. 1,769 MB so the fill is not slowed by the CPU limit.
        let (cold, _) = try await function.invoke(["--code", function.root.path, "--runtime", "python3.11", "--handler", "app.handler",
                                              "--memory", "1769", "--timeout", "60"], event: #"{"fill": true}"#)
        let seen = Self.response(cold)
        #expect((seen["before"] as? [String])?.isEmpty == true, "\(cold.stdout) \(cold.stderr)")
        #expect(seen["result"] as? String == "ENOSPC")
        // 512 MB is Lambda's default EphemeralStorage.
        #expect((480...520).contains(seen["writtenMB"] as? Int ?? 0), "\(seen)")
    }

    @Test func goingOverMemorySizeEndsTheInvocationAsLambdaDoes() async throws {
        let function = try Function(["app.py": """
            def handler(event, context):
                block = bytearray(event['mb'] << 20)
                return {'allocated': len(block) >> 20}
            """])
        defer { function.remove() }
        let (failed, records) = try await function.invoke(["--code", function.root.path, "--runtime", "python3.11", "--handler", "app.handler",
                                                      "--repeat", "2"], event: #"{"mb": 300}"#)
        #expect(failed.status == 1)
        #expect(records.count == 2)
        #expect(records.first?["error"] as? String == "Runtime.OutOfMemory", "\(failed.stdout) \(failed.stderr)")
        #expect(records.first?["maxMemoryUsedMB"] as? Int == 128)
        #expect(failed.stderr.contains("Max Memory Used: 128 MB"))
        // The environment was reset: the next invocation starts cold.
        #expect(records.last?["initDurationMs"] != nil && !(records.last?["initDurationMs"] is NSNull))
        // Within MemorySize it works.
        let (fits, _) = try await function.invoke(["--code", function.root.path, "--runtime", "python3.11", "--handler", "app.handler",
                                              "--memory", "512"], event: #"{"mb": 300}"#)
        #expect(fits.stdout.contains(#"{"allocated": 300}"#), "\(fits.stderr)")
    }

    @Test func cpuIsInProportionToMemory() async throws {
        let function = try Function(["app.py": """
            import time
            def handler(event, context):
                start = time.monotonic()
                total = 0
                for i in range(1_500_000):
                    total += i * i
                return {'ms': (time.monotonic() - start) * 1000}
            """])
        defer { function.remove() }
        func timed(_ memory: String, _ extra: [String] = []) async throws -> Double {
            let (result, _) = try await function.invoke(["--code", function.root.path, "--runtime", "python3.11", "--handler", "app.handler",
                                                    "--memory", memory, "--timeout", "60"] + extra)
            return (Self.response(result)["ms"] as? Double) ?? -1
        }
        // The fast runs are the ones a busy machine slows (the other tests run beside this one): the
        // best of three is the function's own speed. The slow run is held back by its quota, not by them.
        let small = try await timed("128")
        var full = Double.infinity, unlimited = Double.infinity
        for _ in 0..<3 {
            full = min(full, try await timed("1769"))
            unlimited = min(unlimited, try await timed("128", ["--no-cpu-limit"]))
        }
        // Lambda: 1769/128 = 13.8 times slower at 128 MB. Generous bounds for a loaded machine.
        #expect(full > 0 && small / full > 5, "128 MB: \(small) ms, 1769 MB: \(full) ms")
        #expect(unlimited > 0 && small / unlimited > 5, "--no-cpu-limit: \(unlimited) ms")
    }

    @Test func theFreezeIsInvisibleAndReachesNewSessions() async throws {
        let function = try Function(["app.py": """
            import os, signal, subprocess, time
            conts = []
            child = None
            def handler(event, context):
                global child
                if child is None:
                    signal.signal(signal.SIGCONT, lambda *args: conts.append(1))
                    # A process in a new session ticks into /tmp: it must freeze with the environment.
                    child = subprocess.Popen(['setsid', 'sh', '-c', 'while true; do echo t >> /tmp/ticks; sleep 0.05; done'])
                    time.sleep(0.3)
                ticks = sum(1 for _ in open('/tmp/ticks'))
                return {'ticks': ticks, 'sigcont': len(conts)}
            """])
        defer { function.remove() }
        let (result, _) = try await function.invoke(["--code", function.root.path, "--runtime", "python3.11", "--handler", "app.handler",
                                                "--repeat", "2", "--idle", "1000"])
        let answers = result.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(answers.count == 2, "\(result.stdout) \(result.stderr)")
        let first = answers.first?["ticks"] as? Int ?? 0, second = answers.last?["ticks"] as? Int ?? 0
        // A second of idle time would be ~20 ticks if the child ran on; frozen, at most a few.
        #expect(first > 0 && second - first < 5, "ticks \(first) then \(second)")
        #expect(answers.last?["sigcont"] as? Int == 0)
        #expect(function.survivors().isEmpty)
    }

    @Test func aFrozenSandboxDoesNotSurviveARunnerKilledWithSIGKILL() async throws {
        let function = try Function(["app.py": """
            import subprocess
            def handler(event, context):
                subprocess.Popen(['setsid', 'sleep', '300'])
                return 'started'
            """])
        defer { function.remove() }
        let process = Process()
        process.executableURL = Binary.url
        process.arguments = ["invoke", "--code", function.root.path, "--runtime", "python3.11", "--handler", "app.handler",
                             "--repeat", "2", "--idle", "60000", "--env", "MARKER=\(function.marker)", "--event", "-"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: Data("{}".utf8))
        try input.fileHandleForWriting.close()
        // The first answer arrives; then the environment is frozen for the idle minute.
        let answer = output.fileHandleForReading.availableData
        #expect(String(decoding: answer, as: UTF8.self).contains("started"))
        try? await Task.sleep(nanoseconds: 300_000_000)
        #expect(!function.survivors().isEmpty, "the sandbox should be running")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let deadline = Date().addingTimeInterval(10)
        while !function.survivors().isEmpty, Date() < deadline { try? await Task.sleep(nanoseconds: 100_000_000) }
        #expect(function.survivors().isEmpty, "left running: \(function.survivors())")
    }

    @Test func withoutExtensionsTheRuntimeIsKilledWithoutSIGTERM() async throws {
        let function = try Function(["app.py": """
            import signal, sys
            def on_term(*args):
                print('SIGTERM handler ran', flush=True)
                sys.exit(0)
            signal.signal(signal.SIGTERM, on_term)
            def handler(event, context):
                return 'ok'
            """])
        defer { function.remove() }
        let (result, _) = try await function.invoke(["--code", function.root.path, "--runtime", "python3.11", "--handler", "app.handler"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("SIGTERM handler ran"), "\(result.stderr)")
    }

    @Test func aBootstrapFindsTheLibrariesInItsZipsLibFolder() async throws {
        let function = try Function([
            "libx.c": "const char *greeting(void) { return \"hello from libx\"; }\n",
            "hello.c": "#include <stdio.h>\nconst char *greeting(void);\nint main(void) { printf(\"\\\"%s\\\"\", greeting()); return 0; }\n",
            "code/bootstrap": shellBootstrap(#""$LAMBDA_TASK_ROOT/hello""#),
        ], executable: ["code/bootstrap"])
        defer { function.remove() }
        try FileManager.default.createDirectory(atPath: function.path("code/lib"), withIntermediateDirectories: true)
        #expect(try await TestSupport.run("cc", ["-shared", "-fPIC", "-o", function.path("code/lib/libx.so"), function.path("libx.c")]).status == 0)
        // Linked to libx.so with no rpath: only LD_LIBRARY_PATH's /var/task/lib finds it, as on Lambda.
        #expect(try await TestSupport.run("cc", ["-o", function.path("code/hello"), function.path("hello.c"), "-L", function.path("code/lib"), "-lx"]).status == 0)
        let (result, _) = try await function.invoke(["--code", function.path("code"), "--runtime", "provided.al2023"])
        #expect(result.stdout.contains("hello from libx"), "\(result.stdout) \(result.stderr)")
    }

    @Test func aProjectRunsWhatShipsItsRequirementsIncluded() async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let wheels = parent.appendingPathComponent("wheels")
        let made = try await makeTinyWheel(in: wheels)
        #expect(made.status == 0, "\(made.stderr)")
        let project = parent.appendingPathComponent("app")
        try writeSingleFunctionProject(at: project, name: "PyFunction", runtime: "python3.11", files: [:])
        try """
            import decimal, os
            import tinydep
            calls = 0
            def handler(event, context):
                global calls
                calls += 1
                if calls == 2:
                    return {'not json': {1, 2}}
                return {'value': tinydep.VALUE, 'price': decimal.Decimal('12.5'), 'tests': os.path.exists('/var/task/tests')}
            """.write(to: project.appendingPathComponent("src/app.py"), atomically: true, encoding: .utf8)
        try "tinydep==1.0\n".write(to: project.appendingPathComponent("src/requirements.txt"), atomically: true, encoding: .utf8)
        // __pycache__ is one of package's excludes: not shipped, so not there locally either.
        try FileManager.default.createDirectory(at: project.appendingPathComponent("src/__pycache__"), withIntermediateDirectories: true)
        let report = parent.appendingPathComponent("report.jsonl")
        let result = try await TestSupport.run(Binary.url.path, ["invoke", project.path, "--repeat", "3", "--report", report.path],
                                         environment: ["PIP_NO_INDEX": "1", "PIP_FIND_LINKS": wheels.path])
        let answers = result.stdout.split(separator: "\n").map(String.init)
        #expect(answers.first == #"{"value": 42, "price": 12.5, "tests": false}"#, "\(result.stdout) \(result.stderr)")
        // A result JSON cannot hold: Lambda's Runtime.MarshalError, and the runtime lives on (third call warm).
        #expect(answers.count == 3 && answers[1].contains("Runtime.MarshalError"), "\(answers)")
        let records = try String(contentsOf: report, encoding: .utf8).split(separator: "\n")
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(records.map { $0["error"] as? String } == [nil, "Runtime.MarshalError", nil])
        #expect(records.last?["initDurationMs"] == nil || records.last?["initDurationMs"] is NSNull)
        // The zip package builds is what ran.
        #expect(FileManager.default.fileExists(atPath: project.appendingPathComponent(".lambda-async/build/PyFunction.zip").path))
    }

    @Test func anInitOverTenSecondsIsTriedAgainInsideTheFirstInvocation() async throws {
        // Each init takes 1.5 s against a limit shortened from Lambda's 10 s to 1 s (rather than
        // waiting 10 s twice): the first is cut at the limit, the second runs inside the invocation,
        // within the function's timeout, and counts toward its duration.
        let function = try Function(["app.py": "import time\ntime.sleep(1.5)\ndef handler(event, context):\n    return 'ready'\n"])
        defer { function.remove() }
        let (result, records) = try await function.invoke(["--code", function.root.path, "--runtime", "python3.11", "--handler", "app.handler",
                                                      "--timeout", "30"], environment: ["LAMBDA_ASYNC_INIT_LIMIT_MS": "1000"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("ready"))
        #expect(result.stderr.contains("tried again inside the invocation"))
        let record = records.first ?? [:]
        #expect(result.stderr.contains("init did not finish within 1 s"), "\(result.stderr)")
        #expect(InvokeTests.number(record, "durationMs") >= 1_500, "\(record)")
        #expect(record["initDurationMs"] == nil || record["initDurationMs"] is NSNull, "\(record)")
    }

    @Test func strictRefusesWhereIsolationIsMissingAndAutoSaysWhat() async throws {
        // As an unprivileged user there are no namespaces or cgroups to make.
        let function = try Function(["bootstrap": shellBootstrap(#"echo '"ran"'"#)], executable: ["bootstrap"])
        defer { function.remove() }
        // The user's own files, as a user's function would be.
        #expect(try await TestSupport.run("/bin/chown", ["-R", "65534:65534", function.root.path]).status == 0)
        let setpriv = ["--reuid=65534", "--regid=65534", "--clear-groups", "--", Binary.url.path, "invoke", "--code", function.root.path,
                       "--runtime", "provided.al2023", "--event", "-"]
        let strict = try await TestSupport.run("/usr/bin/setpriv", setpriv + ["--isolation", "strict"], input: "{}", directory: function.root)
        #expect(strict.status == 1, "\(strict.stderr)")
        #expect(strict.stderr.contains("--isolation strict needs namespaces and cgroups"), "\(strict.stderr)")
        // auto runs, on the host as is, and says once what it cannot give.
        let auto = try await TestSupport.run("/usr/bin/setpriv", setpriv, input: "{}", directory: function.root)
        #expect(auto.status == 0 && auto.stdout.contains("ran"), "\(auto.stdout) \(auto.stderr)")
        #expect(auto.stderr.components(separatedBy: "note: the sandboxes").count == 2)
        #expect(auto.stderr.contains("note: the sandboxes are not fully Lambda's environment here: not root"), "\(auto.stderr)")
    }
}
