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
        subcommands: [Compare.self, Recommend.self, New.self, Package.self, Inspect.self, Invoke.self, Serve.self]
    )

    /// The parser's own entry point, except for one thing: a bad input found while a command runs
    /// (a path that does not exist, a template without the function named) is said without the
    /// usage text, which would not help, and still exits 64 like any bad usage.
    static func main() async {
        let command: ParsableCommand
        do { command = try parseAsRoot() } catch { exit(withError: error) }
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var syncCommand = command
                try syncCommand.run()
            }
        } catch let error as ValidationError {
            FileHandle.standardError.write(Data("Error: \(error.message)\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        } catch {
            exit(withError: error)
        }
    }
}
