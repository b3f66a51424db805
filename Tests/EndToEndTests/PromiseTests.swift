import Foundation
import Testing
import TestSupport

/// What the README, the manual under docs/ and `--help` promise, each checked against the built binary.
@Suite(.timeLimit(.minutes(10))) struct PromiseTests {
    static let readme = Binary.documentation.map(\.text).joined(separator: "\n")
    static let commands = ["compare", "recommend", "new", "package", "inspect", "invoke", "serve"]

    // MARK: Exit codes

    /// Every row of the README's exit-code table, produced by a real run.
    @Test func everyRowOfTheExitCodeTableHappens() async throws {
        let table = Self.readme.components(separatedBy: "| exit code | meaning |").last ?? ""
        let documented = Set(table.split(separator: "\n").prefix { $0.hasPrefix("|") }.compactMap { line in
            Int32(line.split(separator: "|").first?.trimmingCharacters(in: .whitespaces) ?? "")
        })
        #expect(documented == [0, 1, 2, 64, 130], "the README's table")

        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try await Binary.run("compare").status == 0)
        // 1: the command ran and could not do its job (a bootstrap that would not start on Lambda).
        let bootstrap = dir.appendingPathComponent("bootstrap")
        try "#!/bin/sh\r\necho hi\r\n".write(to: bootstrap, atomically: true, encoding: .utf8)
        let refused = try await Binary.run("package", "--bootstrap", bootstrap.path, "-o", dir.appendingPathComponent("b.zip").path)
        #expect(refused.status == 1, "\(refused.stderr)")
        // 64: bad usage, caught by the parser or found while running.
        #expect(try await Binary.run("compare", "--format", "yaml").status == 64)
        #expect(try await Binary.run("inspect", dir.appendingPathComponent("missing.zip").path).status == 64)
        // 2: a change set left for review: DeployTests (deploy --no-execute).
        // 130: interrupted; see the package test below and the invoke, invoke --listen and serve tests.
    }

    /// A project whose zips are up to date still has what a killed run left in its build folder swept
    /// (only the writing path swept before: the leftovers stayed for as long as nothing changed).
    @Test func anUpToDatePackageSweepsWhatAKilledRunLeft() async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = parent.appendingPathComponent("shop")
        #expect(try await TestSupport.run(Binary.url.path, ["new", project.path, "--strategy", "custom-runtime"]).status == 0)
        #expect(try await TestSupport.run(Binary.url.path, ["package", project.path]).status == 0)
        let build = project.appendingPathComponent(".lambda-async/build")
        // Names a dead process would leave: pid 4,194,303, the last pid Linux can hand out, is not running here.
        let dead = 4_194_303
        let leftovers = [".ApiFunction.zip.\(dead).12345.tmp", ".staging.\(dead).7.tmp"]
        for name in leftovers { FileManager.default.createFile(atPath: build.appendingPathComponent(name).path, contents: Data("x".utf8)) }
        let again = try await TestSupport.run(Binary.url.path, ["package", project.path])
        #expect(again.status == 0 && again.stdout.contains("up to date"), "\(again.stdout)\(again.stderr)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: build.path)) ?? []
        #expect(names.filter { $0.hasSuffix(".tmp") }.isEmpty, "\(names)")
    }

    /// Ctrl-C during `package` removes the half-written zip and exits 130; a run killed outright
    /// leaves it, and the next run beside it sweeps it.
    @Test func interruptedPackagingLeavesNothingBehind() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let code = dir.appendingPathComponent("src")
        try FileManager.default.createDirectory(at: code, withIntermediateDirectories: true)
        try "def handler(event, context):\n    return 1\n".write(to: code.appendingPathComponent("app.py"), atomically: true, encoding: .utf8)
        // Incompressible, so that zipping it takes long enough to be interrupted.
        let random = try #require(FileHandle(forReadingAtPath: "/dev/urandom"))
        try random.readData(ofLength: 48_000_000).write(to: code.appendingPathComponent("blob.bin"))

        func temporaries() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".tmp") }
        }
        func startPackaging() async throws -> Process {
            let process = Process()
            process.executableURL = Binary.url
            process.arguments = ["package", "--function", code.path, "--runtime", "python3.13", "--handler", "app.handler",
                                 "-o", dir.appendingPathComponent("function.zip").path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(30)
            // A tight poll that holds its thread: a task's sleep can overshoot by far more than the
            // second or so packaging takes on a busy machine, and the moment to interrupt would pass.
            while temporaries().isEmpty, process.isRunning, Date() < deadline { usleep(10_000) }
            return process
        }

        let interrupted = try await startPackaging()
        #expect(!temporaries().isEmpty, "the zip is written to a temporary file first")
        kill(interrupted.processIdentifier, SIGINT)
        interrupted.waitUntilExit()
        #expect(interrupted.terminationStatus == 130)
        #expect(temporaries().isEmpty, "\(temporaries())")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("function.zip").path))

        let killed = try await startPackaging()
        kill(killed.processIdentifier, SIGKILL)
        killed.waitUntilExit()
        let left = temporaries()
        #expect(left.count == 1, "SIGKILL cannot be caught: \(left)")
        // The next run beside it removes what a dead process left (a live one's are left alone).
        try "def handler(event, context):\n    return 1\n".write(to: dir.appendingPathComponent("app.py"), atomically: true, encoding: .utf8)
        let small = dir.appendingPathComponent("small")
        try FileManager.default.createDirectory(at: small, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: dir.appendingPathComponent("app.py"), to: small.appendingPathComponent("app.py"))
        let next = try await Binary.run("package", "--function", small.path, "--runtime", "python3.13", "--handler", "app.handler",
                                  "-o", dir.appendingPathComponent("small.zip").path)
        #expect(next.status == 0, "\(next.stderr)")
        #expect(temporaries().isEmpty, "\(temporaries())")
    }

    // MARK: Formats and JSON

    /// Every `--format` value a command's help offers works.
    @Test(arguments: ["compare", "recommend", "new", "package", "inspect"])
    func everyOfferedFormatWorks(command: String) async throws {
        let help = try await Binary.run(command, "--help").stdout
        let options = help.components(separatedBy: "OPTIONS:").last ?? ""
        let option = options.components(separatedBy: "--format <format>").dropFirst().joined()
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let values = option.components(separatedBy: "(values: ").dropFirst().first?.components(separatedBy: ";").first?
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
        #expect(!values.isEmpty, "\(command) --help lists its formats")
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let project = dir.appendingPathComponent("proj")
        #expect(try await Binary.run("new", "--strategy", "extension", project.path).status == 0)
        for value in values {
            let arguments: [String]
            switch command {
            case "new": arguments = ["new", "--list", "--format", value]
            case "package": arguments = ["package", project.path, "--format", value]
            case "inspect":
                _ = try await Binary.run("package", project.path)
                arguments = ["inspect", project.appendingPathComponent(".lambda-async/build/ApiFunction.zip").path, "--format", value]
            default: arguments = [command, "--format", value]
            }
            let result = try await TestSupport.run(Binary.url.path, arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(!result.stdout.isEmpty)
        }
    }

    /// Each JSON output against its schema in schemas/, by an independent validator (Python's
    /// jsonschema): every key present (null when absent), nothing undocumented, `schemaVersion` set.
    @Test func everyJSONOutputMatchesItsDocumentedSchema() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let project = dir.appendingPathComponent("proj")
        #expect(try await Binary.run("new", "--strategy", "extension", "--variant", "external", project.path).status == 0)
        let report = dir.appendingPathComponent("report.jsonl")
        let invoked = try await Binary.run("invoke", project.path, "--isolation", "none", "--report", report.path)
        #expect(invoked.status == 0, "\(invoked.stderr)")
        let outputs: [(String, [String])] = [
            ("compare", ["compare", "--format", "json"]),
            ("compare", ["compare", "--platform", "managed-instances", "--format", "json"]),
            ("recommend", ["recommend", "--language", "python", "--format", "json"]),
            ("recommend", ["recommend", "--language", "node", "--front-door", "function-url", "--must-complete", "--format", "json"]),
            ("new-list", ["new", "--list", "--format", "json"]),
            ("new", ["new", "--strategy", "streaming", "--language", "node", "--dry-run", "--format", "json", dir.appendingPathComponent("n").path]),
            ("package", ["package", project.path, "--format", "json"]),
            ("inspect", ["inspect", project.appendingPathComponent(".lambda-async/build/TasksLayer.zip").path, "--as", "layer", "--format", "json"]),
            ("measure", ["compare", "--measure", "--invocations", "1", "--sync-ms", "1", "--task-ms", "1", "--format", "json"]),
        ]
        var documents: [(String, String)] = []
        for (schema, arguments) in outputs {
            let result = try await TestSupport.run(Binary.url.path, arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            documents.append((schema, result.stdout))
        }
        for line in try String(contentsOf: report, encoding: .utf8).split(separator: "\n") {
            documents.append(("invoke-report", String(line)))
        }
        // One Python for every document (jsonschema takes a third of a second to import): each line of
        // its answer is a document's index and the problems found in it, none when it conforms.
        let validator = """
            import json, sys, jsonschema
            for index, (path, text) in enumerate(json.load(sys.stdin)):
                schema = json.load(open(path))
                jsonschema.Draft202012Validator.check_schema(schema)
                errors = [f"{list(e.absolute_path)} {e.message}" for e in jsonschema.Draft202012Validator(schema).iter_errors(json.loads(text))]
                print(json.dumps([index, errors]))
            """
        let paths = documents.map { Binary.repositoryRoot.appendingPathComponent("schemas/\($0.0).schema.json").path }
        let input = try JSONSerialization.data(withJSONObject: zip(paths, documents).map { [$0, $1.1] })
        let checked = try await TestSupport.run("python3", ["-c", validator], input: String(decoding: input, as: UTF8.self))
        #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")
        var problems: [Int: [String]] = [:]
        for line in checked.stdout.split(separator: "\n") {
            guard let pair = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [Any],
                  let index = pair.first as? Int, let errors = pair.last as? [String] else { continue }
            problems[index] = errors
        }
        for (index, (schema, _)) in documents.enumerated() {
            #expect(problems[index] == [], "\(schema): \(problems[index] ?? ["not checked: \(checked.stderr)"])")
            let documented = Self.readme.contains("schemas/\(schema).schema.json")
            #expect(documented, "the README points at \(schema)'s schema")
        }
    }

    // MARK: Messages

    @Test func aTypoIsAnsweredWithTheNearestValue() async throws {
        let strategy = try await Binary.run("new", "--strategy", "extensoin", "x")
        #expect(strategy.status == 64)
        #expect(strategy.stderr.contains("The value 'extensoin' is invalid for '--strategy <strategy>'. Did you mean 'extension'?"), "\(strategy.stderr)")
        // recommend takes any language (one without a managed runtime means a custom runtime): a typo
        // of a managed one is still answered, with the likely one named.
        let language = try await Binary.run("recommend", "--language", "pyhton")
        #expect(language.stderr.contains("did you mean 'python'?"), "\(language.stderr)")
        let runtime = try await Binary.run("invoke", "--code", "/tmp", "--runtime", "python3.31", "--handler", "app.handler")
        #expect(runtime.status == 64)
        #expect(runtime.stderr.contains("'python3.31' is not a Lambda runtime. Did you mean 'python3.13'?"), "\(runtime.stderr)")
        // Far from every value: no guess, the list only.
        let far = try await Binary.run("new", "--language", "java", "x")
        #expect(!far.stderr.contains("Did you mean"))
        #expect(far.stderr.contains("'python' and 'node'"))
    }

    /// Every example line of every command's `--help` fits a terminal (80 columns, unwrapped) and,
    /// pasted, parses: lambda-async lines in the binary's parse-only mode, others as shell words.
    @Test(arguments: ["", "compare", "recommend", "new", "package", "inspect", "invoke", "serve", "event"])
    func helpExamplesCanBePasted(command: String) async throws {
        let help = try await TestSupport.run(Binary.url.path, (command.isEmpty ? [] : [command]) + ["--help"], environment: ["COLUMNS": "80"]).stdout
        let block = help.components(separatedBy: "Examples:\n").dropFirst().first?.components(separatedBy: "\n\n").first ?? ""
        #expect(!block.isEmpty, "\(command) --help has examples")
        var examples: [String] = []
        var current = ""
        for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
            #expect(line.count <= 80, "wrapped in the middle: \(line)")
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.hasSuffix("\\") {
                current += text.dropLast() + " "
            } else {
                examples.append(current + text)
                current = ""
            }
        }
        #expect(current.isEmpty, "a continuation line ends the block")
        // Shell words, cut at a pipe or a redirection, as the shell would.
        let splitter = """
            import json, shlex, sys
            words = shlex.split(sys.stdin.read(), posix=True)
            cut = next((i for i, w in enumerate(words) if w in ("|", "<<<", ">", "<", "&&")), len(words))
            print(json.dumps(words[:cut]))
            """
        for example in examples where !example.isEmpty {
            let split = try await TestSupport.run("python3", ["-c", splitter], input: example)
            #expect(split.status == 0, "\(example) is not valid shell: \(split.stderr)")
            let words = (try? JSONSerialization.jsonObject(with: Data(split.stdout.utf8))) as? [String] ?? []
            guard words.first == "lambda-async" else { continue }
            let parsed = try await TestSupport.run(Binary.url.path, Array(words.dropFirst()), environment: ["LAMBDA_ASYNC_PARSE_ONLY": "1"])
            #expect(parsed.status == 0, "\(example): \(parsed.stderr)")
        }
    }

    @Test func nextCommandsQuotePathsWithSpaces() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("my projects/orders")
        let created = try await TestSupport.run(Binary.url.path, ["new", "--strategy", "extension", "--name", "orders", folder.path])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("  cd '\(folder.path)'\n"), "\(created.stdout)")
        // Pasted into a shell, it goes where it says.
        let line = created.stdout.split(separator: "\n").first { $0.hasPrefix("  cd ") }.map(String.init) ?? ""
        let moved = try await TestSupport.run("/bin/sh", ["-c", line + " && pwd"])
        #expect(moved.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == folder.path)
    }

    @Test func theSizeLimitAdviceIsOneThatWorks() async throws {
        let message = try String(contentsOf: Binary.repositoryRoot.appendingPathComponent("Sources/LambdaAsyncArchive/LambdaChecks.swift"), encoding: .utf8)
        // A layer counts toward the same 250 MB: the message must not send people there.
        #expect(!message.contains("move dependencies to a layer"))
        #expect(message.contains("container image"))
    }

    // MARK: invoke's output

    /// A streamed HTTP response prints its body; the prelude (status, headers) is said on standard
    /// error. A file gets the bytes exactly, as the client receives them, with no line end added.
    @Test func invokeWritesWhatTheClientGets() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let code = dir.appendingPathComponent("src")
        try FileManager.default.createDirectory(at: code, withIntermediateDirectories: true)
        try """
            export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
              const stream = awslambda.HttpResponseStream.from(responseStream, { statusCode: 201, headers: { "x-kind": "report" } });
              stream.write("line one\\n");
              stream.end("line two");
            });
            """.write(to: code.appendingPathComponent("index.mjs"), atomically: true, encoding: .utf8)
        let printed = try await Binary.run("invoke", "--code", code.path, "--runtime", "nodejs22.x", "--handler", "index.handler", "--isolation", "none")
        #expect(printed.status == 0, "\(printed.stderr)")
        #expect(printed.stdout == "line one\nline two\n", "\(printed.stdout.debugDescription)")
        #expect(printed.stderr.contains(#"HTTP response prelude: {"statusCode":201,"headers":{"x-kind":"report"}}"#), "\(printed.stderr)")

        let file = dir.appendingPathComponent("out.bin")
        let written = try await Binary.run("invoke", "--code", code.path, "--runtime", "nodejs22.x", "--handler", "index.handler",
                                     "--isolation", "none", "--output", file.path)
        #expect(written.status == 0)
        let bytes = try Data(contentsOf: file)
        #expect(bytes.contains(Data(repeating: 0, count: 8)), "the prelude stays in the file")
        #expect(bytes.suffix(8) == Data("line two".utf8), "no line end the function did not write")

        try "def handler(event, context):\n    return {'ok': True}\n".write(to: code.appendingPathComponent("app.py"), atomically: true, encoding: .utf8)
        let buffered = dir.appendingPathComponent("buffered.json")
        _ = try await Binary.run("invoke", "--code", code.path, "--runtime", "python3.13", "--handler", "app.handler",
                           "--isolation", "none", "--repeat", "2", "--output", buffered.path)
        #expect(try String(contentsOf: buffered, encoding: .utf8) == #"{"ok": true}"#, "the last response, exactly")
    }

    // MARK: serve

    /// A function of a runtime the runner cannot run is listed as such, and its calls are refused
    /// at once with a 4xx the SDKs do not retry.
    @Test func serveSaysWhatItCannotRun() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeSingleFunctionProject(at: dir, name: "JavaFunction", runtime: "java21", handler: "example.Handler::handleRequest",
                                       files: ["README": "compiled elsewhere"])
        let server = try await ServeTests.Server(project: dir)
        #expect(server.output.contains("JavaFunction  not runnable locally (java21)"), "\(server.output)")
        let client = boto3ClientPreamble + """
            started = time.time()
            try:
                lam.invoke(FunctionName="JavaFunction", Payload=b"{}")
            except lam.exceptions.InvalidRuntimeException as e:
                print("refused", e.response["ResponseMetadata"]["HTTPStatusCode"], round(time.time() - started, 1) < 2, e.response["Error"]["Message"])
            import urllib.request, urllib.error
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/nowhere")
            except urllib.error.HTTPError as e:
                print("raw", e.code, e.read().decode())
            """
        let result = try await TestSupport.run("python3", ["-c", client, String(server.port)])
        #expect(result.stdout.hasPrefix("refused 400 True JavaFunction uses java21, which lambda-async's local runner cannot run"), "\(result.stdout)\(result.stderr)")
        // JSON as people write it: no escaped slashes in paths.
        #expect(result.stdout.contains("POST /2015-03-31/functions/NAME/invocations"), "\(result.stdout)")
        #expect(!result.stdout.contains("\\/"), "\(result.stdout)")
        #expect(server.stop() == 130)
    }
}

