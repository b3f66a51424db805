import Foundation
import Testing
import TestSupport

/// `lambda-async deploy` as a user runs it, against Tests/AWSDouble/aws_double.py (moto's server with the SAM
/// transform CloudFormation runs): generated projects are created, checked live against their
/// template and zips, redeployed without change, updated, left for review, and deleted.
@Suite(.serialized, .timeLimit(.minutes(10))) struct DeployTests {
    static let double = Binary.repositoryRoot.appendingPathComponent("Tests/AWSDouble/aws_double.py").path

    func deploy(_ project: URL, _ arguments: [String], _ aws: MotoServer, extra: [String: String] = [:]) async throws -> ProcessResult {
        try await TestSupport.run(Binary.url.path, ["deploy", project.path] + arguments, environment: aws.clientEnvironment.merging(extra) { $1 })
    }

    func json(_ result: ProcessResult) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    @Test func aProjectIsCreatedVerifiedLeftUnchangedUpdatedAndDeleted() async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = parent.appendingPathComponent("orders")
        #expect(try await TestSupport.run(Binary.url.path, ["new", project.path, "--strategy", "extension", "--variant", "external"]).status == 0)
        let aws = try MotoServer.shared.get()

        let created = try await deploy(project, ["--format", "json", "--tag", "team=orders"], aws)
        #expect(created.status == 0, "\(created.stdout)\(created.stderr)")
        let report = json(created)
        #expect(report["status"] as? String == "CREATE_COMPLETE")
        // The document against its schema, by an independent validator.
        let validated = try await TestSupport.run("python3", ["-c", """
            import json, sys, jsonschema
            jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(json.load(sys.stdin))
            """, Binary.repositoryRoot.appendingPathComponent("schemas/deploy.schema.json").path], input: created.stdout)
        #expect(validated.status == 0, "\(validated.stderr)")
        #expect((report["uploaded"] as? [String])?.sorted() == ["ApiFunction", "TasksLayer"])
        #expect(report["codeVerified"] as? [String] == ["ApiFunction"])
        let outputs = report["outputs"] as? [[String: Any]] ?? []
        #expect((outputs.first?["value"] as? String)?.contains(".lambda-url.") == true, "URLs first: \(outputs)")
        #expect(created.stderr.contains("Deploying stack orders to account 123456789012, region us-east-1"))
        #expect(created.stderr.contains("ApiFunctionRole") && created.stderr.contains("[IAM]"))

        // The live resources against the template and the zips, read with boto3.
        let live = try await aws.python("""
            import base64, hashlib, json, sys, boto3
            cf, lam = boto3.client("cloudformation"), boto3.client("lambda")
            resources = {r.get("LogicalResourceId"): r.get("PhysicalResourceId") for r in cf.describe_stack_resources(StackName="orders")["StackResources"]}
            function = lam.get_function(FunctionName=resources["ApiFunction"])["Configuration"]
            zip_hash = base64.b64encode(hashlib.sha256(open(sys.argv[2], "rb").read()).digest()).decode()
            url = lam.get_function_url_config(FunctionName=resources["ApiFunction"])
            queues = boto3.client("sqs").list_queues().get("QueueUrls", [])
            tags = {t["Key"]: t["Value"] for t in cf.describe_stacks(StackName="orders")["Stacks"][0].get("Tags", [])}
            iam = boto3.client("iam")
            role = function["Role"].split("/")[-1]
            managed = [p["PolicyName"] for p in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]]
            inline = [iam.get_role_policy(RoleName=role, PolicyName=n)["PolicyDocument"] for n in iam.list_role_policies(RoleName=role)["PolicyNames"]]
            sends = any("sqs:SendMessage" in json.dumps(doc) for doc in inline)
            print(json.dumps({"functionTags": lam.list_tags(Resource=function["FunctionArn"])["Tags"], "managed": managed, "sends": sends,"sha": function["CodeSha256"] == zip_hash, "arch": function["Architectures"], "layers": len(function.get("Layers", [])),
                              "auth": url["AuthType"], "runtime": function["Runtime"], "queue": any("FailedTasksQueue" in q for q in queues),
                              "env": sorted(function["Environment"]["Variables"]), "tags": tags}))
            """, [project.appendingPathComponent(".lambda-async/build/ApiFunction.zip").path])
        #expect(live.status == 0, "\(live.stdout)\(live.stderr)")
        let state = (try? JSONSerialization.jsonObject(with: Data(live.stdout.utf8)) as? [String: Any]) ?? [:]
        #expect(state["sha"] as? Bool == true, "\(live.stdout)")
        #expect(state["arch"] as? [String] == ["arm64"])
        #expect(state["layers"] as? Int == 1)
        #expect(state["auth"] as? String == "AWS_IAM")
        #expect(state["runtime"] as? String == "python3.14")
        #expect(state["queue"] as? Bool == true)
        #expect((state["env"] as? [String])?.contains("FAILED_TASKS_QUEUE_URL") == true)
        #expect((state["tags"] as? [String: String])?["team"] == "orders")
        #expect((state["functionTags"] as? [String: String])?["lambda:createdBy"] == "SAM")
        #expect(state["managed"] as? [String] == ["AWSLambdaBasicExecutionRole"])
        #expect(state["sends"] as? Bool == true, "the role may send to the failed-tasks queue")

        // Again, nothing changed: nothing uploaded, no change set, exit 0.
        let again = try await deploy(project, [], aws)
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(again.stdout.contains("No changes: stack orders is up to date."))
        #expect(again.stdout.contains("Artifacts: none uploaded; unchanged"))

        // A code edit: that function's zip only, one change, the new code live.
        try (String(contentsOf: project.appendingPathComponent("src/app.py"), encoding: .utf8) + "\n# v2\n")
            .write(to: project.appendingPathComponent("src/app.py"), atomically: true, encoding: .utf8)
        let updated = try await deploy(project, ["--format", "json"], aws)
        #expect(updated.status == 0, "\(updated.stderr)")
        let update = json(updated)
        #expect(update["uploaded"] as? [String] == ["ApiFunction"])
        #expect(update["reused"] as? [String] == ["TasksLayer"])
        #expect((update["changes"] as? [[String: Any]])?.map { "\($0["action"]!) \($0["logicalID"]!)" } == ["Modify ApiFunction"])
        #expect(update["codeVerified"] as? [String] == ["ApiFunction"])

        // --no-execute leaves the change set and exits 2.
        try (String(contentsOf: project.appendingPathComponent("src/app.py"), encoding: .utf8) + "# v3\n")
            .write(to: project.appendingPathComponent("src/app.py"), atomically: true, encoding: .utf8)
        let review = try await deploy(project, ["--no-execute"], aws)
        #expect(review.status == 2, "\(review.stdout)\(review.stderr)")
        #expect(review.stderr.contains("left for review (--no-execute)"))

        // --delete: gone, and the queue CloudFormation keeps is named.
        let deleted = try await deploy(project, ["--delete"], aws)
        #expect(deleted.status == 0, "\(deleted.stdout)\(deleted.stderr)")
        #expect(deleted.stdout.contains("Kept (DeletionPolicy Retain):") && deleted.stdout.contains("FailedTasksQueue (AWS::SQS::Queue)"))
        let gone = try await deploy(project, ["--delete"], aws)
        #expect(gone.status == 64 && gone.stderr.contains("there is no stack orders"))
    }

    /// Off a terminal (CI, a pipe) each progress line is there as it happens, not at the end: a
    /// deploy stopped mid-way has said how far it got.
    @Test func progressIsWrittenAsItHappensAndSurvivesAStop() async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = parent.appendingPathComponent("progress")
        #expect(try await TestSupport.run(Binary.url.path, ["new", project.path, "--strategy", "custom-runtime"]).status == 0)
        let aws = try MotoServer.shared.get()
        let log = parent.appendingPathComponent("stdout.txt")
        try Data().write(to: log)
        let process = Process()
        process.executableURL = Binary.url
        process.arguments = ["deploy", project.path]
        process.environment = ProcessInfo.processInfo.environment.merging(aws.clientEnvironment) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = FileHandle.nullDevice
        try process.run()
        func said() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        let deadline = Date().addingTimeInterval(60)
        while !said().contains("Deploying stack progress"), process.isRunning, Date() < deadline { try? await Task.sleep(nanoseconds: 20_000_000) }
        let runningWhenSaid = process.isRunning
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(runningWhenSaid, "the first line came only at the end: \(said())")
        #expect(said().contains("Deploying stack progress to account 123456789012"), "\(said())")
    }

    /// Through a proxy that resets every third connection, deploy retries each dropped call at once
    /// (with backoff, as the AWS SDKs do) and succeeds; none waits out a 60 s request timeout, as the
    /// URLSession-based client did after every drop (480 s for one deploy).
    @Test func droppedConnectionsAreRetriedAtOnce() async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = parent.appendingPathComponent("flaky")
        #expect(try await TestSupport.run(Binary.url.path, ["new", project.path, "--strategy", "custom-runtime"]).status == 0)
        let aws = try MotoServer.shared.get()
        let port = try MotoServer.freePort()
        let counts = parent.appendingPathComponent("counts.txt")
        let proxy = Process()
        proxy.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        proxy.arguments = ["python3", "-c", """
            import os, socket, struct, sys, threading
            listen_port, target_port, counts = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
            server = socket.create_server(("127.0.0.1", listen_port))
            seen = [0, 0]
            def pipe(a, b):
                try:
                    while data := a.recv(65536):
                        b.sendall(data)
                except OSError:
                    pass
                finally:
                    for s in (a, b):
                        try: s.shutdown(socket.SHUT_RDWR)
                        except OSError: pass
            while True:
                client, _ = server.accept()
                seen[0] += 1
                if seen[0] % 3 == 0:
                    # A reset, as a flaky network or a proxy gives one: RST, no answer.
                    client.recv(65536)
                    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    client.close()
                    seen[1] += 1
                else:
                    upstream = socket.create_connection(("127.0.0.1", target_port))
                    threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
                    threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
                # Replaced whole: the test may read it while a connection comes in.
                open(counts + ".new", "w").write(f"{seen[0]} {seen[1]}")
                os.replace(counts + ".new", counts)
            """, String(port), String(aws.port), counts.path]
        proxy.standardOutput = FileHandle.nullDevice
        proxy.standardError = FileHandle.nullDevice
        try proxy.run()
        // SIGKILL: a test process may hand its children SIGTERM ignored.
        defer { kill(proxy.processIdentifier, SIGKILL); proxy.waitUntilExit() }
        while !MotoServer.accepts(port) { try await Task.sleep(nanoseconds: 20_000_000) }
        var environment = aws.clientEnvironment
        environment["AWS_ENDPOINT_URL"] = "http://127.0.0.1:\(port)"
        let start = Date()
        let deployed = try await TestSupport.run(Binary.url.path, ["deploy", project.path, "--format", "json"], environment: environment)
        let elapsed = Date().timeIntervalSince(start)
        #expect(deployed.status == 0, "\(deployed.stdout)\(deployed.stderr)")
        let resets = Int((try? String(contentsOf: counts, encoding: .utf8))?.split(separator: " ").last ?? "0") ?? 0
        #expect(resets >= 2, "the proxy reset \(resets) connection(s)")
        #expect(elapsed < 60, "a dropped call waited out its timeout: \(elapsed) s")
    }

    @Test func anAsyncInvokeProjectGetsItsEventInvokeConfigAndRole() async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = parent.appendingPathComponent("billing")
        #expect(try await TestSupport.run(Binary.url.path, ["new", project.path, "--strategy", "async-invoke", "--language", "node", "--idempotency"]).status == 0)
        let aws = try MotoServer.shared.get()
        let created = try await deploy(project, ["--stack-name", "billing-dev", "--parameter", "LogLevel=DEBUG"], aws)
        #expect(created.status == 0, "\(created.stdout)\(created.stderr)")
        #expect(created.stdout.contains("Verified: ApiFunction, WorkerFunction run the code packaged here"))
        let live = try await aws.python("""
            import json, boto3
            cf, lam = boto3.client("cloudformation"), boto3.client("lambda")
            resources = {r.get("LogicalResourceId"): r.get("PhysicalResourceId") for r in cf.describe_stack_resources(StackName="billing-dev")["StackResources"]}
            config = lam.get_function_event_invoke_config(FunctionName=resources["WorkerFunction"])
            worker = lam.get_function(FunctionName=resources["WorkerFunction"])["Configuration"]
            print(json.dumps({"retries": config["MaximumRetryAttempts"], "age": config["MaximumEventAgeInSeconds"],
                              "onFailure": config["DestinationConfig"]["OnFailure"]["Destination"],
                              "table": "IdempotencyTable" in resources, "role": worker["Role"]}))
            """)
        #expect(live.status == 0, "\(live.stdout)\(live.stderr)")
        let state = (try? JSONSerialization.jsonObject(with: Data(live.stdout.utf8)) as? [String: Any]) ?? [:]
        #expect(state["retries"] as? Int == 2 && state["age"] as? Int == 3600, "\(live.stdout)")
        #expect((state["onFailure"] as? String)?.hasPrefix("arn:aws:sqs:us-east-1:123456789012:") == true)
        #expect(state["table"] as? Bool == true)
        #expect((state["role"] as? String)?.contains("WorkerFunctionRole") == true)
    }

    /// The cells the tests above do not deploy: each is created, its functions run the zips' code,
    /// and its URL is the first output.
    @Test(arguments: [
        (["--strategy", "streaming", "--language", "node"], ["ApiFunction"]),
        (["--strategy", "extension", "--language", "node"], ["ApiFunction"]),
        (["--strategy", "custom-runtime", "--language", "node"], ["ApiFunction"]),
        (["--strategy", "async-invoke"], ["ApiFunction", "WorkerFunction"]),
        (["--strategy", "durable"], ["ApiFunction", "WorkerFunction"]),
    ])
    func everyOtherCellDeploys(_ arguments: [String], _ functions: [String]) async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        // A stack of its own on the suite's double: cell-streaming-node, cell-async-invoke...
        let project = parent.appendingPathComponent((["cell"] + arguments.filter { !$0.hasPrefix("--") }).joined(separator: "-"))
        #expect(try await TestSupport.run(Binary.url.path, ["new", project.path] + arguments).status == 0)
        let aws = try MotoServer.shared.get()
        let created = try await deploy(project, ["--format", "json"], aws)
        #expect(created.status == 0, "\(arguments): \(created.stdout)\(created.stderr)")
        let report = json(created)
        #expect(report["status"] as? String == "CREATE_COMPLETE")
        #expect(report["codeVerified"] as? [String] == functions)
        #expect(((report["outputs"] as? [[String: Any]])?.first?["value"] as? String)?.contains(".lambda-url.") == true, "\(report)")
        if arguments.contains("durable") {
            // The worker went through with its DurableConfig and the alias its starts name.
            let outputs = report["outputs"] as? [[String: Any]] ?? []
            let worker = try #require(outputs.first { $0["key"] as? String == "WorkerFunctionName" }?["value"] as? String, "\(report)")
            let checked = try await aws.python("""
                import boto3, json, sys
                lam = boto3.client("lambda", endpoint_url=sys.argv[1])
                print(json.dumps(lam.get_function_configuration(FunctionName=sys.argv[2]).get("DurableConfig"), sort_keys=True))
                print([a["Name"] for a in lam.list_aliases(FunctionName=sys.argv[2])["Aliases"]])
                """, [worker])
            #expect(checked.stdout == "{\"ExecutionTimeout\": 86400, \"RetentionPeriodInDays\": 14}\n['live']\n", "\(checked.stdout)\(checked.stderr)")
        }
    }

    @Test func refusalsSayWhatToDo() async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = parent.appendingPathComponent("broken")
        #expect(try await TestSupport.run(Binary.url.path, ["new", project.path, "--strategy", "extension"]).status == 0)
        let aws = try MotoServer.shared.get()

        // No region anywhere.
        let noRegion = try await TestSupport.run(Binary.url.path, ["deploy", project.path], environment: [
            "AWS_ENDPOINT_URL": aws.endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "", "AWS_DEFAULT_REGION": "", "HOME": parent.path])
        #expect(noRegion.status == 64 && noRegion.stderr.contains("no AWS region: pass --region"), "\(noRegion.stderr)")
        // No credentials anywhere.
        let noKeys = try await TestSupport.run(Binary.url.path, ["deploy", project.path, "--region", "us-east-1"], environment: [
            "AWS_ENDPOINT_URL": aws.endpoint, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "HOME": parent.path,
            "AWS_EC2_METADATA_DISABLED": "true"])
        #expect(noKeys.status == 1 && noKeys.stderr.contains("no AWS credentials found"), "\(noKeys.stderr)")
        // A template the SAM transform refuses: its message, verbatim.
        let template = project.appendingPathComponent("template.yaml")
        try (try String(contentsOf: template, encoding: .utf8)).replacingOccurrences(of: "      Handler: app.handler\n",
                                                                                    with: "      Handler: app.handler\n      Events:\n        Bad:\n          Type: NotAnEventSource\n")
            .write(to: template, atomically: true, encoding: .utf8)
        let refused = try await deploy(project, [], aws)
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("Transform AWS::Serverless-2016-10-31 failed with:") && refused.stderr.contains("Bad"), "\(refused.stderr)")
        // Bad usage.
        let usage = try await deploy(project, ["--on-failure", "ignore"], aws)
        #expect(usage.status == 64 && usage.stderr.contains("--on-failure takes rollback, delete or keep"))
    }

    @Test func aFailedCreationRollsBackAndIsReplacedOnlyWhenAsked() async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = parent.appendingPathComponent("failing")
        try FileManager.default.createDirectory(at: project.appendingPathComponent("src"), withIntermediateDirectories: true)
        try "def handler(event, context):\n    return 1\n".write(to: project.appendingPathComponent("src/app.py"), atomically: true, encoding: .utf8)
        let template = """
            AWSTemplateFormatVersion: '2010-09-09'
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: src/
                  Handler: app.handler
                  Runtime: python3.12
              Inbox:
                Type: AWS::SQS::Queue
                Properties:
                  QueueName: "QUEUE_NAME"

            """
        func write(_ queueName: String) throws {
            try template.replacingOccurrences(of: "QUEUE_NAME", with: queueName)
                .write(to: project.appendingPathComponent("template.yaml"), atomically: true, encoding: .utf8)
        }
        let aws = try MotoServer.shared.get()

        // A resource SQS refuses: the creation fails, rolls back, and its reason is printed.
        try write("not a valid name!")
        let failed = try await deploy(project, [], aws)
        #expect(failed.status == 1, "\(failed.stdout)\(failed.stderr)")
        #expect(failed.stderr.contains("stack failing ended in ROLLBACK_COMPLETE") && failed.stderr.contains("Can only include alphanumeric"),
                "\(failed.stderr)")
        // CloudFormation cannot update it: explained, with the way out.
        let stuck = try await deploy(project, [], aws)
        #expect(stuck.status == 64 && stuck.stderr.contains("ROLLBACK_COMPLETE") && stuck.stderr.contains("--replace-failed"), "\(stuck.stderr)")
        // Fixed, and asked to replace it: deleted, created, verified.
        try write("inbox")
        let replaced = try await deploy(project, ["--replace-failed"], aws)
        #expect(replaced.status == 0, "\(replaced.stdout)\(replaced.stderr)")
        #expect(replaced.stdout.contains("deleting it first (--replace-failed)") && replaced.stdout.contains("CREATE_COMPLETE"))
        #expect(replaced.stdout.contains("Verified: Fn runs the code packaged here"))
    }

    @Test func stagesComeFromLambdaAsyncYaml() async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = parent.appendingPathComponent("shop")
        #expect(try await TestSupport.run(Binary.url.path, ["new", project.path, "--strategy", "custom-runtime"]).status == 0)
        try """
            stages:
              dev:
                parameters: {LogLevel: DEBUG}
                tags: {team: shop}
              prod:
                stack: shop-live
                region: eu-west-1
            """.write(to: project.appendingPathComponent("lambda-async.yaml"), atomically: true, encoding: .utf8)
        let aws = try MotoServer.shared.get()
        let dev = try await deploy(project, ["--stage", "dev", "--format", "json"], aws)
        #expect(dev.status == 0, "\(dev.stdout)\(dev.stderr)")
        #expect(json(dev)["stackName"] as? String == "shop-dev")
        let live = try await aws.python("""
            import json, boto3
            stack = boto3.client("cloudformation").describe_stacks(StackName="shop-dev")["Stacks"][0]
            print(json.dumps({"tags": {t["Key"]: t["Value"] for t in stack.get("Tags", [])},
                              "parameters": {p["ParameterKey"]: p["ParameterValue"] for p in stack.get("Parameters", [])}}))
            """)
        let state = (try? JSONSerialization.jsonObject(with: Data(live.stdout.utf8)) as? [String: Any]) ?? [:]
        #expect((state["tags"] as? [String: String]) == ["team": "shop", "lambda-async:stage": "dev"], "\(live.stdout)\(live.stderr)")
        #expect((state["parameters"] as? [String: String])?["LogLevel"] == "DEBUG")
        // The stage's region, unless the command line says otherwise.
        let prod = try await deploy(project, ["--stage", "prod", "--format", "json"], aws)
        #expect(prod.status == 0 && json(prod)["stackName"] as? String == "shop-live" && json(prod)["region"] as? String == "eu-west-1",
                "\(prod.stdout)\(prod.stderr)")
        // The same bytes through the AWS CLI: it runs the change set, lambda-async checks the code after.
        // (A new stack: moto fails the CLI's updates of these templates, whose parameters it sends as
        // UsePreviousValue, on the conditional topic.)
        let via = try await deploy(project, ["--stage", "dev", "--stack-name", "shop-via", "--via", "aws"], aws)
        #expect(via.status == 0, "\(via.stdout)\(via.stderr)")
        #expect(via.stdout.contains("$ aws cloudformation deploy --template-file") && via.stdout.contains("Verified: ApiFunction"))
        let missing = try await deploy(project, ["--stage", "qa"], aws)
        #expect(missing.status == 64 && missing.stderr.contains("--stage qa is not in lambda-async.yaml; its stages: dev, prod"), "\(missing.stderr)")
    }

    /// On a terminal (here a pseudo-terminal from util-linux's `script`), a change set that adds IAM
    /// resources is executed only after a yes; a no deletes it.
    @Test func onATerminalRiskyChangesWaitForAYes() async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = parent.appendingPathComponent("careful")
        #expect(try await TestSupport.run(Binary.url.path, ["new", project.path, "--strategy", "extension"]).status == 0)
        let aws = try MotoServer.shared.get()
        func onTerminal(answer: String) async throws -> ProcessResult {
            try await TestSupport.run("script", ["-qec", "\(Binary.url.path) deploy \(project.path)", "/dev/null"],
                                environment: aws.clientEnvironment, input: answer + "\n")
        }
        let declined = try await onTerminal(answer: "n")
        #expect(declined.stdout.contains("Execute? [y/N]") && declined.stdout.contains("ApiFunctionRole (IAM)"), "\(declined.stdout)")
        #expect(declined.stdout.contains("not executed; the change set was deleted"), "\(declined.stdout)")
        let accepted = try await onTerminal(answer: "y")
        #expect(accepted.stdout.contains("CREATE_COMPLETE") && accepted.stdout.contains("Verified: ApiFunction"), "\(accepted.stdout)")
    }

    @Test func aTemplateOverCloudFormationsBodyLimitGoesThroughS3() async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = parent.appendingPathComponent("big")
        #expect(try await TestSupport.run(Binary.url.path, ["new", project.path, "--strategy", "extension"]).status == 0)
        let template = project.appendingPathComponent("template.yaml")
        try (try String(contentsOf: template, encoding: .utf8))
            .replacingOccurrences(of: "\nResources:\n", with: "\nMetadata:\n  Padding: '\(String(repeating: "x", count: 52_000))'\n\nResources:\n")
            .write(to: template, atomically: true, encoding: .utf8)
        let aws = try MotoServer.shared.get()
        let created = try await deploy(project, ["--format", "json"], aws)
        #expect(created.status == 0 && json(created)["status"] as? String == "CREATE_COMPLETE", "\(created.stdout)\(created.stderr)")
        let listed = try await aws.python("""
            import boto3
            for item in boto3.client("s3").list_objects_v2(Bucket="lambda-async-artifacts-123456789012-us-east-1", Prefix="lambda-async/templates/")["Contents"]:
                print(item["Key"], item["Size"])
            """)
        #expect(listed.stdout.hasPrefix("lambda-async/templates/") && listed.stdout.contains(".yaml"), "\(listed.stdout)\(listed.stderr)")
    }
}

