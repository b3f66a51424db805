import ArgumentParser
import Foundation
import LambdaAsyncArchive
import LambdaAsyncCore
import LambdaAsyncProject
import LambdaAsyncEnvironment
import LambdaAsyncService

struct Invoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a function locally the way Lambda does: freeze included, timed.",
        discussion: """
            The runner serves the Runtime and Extensions APIs at 127.0.0.1:9001 inside each environment's \
            own network (on the host's loopback with --isolation none), starts external extensions \
            from the layers' extensions/ folders and the runtime (the code's bootstrap, or a built-in \
            client for python3.* and nodejs* runtimes, behind AWS_LAMBDA_EXEC_WRAPPER when set), in an \
            environment made Lambda's (--isolation: read-only /var/task and /opt, a private /tmp, memory \
            and CPU limits, Lambda's user), from the zips `package` builds. When the runtime and every \
            INVOKE-subscribed extension have asked for their next event, the whole environment is frozen \
            (cgroup freezer) until the next invocation. The response goes to stdout as soon as the client \
            would have it; logs, the timeline and Lambda's REPORT line go to stderr.

            Examples:
              lambda-async invoke orders-api --event orders-api/events/event.json
              lambda-async invoke --code src --runtime python3.13 \\
                --handler app.handler --event - <<< '{}'
              lambda-async invoke orders-api --repeat 3 --idle 500 --report timeline.jsonl
            """
    )

    @Argument(help: ArgumentHelp("A SAM project folder (default: the current one, unless --code is given).", valueName: "project-dir"),
              completion: .directory)
    var projectDirectory: String?

    @Option(help: ArgumentHelp("The function of the project to run (its logical ID).", valueName: "logical-id"))
    var function: String?

    @Option(help: ArgumentHelp("The event: a JSON file, or - for standard input (default: events/event.json of the project, or {}).", valueName: "file"),
            completion: .file(extensions: ["json"]))
    var event: String?

    @Option(help: ArgumentHelp("Run this code (a folder or a zip) instead of a project's function.", valueName: "dir-or-zip"),
            completion: .file())
    var code: String?

    @Option(help: ArgumentHelp("With --code: the runtime (provided.al2023, python3.13, nodejs22.x, ...).", valueName: "runtime"),
            completion: .list(LambdaRuntime.supported))
    var runtime: String?

    @Option(help: ArgumentHelp("With --code: the handler (app.handler; ignored by provided.* runtimes).", valueName: "handler"))
    var handler: String?

    @Option(help: ArgumentHelp("With --code: a layer (folder or zip), unpacked into the sandbox's /opt (repeatable).", valueName: "dir-or-zip"),
            completion: .file())
    var layer: [String] = []

    @Option(help: ArgumentHelp("The function timeout in seconds (default: the template's, or 3).", valueName: "seconds"))
    var timeout: Double?

    @Option(help: ArgumentHelp("The memory size in MB (default: the template's, or 128).", valueName: "mb"))
    var memory: Int?

    @OptionGroup var environment: EnvironmentOptions

    @OptionGroup var isolation: IsolationOptions

    @OptionGroup var aws: AWSAccessOptions

    @OptionGroup var platform: PlatformOptions

    @Option(help: ArgumentHelp("The tenant of a function with tenant isolation (TenancyConfig PER_TENANT), as the SDKs' TenantId.", valueName: "id"))
    var tenantId: String?

    @Option(name: .customLong("repeat"), help: ArgumentHelp("Invoke this many times in one sandbox.", valueName: "n"))
    var invocations: Int = 1

    @Option(help: ArgumentHelp("Wait this long, frozen, between invocations.", valueName: "ms"))
    var idle: Int = 0

    @Flag(help: "Never freeze the sandbox, to see what happens without Lambda's freeze.")
    var noFreeze = false

    @Option(help: ArgumentHelp("Write the function's response here instead of stdout.", valueName: "file"), completion: .file())
    var output: String?

    @Flag(help: "Keep the sandbox and serve Lambda's Invoke API for it until interrupted (Ctrl-C), for SDKs, the AWS CLI and load tests.")
    var listen = false

    @Option(help: ArgumentHelp("With --listen: the loopback port (default: a free one).", valueName: "port"))
    var port: Int?

    @Option(help: ArgumentHelp("Append one JSON object per invocation to this file.", valueName: "file"), completion: .file())
    var report: String?

    func validate() throws {
        if code != nil, projectDirectory != nil || function != nil {
            throw ValidationError("--code runs a folder or zip directly: drop the project folder and --function, or drop --code")
        }
        if code == nil, runtime != nil || handler != nil || !layer.isEmpty {
            throw ValidationError("--runtime, --handler and --layer go with --code; a project's come from template.yaml")
        }
        if code != nil, runtime == nil { throw ValidationError("--code needs --runtime (for example python3.13, nodejs22.x, provided.al2023)") }
        _ = try LambdaRuntime.validated(runtime)
        if invocations < 1 { throw ValidationError("--repeat must be at least 1") }
        if let timeout, !(1...900).contains(timeout) { throw ValidationError("--timeout must be between 1 and 900 seconds, as on Lambda") }
        if let memory, !LambdaQuotas.memoryMB.contains(memory) { throw ValidationError("--memory must be between 128 and 10240 MB, as on Lambda") }
        if listen, tenantId != nil { throw ValidationError("--tenant-id goes with a single invoke; with --listen each call names its tenant (X-Amz-Tenant-Id)") }
        if listen, event != nil || invocations != 1 || output != nil {
            throw ValidationError("--listen takes its events from Invoke API requests: drop --event, --repeat and --output")
        }
        if port != nil, !listen { throw ValidationError("--port goes with --listen") }
        if let port, !(1...65535).contains(port) { throw ValidationError("--port must be between 1 and 65535") }
    }

    func run() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lambda-async-invoke-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var (chosenFunction, defaultEvent, others, template) = try functionConfig(scratch: scratch)
        var all = [chosenFunction] + others
        platform.apply(to: &all)
        chosenFunction = all[0]
        others = Array(all.dropFirst())
        let config = chosenFunction.config
        let projectFolder = template?.directory
        let payload = try readEvent(defaultEvent)

        // One door: plain invoke, --listen and serve all run functions through the local Lambda service.
        // The project's other functions are served beside the chosen one, so its calls to them
        // (AWS_ENDPOINT_URL_LAMBDA) stay here: an async-invoke project's worker runs here, never the
        // deployed one. Their timelines follow the function's.
        // A project's destination records land where serve puts them (.lambda-async/destinations), not
        // in a scratch folder that goes with the run.
        var options = LocalLambda.Options(destinations: projectFolder.map { $0.appendingPathComponent(".lambda-async/destinations") }
                                          ?? scratch.appendingPathComponent("destinations"))
        options.environment.freeze = !noFreeze
        isolation.apply(to: &options.environment)
        aws.apply(to: &options)
        // The project's queues and tables, in a local AWS; nothing reaches AWS unless --aws-credentials.
        let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        let localAWS = await LocalAWSSession.start(template: template, aws: aws, log: log)
        if let line = localAWS.startLine { log(line) }
        localAWS.apply(to: &options)
        options.reloadOnChange = false
        options.logRecords = false
        let chosen = config.name, reportPath = report
        if listen {
            // --listen is serve for this one function (sync, Event with retries, DryRun, streaming,
            // limits, client context, log tail, partial ARNs), scaling as serve does.
            options.port = port ?? 0
            options.onRecord = { name, record in
                Self.printTimeline(record, function: name == chosen ? nil : name)
                if let reportPath { try? Self.append(record, to: reportPath) }
            }
            let lambda = try LocalLambda(functions: [chosenFunction] + others, options: options)
            FileHandle.standardError.write(Data("Invoke API for \(config.name): http://127.0.0.1:\(lambda.port)/2015-03-31/functions/\(config.name)/invocations (Ctrl-C stops)\n".utf8))
            await Interrupts.wait()
            _ = await lambda.stop()
            await localAWS.finish(log: log)
            // Stopped by Ctrl-C or SIGTERM, after a clean shutdown: 130, as plain `invoke` and `serve`.
            throw ExitCode(Interrupts.exitCode)
        }
        // One environment for the chosen function (its invocations follow each other in it, as
        // --repeat needs), never reclaimed while it idles between them.
        options.concurrency = 1
        options.idleTimeout = 0
        // The chosen function's records are printed as its invocations return, the others' as they end;
        // a durable function's replays too, and what each billed is kept for its execution's timeline.
        let chosenIsDurable = chosenFunction.durable != nil
        let replays = Locked<[String: (durationMs: Double, billedMs: Int)]>([:])
        options.onRecord = { name, record in
            replays.withLock { $0[record.requestId] = (record.durationMs, record.billedDurationMs) }
            guard name != chosen || chosenIsDurable else { return }
            Self.printTimeline(record, function: name)
            if let reportPath { try? Self.append(record, to: reportPath) }
        }
        let lambda = try LocalLambda(functions: [chosenFunction] + others, options: options)
        // Durable functions get a control plane of this run's own: executions are followed to their end.
        let durable = await DurableSession.start(lambda: lambda, store: scratch.appendingPathComponent("durable"), kept: false, log: log)
        if let line = durable.startLine { log(line) }
        if chosenIsDurable, durable.plane == nil {
            _ = await lambda.stop()
            await localAWS.finish(log: { _ in })
            throw CommandError.badInput(LocalLambda.durableNotServed(chosen))
        }
        if lambda.isPerTenant(chosen) != (tenantId != nil) {
            _ = await lambda.stop()
            await localAWS.finish(log: { _ in })
            throw CommandError.badInput(tenantId == nil
                ? "\(chosen) has tenant isolation (TenancyConfig PER_TENANT): name the tenant with --tenant-id ID"
                : "\(chosen) has no tenant isolation: drop --tenant-id, or give it TenancyConfig: {TenantIsolationMode: PER_TENANT}")
        }
        let interrupted = OnceFlag()
        // Ctrl-C or SIGTERM: SHUTDOWN to the extensions within Lambda's budget, then out, like the end of an environment.
        Task.detached {
            await Interrupts.wait()
            _ = interrupted.claim()
            FileHandle.standardError.write(Data("interrupted: shutting the sandbox down\n".utf8))
            _ = await lambda.stop()
            try? FileManager.default.removeItem(at: scratch)  // exit skips the defer
            Foundation.exit(Interrupts.exitCode)
        }
        let sink = try ResponseSink(path: output)
        var failed = false
        for index in 0..<invocations where chosenIsDurable {
            if index > 0, idle > 0 { try await Task.sleep(nanoseconds: UInt64(idle) * 1_000_000) }
            // An Invoke of a durable function starts an execution; its replays are the invocations.
            let arn = try await lambda.startDurableExecution(chosen, payload: payload)
            log("\(chosen): durable execution \(arn) started")
        }
        for index in 0..<invocations where !chosenIsDurable {
            if index > 0, idle > 0 { try await Task.sleep(nanoseconds: UInt64(idle) * 1_000_000) }
            let record = try await lambda.invoke(chosen, payload: payload, tenantId: tenantId) { event in sink.receive(event) }
            // Stopped by Ctrl-C: the interrupt's task ends the sandbox and exits with 130.
            if interrupted.isClaimed { try await Task.sleep(nanoseconds: 60_000_000_000) }
            sink.finishInvocation()
            Self.printTimeline(record)
            if record.error != nil { failed = true }
            if let report { try Self.append(record, to: report) }
        }
        // What the function started in the others (async invocations, their retries) ends first.
        await lambda.waitUntilIdle(timeout: 120)
        if durable.plane != nil {
            // What a replay costs: each durable function's memory and architecture, at us-east-1's prices.
            let sizes = Dictionary(uniqueKeysWithValues: ([chosenFunction] + others).map { function in
                (function.config.name, (memoryMB: function.config.memoryMB,
                                        architecture: template?.functions.first { $0.logicalID == function.config.name }?.architecture ?? .x86_64))
            })
            let executions = await durable.follow(lambda, replays: replays, sizes: sizes, log: log)
            if chosenIsDurable {
                for execution in executions where execution.function == chosen {
                    if execution.status != "SUCCEEDED" { failed = true }
                    if let result = execution.result { sink.receive(execution.status == "SUCCEEDED" ? .complete(result) : .error(type: "DurableExecution.\(execution.status)", body: result)) }
                    sink.finishInvocation()
                }
            }
            durable.finish()
        }
        _ = await lambda.stop()
        await localAWS.finish(log: log)
        // Ctrl-C after the last invocation ended: still an interrupted command (the interrupt's own
        // task may not have exited yet).
        if interrupted.isClaimed { throw ExitCode(Interrupts.exitCode) }
        if failed { throw ExitCode.failure }
    }

    /// The chosen function, its default event, the project's other functions, and the project's template (nil with --code).
    private func functionConfig(scratch: URL) throws -> (LocalLambda.Function, URL?, [LocalLambda.Function], SAMTemplate?) {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        func path(_ text: String) -> URL { URL(fileURLWithPath: text, relativeTo: cwd).standardizedFileURL }
        func folder(_ url: URL, _ label: String) throws -> URL {
            try ProjectFunctions.codeFolder(url, label: label, scratch: scratch)
        }
        if let code {
            let variables = environment.variables(for: nil, from: try environment.file(checkedAgainst: nil))
            let runtime = LambdaRuntime(runtime!)!
            let config = FunctionConfig(
                name: "local-function", runtime: runtime, handler: handler ?? "bootstrap",
                code: try folder(path(code), "code"),
                layers: try layer.enumerated().map { try folder(path($0.element), "layer\($0.offset)") },
                memoryMB: memory ?? 128, timeoutSeconds: timeout ?? 3, environment: variables)
            return (LocalLambda.Function(config: config), nil, [], nil)
        }
        let template = try environment.template(at: path(projectDirectory ?? "."))
        let candidates = template.functions.filter { $0.codeURI != nil }
        let chosen: SAMTemplate.Function
        if let function {
            chosen = try template.function(named: function)
        } else if candidates.count == 1 {
            chosen = candidates[0]
        } else {
            throw CommandError.badInput("the template has \(candidates.count) functions with local code: choose one with --function (\(candidates.map(\.logicalID).joined(separator: ", ")))")
        }
        let file = try environment.file(checkedAgainst: template)
        let variables = environment.variables(for: chosen.logicalID, from: file)
        let served = try ProjectFunctions.served(chosen, of: template, scratch: scratch, environment: variables, memoryMB: memory, timeoutSeconds: timeout)
        let others = try template.functions
            .filter { $0.logicalID != chosen.logicalID && $0.codeURI != nil && $0.runtime.map(LocalLambda.runsLocally) == true }
            .map { try ProjectFunctions.served($0, of: template, scratch: scratch, environment: environment.variables(for: $0.logicalID, from: file)) }
        let sample = template.directory.appendingPathComponent("events/event.json")
        return (served, FileManager.default.fileExists(atPath: sample.path) ? sample : nil, others, template)
    }

    private func readEvent(_ fallback: URL?) throws -> [UInt8] {
        let payload = try readEventBytes(fallback)
        // Refused before any sandbox starts, as Lambda refuses it before any function runs: the same
        // 6 MB as the Invoke API, function URLs and API Gateway (docs/invoke.md, "Payload limits").
        if payload.count > LambdaQuotas.bufferedPayloadBytes {
            throw CommandError.badInput("RequestTooLargeException: the event has \(payload.count) bytes; Lambda takes at most "
                + "\(LambdaQuotas.bufferedPayloadBytes) for a synchronous invocation (1 MB for an asynchronous one): pass a smaller event, "
                + "or the data's location (an S3 key) instead of the data")
        }
        if let problem = InvokePayload.problem(payload) {
            throw CommandError.badInput("InvalidRequestContentException: \(problem); pass a JSON event (--event FILE, or - for stdin)")
        }
        return payload
    }

    private func readEventBytes(_ fallback: URL?) throws -> [UInt8] {
        switch event {
        case "-": return Array(FileHandle.standardInput.readDataToEndOfFile())
        case let file?:
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CommandError.badInput("cannot read the event file \(file)")
            }
            return Array(data)
        case nil:
            return fallback.flatMap { FileManager.default.contents(atPath: $0.path) }.map(Array.init) ?? Array("{}".utf8)
        }
    }

    static func printTimeline(_ record: InvocationRecord, function: String? = nil) {
        var lines = ["--- \(function.map { "\($0) " } ?? "")\(record.requestId) timeline (ms from invoke delivery) ---"] + record.timelineLines
        lines.append(record.reportLine)
        if let error = record.error { lines.append("error: \(error)") }
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    static func append(_ record: InvocationRecord, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard JSONLines.append(try encoder.encode(record), to: URL(fileURLWithPath: path)) else {
            throw CommandError.badInput("cannot write the report to \(path)")
        }
    }
}