/// Issue 11's first parts: a stream's time to first byte, and payloads Lambda refuses before any function runs.
@Suite(.timeLimit(.minutes(10))) struct StreamAndPayloadTests {
    @Test func aStreamsTimeToFirstByteIsMeasured() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let code = dir.appendingPathComponent("src")
        try FileManager.default.createDirectory(at: code, withIntermediateDirectories: true)
        try """
            export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
              responseStream.write("first\\n");
              await new Promise((resolve) => setTimeout(resolve, 400));
              responseStream.end("last\\n");
            });
            """.write(to: code.appendingPathComponent("index.mjs"), atomically: true, encoding: .utf8)
        let report = dir.appendingPathComponent("report.jsonl")
        let result = try await Binary.run("invoke", "--code", code.path, "--runtime", "nodejs22.x", "--handler", "index.handler",
                                    "--isolation", "none", "--report", report.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("first byte of the stream: the client starts reading"), "\(result.stderr)")
        let record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        let firstByte = try #require(record["firstByteMs"] as? Double), whole = try #require(record["responseMs"] as? Double)
        // The first chunk leaves at once; the end 400 ms later. Bounds far from the expected values.
        #expect(firstByte < 200 && whole >= 390, "\(record)")
    }

    @Test func aPayloadThatIsNotJSONIsRefusedBeforeAnyFunctionRuns() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeSingleFunctionProject(at: dir, name: "PyFunction", runtime: "python3.13",
                                       files: ["app.py": "def handler(event, context):\n    print('handler ran')\n    return event\n"])
        // invoke: bad input, nothing started.
        let invoked = try await Binary.run("invoke", dir.path, "--isolation", "none", "--event", "-", input: "not json")
        #expect(invoked.status == 64)
        #expect(invoked.stderr.contains("InvalidRequestContentException: Could not parse request body into json"), "\(invoked.stderr)")
        #expect(!invoked.stderr.contains("handler ran"))
        // The Invoke API: Lambda's 400 for each invocation type, and the function never runs.
        let server = try await ServeTests.Server(project: dir, arguments: ["--isolation", "none"])
        let client = boto3ClientPreamble + """
            for kind in ("RequestResponse", "Event"):
                try:
                    lam.invoke(FunctionName="PyFunction", InvocationType=kind, Payload=b"not json")
                except lam.exceptions.InvalidRequestContentException as e:
                    print(kind, "refused", e.response["ResponseMetadata"]["HTTPStatusCode"])
            try:
                lam.invoke_with_response_stream(FunctionName="PyFunction", Payload=b"{oops")
            except lam.exceptions.InvalidRequestContentException as e:
                print("stream refused", e.response["ResponseMetadata"]["HTTPStatusCode"])
            print("json", json.loads(lam.invoke(FunctionName="PyFunction", Payload=b'"a string is JSON"')["Payload"].read()))
            """
        let result = try await TestSupport.run("python3", ["-c", client, String(server.port)])
        #expect(result.stdout.contains("RequestResponse refused 400"), "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("Event refused 400"))
        #expect(result.stdout.contains("stream refused 400"))
        #expect(result.stdout.contains("json a string is JSON"))
        await server.waitFor("PyFunction ")
        #expect(server.output.components(separatedBy: "handler ran").count == 2, "only the JSON call ran: \(server.output)")
        #expect(server.stop() == 130)
    }
}

