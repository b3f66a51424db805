import ArgumentParser
import Foundation
import LambdaAsyncProject
import LambdaAsyncEnvironment
import LambdaAsyncService

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve every function of a project locally: Lambda's Invoke API, asynchronous invocation, function URLs.",
        discussion: """
            Each function runs in sandboxes like `invoke`'s (frozen between invocations), started on demand and kept \
            warm (the most recently used first); a request beyond the busy ones starts another, as Lambda scales, \
            up to the function's ReservedConcurrentExecutions or --concurrency; beyond that a synchronous call is \
            throttled (429 TooManyRequestsException, which the SDKs retry) and an event waits. The Invoke API \
            (POST /2015-03-31/functions/NAME/invocations) takes RequestResponse, Event (queued, retried per the \
            template's EventInvokeConfig with Lambda's delays scaled by --retry-delay, then sent to its destinations: a \
            function of the project, or its queue, topic or bucket in the local AWS) and DryRun. The template's queues, \
            tables, topics and buckets the functions use live in moto's server, started and stopped with serve \
            (--aws-endpoint-url: another emulator); `lambda-async resources` shows what they hold. Functions with a \
            FunctionUrlConfig answer at /urls/NAME/..., buffered or streamed; AuthType AWS_IAM ones only to requests \
            signed with SigV4 (the signature is not checked). The functions get AWS_ENDPOINT_URL_LAMBDA pointing here, \
            so an async-invoke project's function invokes its worker through serve. Edit the code while it runs: the \
            function's next invocation starts cold with the new code (--no-reload keeps the old).

            Examples:
              lambda-async serve orders-api
              lambda-async serve orders-api --env-vars env.json --env LOG_LEVEL=DEBUG
              aws lambda invoke --endpoint-url http://127.0.0.1:9000 \\
                --function-name ApiFunction out.json
              curl -N --aws-sigv4 "aws:amz:us-east-1:lambda" \\
                --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \\
                http://127.0.0.1:9000/urls/ApiFunction/
            """
    )

    @Argument(help: ArgumentHelp("A SAM project folder (default: the current one).", valueName: "project-dir"), completion: .directory)
    var projectDirectory: String?

    @Option(help: ArgumentHelp("The port to listen on.", valueName: "port"))
    var port: Int = 9000

    @Option(help: ArgumentHelp("The address to listen on; loopback unless you mean otherwise.", valueName: "address"))
    var host: String = "127.0.0.1"

    @Option(help: ArgumentHelp("Execution environments per function at most (beyond, synchronous calls are throttled with 429 and events wait); default: Lambda's account quota of 1,000, capped by what half of this machine's memory holds.", valueName: "n"))
    var concurrency: Int?

    @Option(help: ArgumentHelp("Shut an environment down after it has been free this long, as Lambda reclaims idle ones (0 keeps them).", valueName: "seconds"))
    var idleTimeout: Double = 600

    @Option(help: ArgumentHelp("Scale of Lambda's retry delays for failed asynchronous events (1 and 2 minutes × this).", valueName: "factor"))
    var retryDelay: Double = 0.01

    @OptionGroup var environment: EnvironmentOptions

    @OptionGroup var isolation: IsolationOptions

    @OptionGroup var aws: AWSAccessOptions

    @OptionGroup var platform: PlatformOptions

    @Flag(help: "Never freeze the sandboxes.")
    var noFreeze = false

    @Flag(help: "Keep running the code the sandboxes started with; by default an edit makes the function's next invocation start cold with the new code.")
    var noReload = false

    func validate() throws {
        if !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535") }
        if let concurrency, concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if retryDelay < 0 { throw ValidationError("--retry-delay must not be negative") }
        if idleTimeout < 0 { throw ValidationError("--idle-timeout must not be negative") }
    }

    func run() async throws {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let template = try environment.template(at: URL(fileURLWithPath: projectDirectory ?? ".", relativeTo: cwd).standardizedFileURL)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lambda-async-serve-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let variables = try environment.file(checkedAgainst: template)
        var functions = try template.functions.filter { $0.codeURI != nil && $0.runtime != nil }.map { function -> LocalLambda.Function in
            try ProjectFunctions.served(function, of: template, scratch: scratch,
                                       environment: environment.variables(for: function.logicalID, from: variables))
        }
        platform.apply(to: &functions)
        guard !functions.isEmpty else {
            throw CommandError.badInput("\(template.url.path) has no function with local code and a runtime the runner knows")
        }
        var options = LocalLambda.Options(destinations: template.directory.appendingPathComponent(".lambda-async/destinations"))
        options.queueFolder = template.directory.appendingPathComponent(".lambda-async/queue")
        options.host = host
        options.port = port
        options.concurrency = concurrency
        options.retryDelayScale = retryDelay
        options.idleTimeout = idleTimeout
        options.apiCors = template.apiCors
        options.stageVariables = template.stageVariables
        options.binaryMediaTypes = template.binaryMediaTypes
        options.lambdaAuthorizers = template.lambdaAuthorizers
        options.defaultAuthorizers = template.defaultAuthorizers
        options.environment.freeze = !noFreeze
        isolation.apply(to: &options.environment)
        aws.apply(to: &options)
        // The project's queues and tables, in a local AWS; nothing reaches AWS unless --aws-credentials.
        let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        let localAWS = await LocalAWSSession.start(template: template, aws: aws, log: log)
        localAWS.apply(to: &options)
        options.reloadOnChange = !noReload
        let lambda = try LocalLambda(functions: functions, options: options)
        let durable = await DurableSession.start(lambda: lambda, store: template.directory.appendingPathComponent(".lambda-async/durable"), kept: true, log: log)
        var lines = ["lambda-async serve: \(functions.count) function(s) on http://\(host):\(lambda.port) (Ctrl-C stops)"]
        for function in functions.sorted(by: { $0.config.name < $1.config.name }) {
            guard LocalLambda.runsLocally(function.config.runtime) else {
                lines.append("  \(function.config.name)  not runnable locally (\(function.config.runtime.identifier)): its calls are refused with InvalidRuntimeException")
                continue
            }
            let (limit, reserved) = LocalLambda.environmentLimit(for: function, requested: concurrency)
            lines.append("  \(function.config.name)  POST /2015-03-31/functions/\(function.config.name)/invocations"
                         + (function.url.map { "  URL /urls/\(function.config.name)/ (\($0.invokeMode), \($0.authType)\($0.cors == nil ? "" : ", CORS"))" } ?? "")
                         + "  (up to \(limit) environment\(limit == 1 ? "" : "s")\(reserved ? ", reserved" : "")"
                         + (function.config.managedConcurrency.map { "; Managed Instances: \($0) invocations at once in each, never frozen" } ?? "") + ")")
            for route in function.apiRoutes {
                lines.append("    API \(route.routeKey == "$default" ? "$default (every other request)" : route.routeKey)  "
                             + "(\(route.kind.rawValue), payload \(route.payloadVersion)\(route.iamAuth ? ", AWS_IAM" : ""))")
            }
        }
        if let line = localAWS.startLine { lines.append(line) }
        if let line = durable.startLine { lines.append(line) }
        if !["127.0.0.1", "localhost", "::1"].contains(host) && !host.hasPrefix("127.") {
            // Beyond loopback, what anyone who reaches this machine can do, said once.
            lines.append("note: listening on \(host): anyone who reaches this machine can invoke these functions through the Invoke API "
                         + "(no IAM checks it here), read their logs (CloudWatch Logs' FilterLogEvents), call their URLs with AuthType NONE and their API routes without an authorizer; "
                         + "AWS_IAM URLs and routes take only requests signed with this shell's AWS keys")
        }
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        await Interrupts.wait()
        // The control plane first: no replay starts in environments being shut down.
        durable.finish()
        let left = await lambda.stop()
        await localAWS.finish(log: log)
        for (name, count) in left.sorted(by: { $0.key < $1.key }) {
            FileHandle.standardError.write(Data("kept \(count) queued asynchronous event(s) of \(name) in .lambda-async/queue: they run when serve starts again\n".utf8))
        }
        // Stopped by Ctrl-C or SIGTERM, after a clean shutdown: 130, as every interrupted command.
        throw ExitCode(Interrupts.exitCode)
    }
}
