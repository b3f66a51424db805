import Foundation
import Testing
import TestSupport

/// `lambda-async new` as a user runs it: every supported cell is generated, its own tests run,
/// its template passes cfn-lint, and `package` accepts it with the right modes.
@Suite(.timeLimit(.minutes(10))) struct NewTests {
    struct Cell: Sendable, CustomStringConvertible {
        let arguments: [String]
        let language: String
        let zips: [String]
        let executables: [String]
        var description: String { arguments.joined(separator: " ") }
    }

    static let cells: [Cell] = [
        Cell(arguments: ["--strategy", "async-invoke"], language: "python", zips: ["ApiFunction", "WorkerFunction"], executables: []),
        Cell(arguments: ["--strategy", "extension"], language: "python", zips: ["ApiFunction"], executables: []),
        Cell(arguments: ["--strategy", "extension", "--variant", "external"], language: "python", zips: ["ApiFunction", "TasksLayer"],
             executables: ["extension/extensions/demo-tasks"]),
        Cell(arguments: ["--strategy", "custom-runtime"], language: "python", zips: ["ApiFunction"], executables: ["src/bootstrap"]),
        Cell(arguments: ["--strategy", "async-invoke", "--language", "node"], language: "node", zips: ["ApiFunction", "WorkerFunction"], executables: []),
        Cell(arguments: ["--strategy", "streaming", "--language", "node"], language: "node", zips: ["ApiFunction"], executables: []),
        Cell(arguments: ["--strategy", "extension", "--language", "node"], language: "node", zips: ["ApiFunction", "TasksLayer"],
             executables: ["extension/extensions/demo-tasks"]),
        Cell(arguments: ["--strategy", "custom-runtime", "--language", "node"], language: "node", zips: ["ApiFunction"], executables: ["src/bootstrap"]),
        // With Powertools' public layer: its own tests cover both the layer's Logger and the fallback.
        Cell(arguments: ["--strategy", "extension", "--variant", "external", "--powertools"], language: "python",
             zips: ["ApiFunction", "TasksLayer"], executables: ["extension/extensions/demo-tasks"]),
        Cell(arguments: ["--strategy", "streaming", "--language", "node", "--powertools"], language: "node", zips: ["ApiFunction"], executables: []),
        // With the idempotency table (and its permissions) in the template.
        Cell(arguments: ["--strategy", "async-invoke", "--idempotency", "--powertools"], language: "python",
             zips: ["ApiFunction", "WorkerFunction"], executables: []),
        Cell(arguments: ["--strategy", "custom-runtime", "--language", "node", "--idempotency"], language: "node",
             zips: ["ApiFunction"], executables: ["src/bootstrap"]),
        // The Durable Execution SDK from src/requirements.txt, installed by package for Lambda's platform.
        Cell(arguments: ["--strategy", "durable"], language: "python", zips: ["ApiFunction", "WorkerFunction"], executables: []),
        Cell(arguments: ["--strategy", "durable", "--idempotency", "--powertools"], language: "python",
             zips: ["ApiFunction", "WorkerFunction"], executables: []),
    ]

    /// cfn-lint spends a second starting: every cell's template is generated and linted in one run of
    /// it, which each cell's test then reads. `problems` maps a cell to its lines (nil: not linted).
    static let lintedTemplates = Task { () -> (problems: [String: [String]], output: String) in
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        var templates: [String: String] = [:]
        for (index, cell) in cells.enumerated() {
            let project = parent.appendingPathComponent("cell\(index)")
            guard try await TestSupport.run(Binary.url.path, ["new", project.path] + cell.arguments).status == 0 else { continue }
            templates[project.appendingPathComponent("template.yaml").path] = cell.description
        }
        let lint = try await TestSupport.run("cfn-lint", ["--format", "parseable", "--"] + templates.keys.sorted())
        // Parseable lines start with the template's path; a failure of cfn-lint itself names none.
        let lines = lint.stdout.split(separator: "\n").map(String.init)
        var problems: [String: [String]] = [:]
        for (path, cell) in templates { problems[cell] = lines.filter { $0.hasPrefix(path + ":") } }
        let linted = lint.status == 0 || lines.contains { line in templates.keys.contains { line.hasPrefix($0 + ":") } }
        return (linted ? problems : [:], lint.stdout + lint.stderr)
    }

    /// The generated tests use pytest alone: the plugins this machine's site-packages would load
    /// (hypothesis, anyio...) cost half a second of CPU per run and change nothing.
    static let pytestEnvironment = ["PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"]

    @Test(arguments: cells)
    func generatesAProjectWhoseTestsLintAndPackagePass(_ cell: Cell) async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = parent.appendingPathComponent("demo")
        let created = try await TestSupport.run(Binary.url.path, ["new", project.path] + cell.arguments)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.hasPrefix("Created "))
        // Next: its tests, then run locally (the event it names exists), then deploy.
        #expect(created.stdout.contains("  lambda-async invoke --function ApiFunction --event events/event.json\n  lambda-async serve\n"), "\(created.stdout)")
        #expect(FileManager.default.fileExists(atPath: project.appendingPathComponent("events/event.json").path))

        // The generated project's own tests, as its README says to run them.
        let tests = cell.language == "python"
            ? try await TestSupport.run("python3", ["-m", "pytest", "-q", "-p", "no:cacheprovider"], environment: Self.pytestEnvironment, directory: project)
            : try await TestSupport.run("node", ["--test"], directory: project)
        #expect(tests.status == 0, "\(cell): \(tests.stdout)\(tests.stderr)")
        #expect(tests.stdout.contains(cell.language == "python" ? " passed" : "# fail 0"))
        // A Python project's tests pass whether or not the machine has Powertools installed.
        if cell.language == "python", cell.arguments.contains("--powertools") {
            let withPowertools = try await TestSupport.run("python3", ["-m", "pytest", "-q", "-p", "no:cacheprovider"],
                                                     environment: Self.pytestEnvironment.merging(["PYTHONPATH": EventTests.powertools]) { $1 },
                                                     directory: project)
            #expect(withPowertools.status == 0, "\(cell) with Powertools installed: \(withPowertools.stdout)")
        }

        let lint = try await Self.lintedTemplates.value
        #expect(lint.problems[cell.description] == [], "\(cell): cfn-lint: \(lint.problems[cell.description] ?? [lint.output])")

        for path in cell.executables {
            let mode = try FileManager.default.attributesOfItem(atPath: project.appendingPathComponent(path).path)[.posixPermissions] as? Int
            #expect(mode == 0o755, "\(path) is not executable on disk")
        }

        // package accepts the project: handlers exist, bootstraps and extensions are executable.
        let packaged = try await TestSupport.run(Binary.url.path, ["package", project.path, "--format", "json"])
        #expect(packaged.status == 0, "\(cell): \(packaged.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(packaged.stdout.utf8)) as! [String: Any]
        #expect(((report["artifacts"] as! [[String: Any]]).map { $0["name"] as! String }).sorted() == cell.zips)
        for path in cell.executables {
            let zipName = path.hasPrefix("extension/") ? "TasksLayer" : "ApiFunction"
            let inZip = path.hasPrefix("extension/") ? String(path.dropFirst("extension/".count)) : String(path.dropFirst("src/".count))
            let listing = try await pythonZipListing(project.appendingPathComponent(".lambda-async/build/\(zipName).zip"))
            #expect(listing.stdout.contains("\(inZip) 0o100755"), "\(inZip) in \(zipName).zip: \(listing.stdout)")
        }
        // A durable worker ships its own Durable Execution SDK (AWS's advice), beside its handler.
        if cell.arguments.contains("durable") {
            let listing = try await pythonZipListing(project.appendingPathComponent(".lambda-async/build/WorkerFunction.zip"))
            #expect(listing.stdout.contains("aws_durable_execution_sdk_python/__init__.py "), "\(listing.stdout.prefix(2000))")
            #expect(listing.stdout.contains("worker.py "), "\(listing.stdout.prefix(2000))")
        }
    }

    @Test func refusalsAndBadInputWriteNothing() async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let occupied = parent.appendingPathComponent("occupied")
        try FileManager.default.createDirectory(at: occupied, withIntermediateDirectories: true)
        try "mine\n".write(to: occupied.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)

        for (arguments, expected) in [
            (["new", "p1", "--strategy", "streaming"], "Use `--language node --strategy streaming`"),
            (["new", "p2", "--strategy", "extension", "--language", "node", "--variant", "internal"], "--variant external"),
            (["new", "p3", "--strategy", "threads"], "'async-invoke', 'streaming', 'extension', 'custom-runtime' or 'durable'"),
            (["new", "9lives", "--strategy", "extension"], "does not start with a letter"),
            (["new", "orders.api", "--strategy", "extension"], "'.' is not allowed"),
            (["new", "p4", "--strategy", "extension", "--runtime", "nodejs22.x"], "does not run python code"),
            (["new", "p5"], "missing --strategy"),
            (["new", "p6", "--strategy", "extension", "--runtime", "python3.9"],
             "python3.9 was deprecated on 2025-12-15 and Lambda creates no function on it since 2026-06-01: use --runtime python3.14"),
            (["new", "occupied", "--strategy", "extension"], "exists and is not empty"),
        ] {
            let result = try await TestSupport.run(Binary.url.path, arguments, directory: parent)
            #expect(result.status == 64, "\(arguments): \(result.stdout)")
            #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
        }
        // Nothing was written: only the occupied folder, untouched, and no staging leftovers.
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == ["occupied"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: occupied.path) == ["notes.txt"])
    }

    @Test func dryRunForceAndList() async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let dry = try await TestSupport.run(Binary.url.path, ["new", "audit", "--strategy", "extension", "--variant", "external", "--dry-run", "--format", "json"],
                                      directory: parent)
        #expect(dry.status == 0)
        let report = try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as! [String: Any]
        #expect(report["written"] as? Bool == false)
        let files = (report["files"] as! [[String: Any]])
        #expect(files.contains { $0["path"] as? String == "extension/extensions/audit-tasks" && $0["executable"] as? Bool == true })
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path).isEmpty)

        let occupied = parent.appendingPathComponent("occupied")
        try FileManager.default.createDirectory(at: occupied, withIntermediateDirectories: true)
        try "mine\n".write(to: occupied.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let forced = try await TestSupport.run(Binary.url.path, ["new", "occupied", "--strategy", "custom-runtime", "--force"], directory: parent)
        #expect(forced.status == 0, "\(forced.stderr)")
        let contents = try FileManager.default.contentsOfDirectory(atPath: occupied.path).sorted()
        #expect(contents.contains("notes.txt") && contents.contains("template.yaml") && contents.contains("src"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == ["occupied"])

        let list = try await TestSupport.run(Binary.url.path, ["new", "--list", "--format", "json"])
        let cells = (try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as! [String: Any])["cells"] as! [[String: Any]]
        #expect(cells.count == 12)
        #expect(cells.filter { $0["supported"] as? Bool == true }.count == 9)
        let table = try await TestSupport.run(Binary.url.path, ["new", "--list"])
        #expect(table.stdout.hasPrefix("LANGUAGE"))
        #expect(table.stdout.contains("refused: Python has no native response streaming"))
        #expect(table.stdout.contains("refused: Node.js durable projects wait until the Durable"), "\(table.stdout)")
    }

    /// Templates are compiled in: a binary copied alone elsewhere still generates every project.
    @Test func aCopiedBinaryNeedsNothingBesideIt() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("lambda-async")
        try FileManager.default.copyItem(at: Binary.url, to: copy)
        let result = try await TestSupport.run(copy.path, ["new", "solo", "--strategy", "streaming", "--language", "node"], directory: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("solo/src/app.mjs").path))
    }
}