/// serve scales as Lambda does: another environment when all are busy, throttles beyond the limit.
@Suite(.timeLimit(.minutes(10))) struct ScalingTests {
    static let slowHandler = """
        import time
        def handler(event, context):
            time.sleep(event.get('s', 0))
            return 'ok'
        """

    @Test func aBusyEnvironmentMakesAnotherAndReservedConcurrencyThrottles() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeSingleFunctionProject(at: dir, name: "Scaled", runtime: "python3.13", timeout: 10,
                                       extra: ["Limited", "Off"].enumerated().map { index, name in
                                           "  \(name):\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n"
                                               + "      Handler: app.handler\n      Runtime: python3.13\n      ReservedConcurrentExecutions: \(1 - index)\n"
                                       }.joined(),
                                       files: ["app.py": Self.slowHandler])
        let server = try await ServeTests.Server(project: dir, arguments: ["--isolation", "none"])
        #expect(server.output.contains("(up to 1 environment, reserved)"), "\(server.output)")
        #expect(server.output.contains("(up to 0 environments, reserved)"))
        let client = boto3ClientPreamble + """
            import concurrent.futures
            def call(name):
                try:
                    lam.invoke(FunctionName=name, Payload=b'{"s": 1.0}')
                    return "ok"
                except lam.exceptions.TooManyRequestsException as e:
                    return "throttled " + e.response.get("Reason", "")
            for name in ("Scaled", "Limited"):
                with concurrent.futures.ThreadPoolExecutor(2) as pool:
                    first = pool.submit(call, name)
                    time.sleep(0.3)
                    second = pool.submit(call, name)
                    print(name, sorted([first.result(), second.result()]))
            print("Off", call("Off"))
            """
        let result = try await TestSupport.run("python3", ["-c", client, String(server.port)])
        // Two calls at once: two environments (two cold starts) where nothing limits it...
        #expect(result.stdout.contains("Scaled ['ok', 'ok']"), "\(result.stdout)\(result.stderr)")
        await server.waitFor("Scaled ", count: 2)
        #expect(server.output.components(separatedBy: "Scaled ").filter { $0.contains(", init ") }.count == 2, "\(server.output)")
        // ...Lambda's throttle where ReservedConcurrentExecutions says one, or none.
        #expect(result.stdout.contains("Limited ['ok', 'throttled ReservedFunctionConcurrentInvocationLimitExceeded']"), "\(result.stdout)")
        #expect(result.stdout.contains("Off throttled ReservedFunctionConcurrentInvocationLimitExceeded"))
        #expect(server.stop() == 130)
    }

    /// An environment left free for --idle-timeout is shut down; the next call starts cold.
    @Test func anIdleEnvironmentIsReclaimed() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeSingleFunctionProject(at: dir, name: "Idle", runtime: "python3.13", files: ["app.py": Self.slowHandler])
        let server = try await ServeTests.Server(project: dir, arguments: ["--isolation", "none", "--idle-timeout", "1"])
        let client = boto3ClientPreamble + """
            lam.invoke(FunctionName="Idle", Payload=b"{}")
            time.sleep(float(sys.argv[2]))
            lam.invoke(FunctionName="Idle", Payload=b"{}")
            print("done")
            """
        let result = try await TestSupport.run("python3", ["-c", client, String(server.port), "3"])
        #expect(result.stdout.contains("done"), "\(result.stderr)")
        await server.waitFor("Idle ", count: 2)
        #expect(server.output.contains("Idle: 1 environment(s) idle for 1 s shut down"), "\(server.output)")
        // Both calls cold: the first environment was gone when the second came.
        #expect(server.output.components(separatedBy: "\n").filter { $0.hasPrefix("Idle ") && $0.contains(", init ") }.count == 2, "\(server.output)")
        #expect(server.stop() == 130)
    }
}

