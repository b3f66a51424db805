import ArgumentParser
import LambdaAsyncCore

@main
struct LambdaAsync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lambda-async",
        abstract: "Run work after an AWS Lambda function has answered: compare the four ways, pick one, and build it.",
        discussion: """
            After a handler returns, Lambda freezes the execution environment: a thread or promise it \
            started stops where it is. The four sound ways to keep working are async-invoke, streaming, \
            extension and custom-runtime.

            Examples:
              lambda-async compare
              lambda-async compare --strategy extension --format markdown
              lambda-async recommend --language node --front-door function-url
            """,
        version: LambdaAsyncVersion.current,
        subcommands: [Compare.self, Recommend.self, New.self, Package.self, Inspect.self, Invoke.self, Serve.self]
    )
}
