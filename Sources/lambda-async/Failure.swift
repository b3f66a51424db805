import ArgumentParser
import Foundation
import LambdaAsyncArchive
import LambdaAsyncProject
import LambdaAsyncRuntime

/// What a command throws when it fails while it runs: the message and the kind decide the exit code,
/// in one place (`Failure.report`), as the README's table has them.
enum CommandError: Error, CustomStringConvertible {
    /// Bad input found while running (a path that does not exist, a function the template lacks): 64.
    case badInput(String)
    /// The command ran and failed (an invocation failed, a zip could not be written): 1.
    case failed(String)

    var description: String {
        switch self {
        case .badInput(let message), .failed(let message): return message
        }
    }
}

/// Every failure of a running command is said here, once, and turned into its exit code.
enum Failure {
    /// The message to print (nil: nothing to say, the command said it already) and the exit code;
    /// nil for errors of the argument parser's own (help, usage), which it reports itself.
    static func classify(_ error: Error) -> (message: String?, code: Int32)? {
        switch error {
        case let error as CommandError:
            switch error {
            case .badInput: return (error.description, ExitCode.validationFailure.rawValue)
            case .failed: return (error.description, ExitCode.failure.rawValue)
            }
        case let error as ValidationError:
            // A run-time check written as the parser's error: bad input all the same.
            return (error.message, ExitCode.validationFailure.rawValue)
        case let exit as ExitCode:
            return (nil, exit.rawValue)
        case ProjectError.invalidParameter(let reason):
            // A --parameter the template does not take: bad usage.
            return ("--parameter: \(reason)", ExitCode.validationFailure.rawValue)
        case let error as FunctionConfigError:
            return (error.description, ExitCode.validationFailure.rawValue)
        case let error as RunnerError:
            return (error.description, ExitCode.failure.rawValue)
        case let error as IsolationUnavailable:
            return (error.description, ExitCode.failure.rawValue)
        default:
            return nil
        }
    }

    static func report(_ error: Error) -> Never {
        guard let (message, code) = classify(error) else {
            // The parser's errors and any library error: "Error: <description>", exit 1, by the parser.
            LambdaAsync.exit(withError: error)
        }
        if let message { FileHandle.standardError.write(Data("Error: \(message)\n".utf8)) }
        Foundation.exit(code)
    }
}