/// The template's computed values reach the function as a deployment would give them.
@Suite(.timeLimit(.minutes(10))) struct TemplateValuesTests {
    @Test func parametersAndIntrinsicsAreResolvedAndWhatCannotBeIsSaidOnce() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeSingleFunctionProject(
            at: dir, name: "Api", runtime: "python3.13",
            extra: "      Environment:\n        Variables:\n          TABLE: !Sub orders-${Stage}\n          REGION: !Ref AWS::Region\n"
                + "          SHARED: !ImportValue shared-table\n"
                + "  Queue:\n    Type: AWS::SQS::Queue\n",
            files: ["app.py": "import os\ndef handler(event, context):\n    return [os.environ.get(k) for k in ('TABLE', 'REGION', 'SHARED')]\n"])
        // A Parameters section, before Resources.
        let template = dir.appendingPathComponent("template.yaml")
        let text = try String(contentsOf: template, encoding: .utf8)
            .replacingOccurrences(of: "Resources:", with: "Parameters:\n  Stage:\n    Type: String\n    Default: dev\nResources:")
        try text.write(to: template, atomically: true, encoding: .utf8)

        let byDefault = try await Binary.run("invoke", dir.path, "--isolation", "none")
        #expect(byDefault.stdout == "[\"orders-dev\", \"us-east-1\", null]\n", "\(byDefault.stdout)\(byDefault.stderr)")
        #expect(byDefault.stderr.components(separatedBy: "SHARED (!ImportValue shared-table) is left unset").count == 2, "\(byDefault.stderr)")
        let overridden = try await Binary.run("invoke", dir.path, "--isolation", "none", "--parameter", "Stage=prod")
        #expect(overridden.stdout.hasPrefix("[\"orders-prod\""), "\(overridden.stdout)")
        let unknown = try await Binary.run("invoke", dir.path, "--parameter", "Stag=prod")
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("the template declares no parameter Stag (it has Stage)"), "\(unknown.stderr)")
    }
}

