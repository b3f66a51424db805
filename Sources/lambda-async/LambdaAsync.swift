import ArgumentParser
import Foundation
import LambdaAsyncCore

@main
struct LambdaAsync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lambda-async",
        abstract: "Run work after an AWS Lambda function has answered: compare the four ways, pick one, build it, and run it locally as Lambda would.",
        discussion: """
            After a handler returns, Lambda freezes the execution environment: a thread or promise it \
            started stops where it is. The four sound ways to keep working are async-invoke, streaming, \
            extension and custom-runtime.

            Examples:
              lambda-async compare
              lambda-async recommend --language node --front-door function-url
              lambda-async new --strategy extension orders-api
              lambda-async package orders-api
              lambda-async invoke orders-api --env TASK_MS=400
              lambda-async serve orders-api
              lambda-async compare --measure --sync-ms 100 --task-ms 400
            """,
        version: LambdaAsyncVersion.current,
        subcommands: [Compare.self, Recommend.self, New.self, Package.self, Inspect.self, Invoke.self, Serve.self, Resources.self, Event.self, Deploy.self]
    )

    /// The parser's own entry point for parsing; a failure while a command runs is said once by
    /// `Failure.report`, which decides its exit code (a bad input found while running, such as a path
    /// that does not exist, is said without the usage text and exits 64 like any bad usage).
    static func main() async {
        let command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            // The parser's own message and exit code, with the nearest valid value on a typo.
            let code = exitCode(for: error)
            guard code != .success else { exit(withError: error) }  // --help, --version
            FileHandle.standardError.write(Data((TypoHint.improve(fullMessage(for: error)) + "\n").utf8))
            Foundation.exit(code.rawValue)
        }
        // For the tests that paste every --help example: parse (and validate) it, run nothing.
        if ProcessInfo.processInfo.environment["LAMBDA_ASYNC_PARSE_ONLY"] != nil {
            print(type(of: command).configuration.commandName ?? "lambda-async")
            Foundation.exit(0)
        }
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var syncCommand = command
                try syncCommand.run()
            }
        } catch {
            Failure.report(error)
        }
    }
}