/// moto's server with authentication on (after a few unauthenticated set-up calls): it verifies
/// SigV4 signatures as AWS does, so the native client's requests pass with the right secret and are
/// refused, with the advice a user needs, with a wrong one.
@Suite(.timeLimit(.minutes(10))) struct SignatureCheckTests {
    @Test func aServerThatChecksSignaturesAcceptsTheRightSecretOnly() async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let aws = try MotoServer(environment: ["INITIAL_NO_AUTH_ACTION_COUNT": "3"])
        defer { aws.stop() }
        let keys = try await aws.python("""
            import json, boto3
            iam = boto3.client("iam")
            iam.create_user(UserName="deployer")
            iam.put_user_policy(UserName="deployer", PolicyName="all", PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
            key = iam.create_access_key(UserName="deployer")["AccessKey"]
            print(key["AccessKeyId"], key["SecretAccessKey"])
            """)
        let parts = keys.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(keys.status == 0 && parts.count == 2, "\(keys.stdout)\(keys.stderr)")
        guard parts.count == 2 else { return }
        func deleteMissingStack(secret: String) async throws -> ProcessResult {
            try await TestSupport.run(Binary.url.path, ["deploy", parent.path, "--delete", "--stack-name", "nothing-here"], environment: [
                "AWS_ENDPOINT_URL": aws.endpoint, "AWS_ACCESS_KEY_ID": parts[0], "AWS_SECRET_ACCESS_KEY": secret, "AWS_REGION": "us-east-1"])
        }
        // Signed right: STS and CloudFormation answer (there is no such stack).
        let right = try await deleteMissingStack(secret: parts[1])
        #expect(right.status == 64 && right.stderr.contains("there is no stack nothing-here"), "\(right.stderr)")
        // A wrong secret: refused, and said so.
        let wrong = try await deleteMissingStack(secret: parts[1] + "x")
        #expect(wrong.status == 1 && wrong.stderr.contains("The credentials were refused"), "\(wrong.stderr)")
    }
}