/// A local run calls nothing real unless asked: the project's other functions run in-process, and
/// other services get placeholder credentials (or this shell's with --aws-credentials, or an emulator).
@Suite(.timeLimit(.minutes(10))) struct LocalCallsTests {
    @Test func invokeRunsTheProjectsOtherFunctionsHere() async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = parent.appendingPathComponent("orders")
        #expect(try await TestSupport.run(Binary.url.path, ["new", project.path, "--strategy", "async-invoke"]).status == 0)
        let event = parent.appendingPathComponent("event.json")
        try #"{"orderId": "o-7"}"#.write(to: event, atomically: true, encoding: .utf8)
        let result = try await TestSupport.run(Binary.url.path, ["invoke", project.path, "--function", "ApiFunction", "--event", event.path, "--isolation", "none"],
                                         environment: ["AWS_ACCESS_KEY_ID": "AKIAREALLOOKING", "AWS_SECRET_ACCESS_KEY": "real-secret"])
        #expect(result.status == 0, "\(result.stderr)")
        // The worker the API function invoked ran here, not in the account of the shell's credentials; its timeline follows.
        #expect(result.stderr.contains("--- WorkerFunction "), "\(result.stderr)")
        #expect(result.stderr.components(separatedBy: "REPORT RequestId: ").count == 3, "\(result.stderr)")
    }

    @Test func credentialsArePlaceholdersUnlessAskedAndAnEmulatorCanBeNamed() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "import os\ndef handler(event, context):\n    return [os.environ.get(k) for k in ('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL')]\n"
            .write(to: dir.appendingPathComponent("app.py"), atomically: true, encoding: .utf8)
        let host = ["AWS_ACCESS_KEY_ID": "AKIAREALLOOKING", "AWS_SECRET_ACCESS_KEY": "real-secret"]
        func run(_ extra: [String]) async throws -> String {
            try await TestSupport.run(Binary.url.path, ["invoke", "--code", dir.path, "--runtime", "python3.13", "--handler", "app.handler", "--isolation", "none"] + extra,
                                environment: host).stdout
        }
        // No local AWS named and none needed: the calls come to the runner, which refuses them at once.
        await #expect(try run([]).hasPrefix("[\"LOCALLAMBDAASYNC\", \"local-placeholder-not-a-real-secret\", \"http://127.0.0.1:"))
        await #expect(try run(["--aws-credentials"]) == "[\"AKIAREALLOOKING\", \"real-secret\", null]\n")
        await #expect(try run(["--aws-endpoint-url", "http://127.0.0.1:5000"]).hasSuffix("\"http://127.0.0.1:5000\"]\n"))
        let bad = try await TestSupport.run(Binary.url.path, ["invoke", "--code", dir.path, "--runtime", "python3.13", "--handler", "app.handler",
                                                        "--aws-endpoint-url", "localhost:5000"])
        #expect(bad.status == 64)
    }
}