/// The failed-tasks path as a user meets it: a generated project, run by `invoke` with its calls
/// sent to moto's SQS, given an order whose task always fails, leaves exactly one record in the
/// queue, with the task and the attempt count.
@Suite(.timeLimit(.minutes(10))) struct FailedTaskTests {
    static let cells: [[String]] = [
        ["--strategy", "extension"],
        ["--strategy", "extension", "--variant", "external"],
        ["--strategy", "custom-runtime"],
        ["--strategy", "streaming", "--language", "node"],
        ["--strategy", "extension", "--language", "node"],
        ["--strategy", "custom-runtime", "--language", "node"],
    ]

    @Test(arguments: cells)
    func aTaskThatAlwaysFailsLeavesOneRecordInTheQueue(_ cell: [String]) async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = parent.appendingPathComponent("shop")
        let created = try await TestSupport.run(Binary.url.path, ["new", project.path] + cell)
        #expect(created.status == 0, "\(created.stderr)")

        // A queue of its own on the run's shared double.
        let moto = try MotoServer.shared.get()
        let queue = try await moto.python("""
            import sys, boto3
            print(boto3.client("sqs", endpoint_url=sys.argv[1]).create_queue(QueueName=sys.argv[2])["QueueUrl"])
            """, ["failed-tasks-" + cell.filter { !$0.hasPrefix("--") }.joined(separator: "-")])
        let queueURL = queue.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(queue.status == 0 && queueURL.hasPrefix("http"), "\(queue.stderr)")

        let invoked = try await TestSupport.run(Binary.url.path, [
            "invoke", project.path, "--event", project.appendingPathComponent("events/failing-task.json").path,
            "--aws-endpoint-url", moto.endpoint, "--env", "FAILED_TASKS_QUEUE_URL=\(queueURL)",
        ])
        #expect(invoked.status == 0, "\(cell): \(invoked.stdout)\(invoked.stderr)")

        let received = try await moto.python("""
            import json, sys, boto3
            sqs = boto3.client("sqs", endpoint_url=sys.argv[1])
            messages = sqs.receive_message(QueueUrl=sys.argv[2], MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
            print(json.dumps([json.loads(m["Body"]) for m in messages]))
            """, [queueURL])
        let records = try JSONSerialization.jsonObject(with: Data(received.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(records.count == 1, "\(cell): \(received.stdout)\(received.stderr)\n\(invoked.stdout)\(invoked.stderr)")
        let context = records.first?["requestContext"] as? [String: Any]
        #expect(context?["approximateInvokeCount"] as? Int == 3)
        #expect(context?["condition"] as? String == "RetriesExhausted")
        #expect((records.first?["requestPayload"] as? [String: Any])?["orderId"] as? String == "order-1002")
        #expect((records.first?["responsePayload"] as? [String: Any])?["errorType"] as? String == "TaskError")
    }
}

/// `new --idempotency`: the worker of a generated async-invoke project, against a DynamoDB table in
/// moto, runs a task once per task id, returns the first result to a retry, and lets a failed task
/// run again. With --powertools and Powertools installed, through Powertools' idempotency utility.
@Suite(.timeLimit(.minutes(10))) struct IdempotencyTableTests {
    static let script = """
        import json, os, sys
        endpoint, table = sys.argv[1], sys.argv[2]
        os.environ.update(AWS_ENDPOINT_URL=endpoint, IDEMPOTENCY_TABLE=table)
        sys.path.insert(0, "src")
        import boto3
        ddb = boto3.client("dynamodb")
        ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
        import idempotency, tasks, worker

        class Context:
            aws_request_id = "r-1"
            def get_remaining_time_in_millis(self):
                return 30_000

        runs = []
        real = tasks.run
        tasks.run = lambda task: runs.append(task["taskId"]) or real(task)
        first = worker.handler({"taskId": "o-1", "orderId": "o-1"}, Context())
        second = worker.handler({"taskId": "o-1", "orderId": "o-1"}, Context())
        try:
            worker.handler({"taskId": "o-2", "orderId": "o-2", "fail": True}, Context())
        except tasks.TaskError:
            pass
        tasks.run = lambda task: runs.append(task["taskId"]) or {"retried": True}
        third = worker.handler({"taskId": "o-2", "orderId": "o-2", "fail": True}, Context())
        items = ddb.scan(TableName=table)["Items"]
        print(json.dumps({"runs": runs, "first": first, "second": second, "third": third,
                          "statuses": sorted(item["status"]["S"] for item in items),
                          "powertools": getattr(idempotency, "_powertools", None) is not None}))
        """

    @Test(arguments: [false, true])
    func aTaskRunsOncePerTaskIdAcrossEnvironments(powertools: Bool) async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = parent.appendingPathComponent("shop")
        let created = try await TestSupport.run(Binary.url.path, ["new", project.path, "--strategy", "async-invoke", "--idempotency"]
                                          + (powertools ? ["--powertools"] : []))
        #expect(created.status == 0, "\(created.stderr)")
        let template = try String(contentsOf: project.appendingPathComponent("template.yaml"), encoding: .utf8)
        #expect(template.contains("IdempotencyTable:") && template.contains("IDEMPOTENCY_TABLE: !Ref IdempotencyTable"))

        // A table of its own on the run's shared double.
        let moto = try MotoServer.shared.get()
        let result = try await TestSupport.run("python3", ["-c", Self.script, moto.endpoint, "idempotency-\(powertools)"], environment: [
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
            "PYTHONPATH": powertools ? EventTests.powertools : "",
        ], directory: project)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        // The last line: Powertools' Logger writes its own lines to stdout before it.
        let last = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let outcome = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any] ?? [:]
        #expect(outcome["runs"] as? [String] == ["o-1", "o-2", "o-2"], "\(result.stdout)\(result.stderr)")
        #expect((outcome["first"] as? [String: Any])?["recorded"] as? Bool == true)
        #expect((outcome["second"] as? [String: Any])?["recorded"] as? Bool == true)
        #expect((outcome["third"] as? [String: Any])?["retried"] as? Bool == true)
        #expect(outcome["statuses"] as? [String] == ["COMPLETED", "COMPLETED"])
        #expect(outcome["powertools"] as? Bool == powertools)
    }
}