/// API Gateway in serve: HttpApi and Api events routed on serve's port as API Gateway would.
@Suite(.timeLimit(.minutes(10))) struct APIGatewayTests {
    static let template = """
        AWSTemplateFormatVersion: '2010-09-09'
        Transform: AWS::Serverless-2016-10-31
        Globals:
          HttpApi:
            CorsConfiguration:
              AllowOrigins: ["https://app.example.com"]
              AllowMethods: [GET, POST]
          Api:
            Variables:
              TABLE: orders-prod
            BinaryMediaTypes: ["application~1octet-stream"]
        Resources:
          HttpFunction:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: src/
              Handler: app.handler
              Runtime: python3.13
              Events:
                Get: {Type: HttpApi, Properties: {Path: "/orders/{id}", Method: get}}
                Files: {Type: HttpApi, Properties: {Path: "/files/{proxy+}", Method: ANY, PayloadFormatVersion: "1.0"}}
                Fallback: {Type: HttpApi}
          RestFunction:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: src/
              Handler: app.rest
              Runtime: python3.13
              Events:
                Post: {Type: Api, Properties: {Path: /items, Method: post}}
                Secret: {Type: Api, Properties: {Path: /secret, Method: get, Auth: {Authorizer: AWS_IAM}}}
                Broken: {Type: Api, Properties: {Path: /broken, Method: get}}
        """
    static let code = """
        import json, base64
        def handler(event, context):
            # Every event back, so the test can read it with Powertools' models.
            if event.get("version") == "1.0":
                return {"statusCode": 201, "multiValueHeaders": {"x-seen": ["a", "b"]}, "body": json.dumps(event)}
            if event["routeKey"] == "$default":
                return event
            return {"statusCode": 200, "headers": {"content-type": "application/json"}, "cookies": ["a=1"], "body": json.dumps(event)}
        def rest(event, context):
            if event["path"] == "/broken":
                return "not a proxy response"
            return {"statusCode": 200, "body": json.dumps(event)}
        """

    @Test func routesEventsAndAnswersAreAPIGateways() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("src"), withIntermediateDirectories: true)
        try Self.template.write(to: dir.appendingPathComponent("template.yaml"), atomically: true, encoding: .utf8)
        try Self.code.write(to: dir.appendingPathComponent("src/app.py"), atomically: true, encoding: .utf8)
        // AWS_IAM routes check signatures against the keys serve is started with.
        let server = try await ServeTests.Server(project: dir, arguments: ["--isolation", "none"],
                                                 environment: ["AWS_ACCESS_KEY_ID": "AKIDLOCAL", "AWS_SECRET_ACCESS_KEY": "secret"])
        #expect(server.output.contains("API GET /orders/{id}  (HttpApi, payload 2.0)"), "\(server.output)")
        #expect(server.output.contains("API GET /secret  (Api, payload 1.0, AWS_IAM)"))
        let client = """
            import json, sys, urllib.request, urllib.error
            from aws_lambda_powertools.utilities.parser import parse, models as m
            base = f"http://127.0.0.1:{sys.argv[1]}"
            def call(method, path, data=None, headers={}):
                request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
                try:
                    with urllib.request.urlopen(request) as r:
                        return r.status, r.headers, r.read()
                except urllib.error.HTTPError as e:
                    return e.code, e.headers, e.read()
            status, headers, body = call("GET", "/orders/7?x=1")
            event = parse(event=json.loads(body), model=m.APIGatewayProxyEventV2Model)
            print("v2", status, headers.get("Set-Cookie"), event.routeKey, event.pathParameters, event.queryStringParameters)
            status, headers, body = call("PUT", "/files/a/b.txt?t=1&t=2", b"hi", {"Content-Type": "text/plain"})
            event = parse(event=json.loads(body), model=m.APIGatewayProxyEventModel)
            print("v1", status, headers.get_all("x-seen"), event.pathParameters, event.multiValueQueryStringParameters, event.body)
            status, _, body = call("GET", "/anything/else")
            print("default", status, json.loads(body)["rawPath"])
            status, _, body = call("POST", "/items", b"\\x00\\x01raw", {"Content-Type": "application/octet-stream"})
            event = parse(event=json.loads(body), model=m.APIGatewayProxyEventModel)
            print("rest", status, event.requestContext.stage, event.isBase64Encoded, event.resource)
            # Not one of the REST API's BinaryMediaTypes: passed as text.
            status, _, body = call("POST", "/items", b"plain", {"Content-Type": "image/png"})
            event = parse(event=json.loads(body), model=m.APIGatewayProxyEventModel)
            print("rest-text", status, event.isBase64Encoded, event.body)
            print("unsigned", *call("GET", "/secret")[::2])
            print("broken", *call("GET", "/broken")[::2])
            print("missing", call("DELETE", "/items")[0])
            status, headers, _ = call("OPTIONS", "/orders/7", None, {"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"})
            print("preflight", status, headers.get("Access-Control-Allow-Origin"), headers.get("Access-Control-Allow-Methods"))
            print("cors", call("GET", "/orders/7", None, {"Origin": "https://app.example.com"})[1].get("Access-Control-Allow-Origin"),
                  call("GET", "/orders/7", None, {"Origin": "https://evil.example"})[1].get("Access-Control-Allow-Origin"))
            print("stage", json.loads(call("POST", "/items", b"{}", {"Content-Type": "application/json"})[2])["stageVariables"])
            """
        let result = try await TestSupport.run("python3", ["-c", client, String(server.port)], environment: ["PYTHONPATH": EventTests.powertools])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("v2 200 a=1 GET /orders/{id} {'id': '7'} {'x': '1'}"), "\(result.stdout)")
        #expect(result.stdout.contains("v1 201 ['a', 'b'] {'proxy': 'a/b.txt'} {'t': ['1', '2']} hi"))
        #expect(result.stdout.contains("default 200 /anything/else"))
        #expect(result.stdout.contains("rest 200 Prod True /items"))
        #expect(result.stdout.contains("rest-text 200 False plain"), "\(result.stdout)")
        #expect(result.stdout.contains(#"unsigned 403 b'{"message":"Missing Authentication Token"}'"#))
        #expect(result.stdout.contains(#"broken 502 b'{"message":"Internal server error"}'"#))
        // No route of its own: the HTTP API's $default takes it (both APIs share serve's port).
        #expect(result.stdout.contains("missing 200"))
        // The HTTP API's CORS answers preflights and marks answers; the REST API's stage variables reach its events.
        #expect(result.stdout.contains("preflight 200 https://app.example.com GET,POST"), "\(result.stdout)")
        #expect(result.stdout.contains("cors https://app.example.com None"))
        #expect(result.stdout.contains("stage {'TABLE': 'orders-prod'}"))
        // Signed for execute-api: the caller's access key reaches the event.
        let signed = try await TestSupport.run("curl", ["-s", "--aws-sigv4", "aws:amz:us-east-1:execute-api", "--user", "AKIDLOCAL:secret",
                                                  "http://127.0.0.1:\(server.port)/secret"])
        #expect(signed.stdout.contains(#""accessKey": "AKIDLOCAL""#), "\(signed.stdout)")
        // Signed with another secret: the signature does not hold, as API Gateway answers it.
        let forged = try await TestSupport.run("curl", ["-s", "--aws-sigv4", "aws:amz:us-east-1:execute-api", "--user", "AKIDLOCAL:guessed",
                                                  "http://127.0.0.1:\(server.port)/secret"])
        #expect(forged.stdout.contains("The request signature we calculated does not match"), "\(forged.stdout)")
        #expect(server.stop() == 130)
    }

    @Test func lambdaAuthorizersDecideAsAPIGatewaysDo() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("src"), withIntermediateDirectories: true)
        try """
            AWSTemplateFormatVersion: '2010-09-09'
            Transform: AWS::Serverless-2016-10-31
            Globals:
              Api:
                Auth:
                  DefaultAuthorizer: TokenAuth
                  Authorizers:
                    TokenAuth: {FunctionArn: !GetAtt Authorizer.Arn}
              HttpApi:
                Auth:
                  Authorizers:
                    KeyAuth:
                      FunctionArn: !GetAtt Authorizer.Arn
                      EnableSimpleResponses: true
                      Identity: {Headers: [x-key]}
            Resources:
              Authorizer:
                Type: AWS::Serverless::Function
                Properties: {CodeUri: src/, Handler: app.authorize, Runtime: python3.13}
              Api:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: src/
                  Handler: app.handler
                  Runtime: python3.13
                  Events:
                    Guarded: {Type: Api, Properties: {Path: /guarded, Method: get}}
                    Open: {Type: Api, Properties: {Path: /open, Method: get, Auth: {Authorizer: NONE}}}
                    Keyed: {Type: HttpApi, Properties: {Path: /keyed, Method: get, Auth: {Authorizer: KeyAuth}}}
            """.write(to: dir.appendingPathComponent("template.yaml"), atomically: true, encoding: .utf8)
        try """
            import json
            def authorize(event, context):
                if event.get("type") == "TOKEN":
                    effect = "Allow" if event["authorizationToken"] == "allow" else "Deny"
                    return {"principalId": "u1", "context": {"plan": "pro"},
                            "policyDocument": {"Version": "2012-10-17", "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"].rsplit("/", 2)[0] + "/*"}]}}
                return {"isAuthorized": event["identitySource"] == ["ok"], "context": {"key": "checked"}}
            def handler(event, context):
                return {"statusCode": 200, "body": json.dumps(event["requestContext"].get("authorizer"))}
            """.write(to: dir.appendingPathComponent("src/app.py"), atomically: true, encoding: .utf8)
        let server = try await ServeTests.Server(project: dir, arguments: ["--isolation", "none"])
        let client = """
            import sys, urllib.request, urllib.error
            base = f"http://127.0.0.1:{sys.argv[1]}"
            def call(path, headers={}):
                try:
                    with urllib.request.urlopen(urllib.request.Request(base + path, headers=headers)) as r:
                        return r.status, r.read().decode()
                except urllib.error.HTTPError as e:
                    return e.code, e.read().decode()
            print("allowed", *call("/guarded", {"Authorization": "allow"}))
            print("denied", *call("/guarded", {"Authorization": "nope"}))
            print("missing", *call("/guarded"))
            print("open", *call("/open"))
            print("keyed", *call("/keyed", {"x-key": "ok"}))
            print("wrong-key", *call("/keyed", {"x-key": "bad"}))
            """
        let result = try await TestSupport.run("python3", ["-c", client, String(server.port)])
        #expect(result.stdout.contains(#"allowed 200 {"plan": "pro", "principalId": "u1"}"#), "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains(#"denied 403 {"message":"User is not authorized to access this resource with an explicit deny"}"#))
        #expect(result.stdout.contains(#"missing 401 {"message":"Unauthorized"}"#))
        #expect(result.stdout.contains("open 200 null"))
        #expect(result.stdout.contains(#"keyed 200 {"lambda": {"key": "checked"}}"#))
        #expect(result.stdout.contains(#"wrong-key 403 {"message":"Forbidden"}"#))
        #expect(server.stop() == 130)
    }
}

/// The generated custom-runtime loops survive a result they cannot send, as Lambda's own clients do.
@Suite(.timeLimit(.minutes(10))) struct RuntimeLoopSurvivalTests {
    @Test(arguments: ["python", "node"])
    func aResultThatCannotBeSentLeavesTheNextCallWarm(language: String) async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = parent.appendingPathComponent("loop")
        #expect(try await TestSupport.run(Binary.url.path, ["new", project.path, "--strategy", "custom-runtime", "--language", language]).status == 0)
        if language == "python" {
            try """
                import datetime
                calls = {"n": 0}
                def handler(event, context):
                    calls["n"] += 1
                    return {"at": datetime.datetime(2026, 1, 1)} if calls["n"] == 1 else {"ok": calls["n"]}
                """.write(to: project.appendingPathComponent("src/app.py"), atomically: true, encoding: .utf8)
        } else {
            try """
                let calls = 0;
                export const handler = async () => (++calls === 1 ? { big: 10n } : { ok: calls });
                """.write(to: project.appendingPathComponent("src/app.mjs"), atomically: true, encoding: .utf8)
        }
        let report = parent.appendingPathComponent("report.jsonl")
        let result = try await TestSupport.run(Binary.url.path, ["invoke", project.path, "--isolation", "none", "--repeat", "2", "--report", report.path])
        #expect(result.stdout.contains("\"ok\": 2") || result.stdout.contains("\"ok\":2"), "\(result.stdout)\(result.stderr)")
        let records = try String(contentsOf: report, encoding: .utf8).split(separator: "\n")
            .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(records.count == 2)
        #expect(records.first?["error"] as? String == "Runtime.MarshalError", "\(records)")
        // The same environment answered the second call: no init.
        #expect(records.last?["error"] is NSNull && records.last?["initDurationMs"] is NSNull, "\(records)")
    }
}

/// recommend and new agree: whatever recommend says, the project it names is one new generates.
@Suite(.timeLimit(.minutes(10))) struct RecommendNewAgreementTests {
    @Test func everyRecommendationNamesAProjectNewCanGenerate() async throws {
        var checked = 0
        var generatedAlready: Set<[String]> = []
        for language in ["python", "node", "rust", nil] as [String?] {
            for door in [nil, "function-url", "api-gateway-rest", "api-gateway-http"] as [String?] {
                for mustComplete in [false, true] {
                    for response in [nil, "8MB"] as [String?] {
                        for task in [nil, "2MB"] as [String?] {
                            var arguments = ["recommend"]
                            if let language { arguments += ["--language", language] }
                            if let door { arguments += ["--front-door", door] }
                            if mustComplete { arguments.append("--must-complete") }
                            if let response { arguments += ["--response-size", response] }
                            if let task { arguments += ["--task-payload-size", task] }
                            let said = try await TestSupport.run(Binary.url.path, arguments)
                            // No strategy fits (1) or the situation contradicts itself (64): nothing to generate.
                            guard said.status == 0 else { continue }
                            let line = said.stdout.split(separator: "\n").first { $0.hasPrefix("Generate it: lambda-async new ") }
                            let command = try #require(line, "\(arguments): \(said.stdout)")
                            let words = command.dropFirst("Generate it: lambda-async ".count).split(separator: " ").prefix(5).map(String.init)
                            checked += 1
                            // Many situations lead to the same project: each command is tried once.
                            guard generatedAlready.insert(words).inserted else { continue }
                            let dir = try makeTemporaryDirectory()
                            defer { try? FileManager.default.removeItem(at: dir) }
                            let generated = try await TestSupport.run(Binary.url.path, words + ["--dry-run", dir.appendingPathComponent("p").path])
                            #expect(generated.status == 0, "\(arguments) → \(words): \(generated.stderr)")
                        }
                    }
                }
            }
        }
        // The situations that lead to durable functions: a person's answer, a task past 15 minutes.
        for language in ["python", "node", nil] as [String?] {
            for situation in [["--waits-for-callback"], ["--task-duration", "2h"], ["--must-complete", "--task-duration", "20m"]] {
                let arguments = ["recommend"] + (language.map { ["--language", $0] } ?? []) + situation
                let said = try await TestSupport.run(Binary.url.path, arguments)
                #expect(said.status == 0 && said.stdout.hasPrefix("Recommended: durable"), "\(arguments): \(said.stdout)\(said.stderr)")
                let line = said.stdout.split(separator: "\n").first { $0.hasPrefix("Generate it: lambda-async new ") }
                let words = try #require(line, "\(arguments): \(said.stdout)").dropFirst("Generate it: lambda-async ".count)
                    .split(separator: " ").prefix(5).map(String.init)
                #expect(words == ["new", "--strategy", "durable", "--language", "python"], "\(arguments): \(words)")
                guard generatedAlready.insert(words).inserted else { continue }
                let dir = try makeTemporaryDirectory()
                defer { try? FileManager.default.removeItem(at: dir) }
                let generated = try await TestSupport.run(Binary.url.path, words + ["--dry-run", dir.appendingPathComponent("p").path])
                #expect(generated.status == 0, "\(arguments) → \(words): \(generated.stderr)")
            }
        }
        #expect(checked > 40, "situations with a recommendation: \(checked)")
        #expect(generatedAlready.count >= 5, "distinct projects recommended: \(generatedAlready)")
    }
}
