import ArgumentParser
import Foundation
import LambdaAsyncCore

/// What a command itself throws when it fails while it runs (its own checks of the input; library
/// errors say their kind themselves).
enum CommandError: UserFacingError {
    /// Bad input found while running (a path that does not exist, a function the template lacks): 64.
    case badInput(String)
    /// The command ran and failed (an invocation failed, a zip could not be written): 1.
    case failed(String)

    var description: String {
        switch self {
        case .badInput(let message), .failed(let message): return message
        }
    }

    var kind: FailureKind {
        switch self {
        case .badInput: return .badInput
        case .failed: return .failed
        }
    }
}

/// Every failure of a running command is said here, once, and turned into its exit code, as the
/// README's table has them: the error's kind decides, and no command translates errors.
enum Failure {
    static func exitCode(for kind: FailureKind) -> Int32 {
        switch kind {
        case .badInput: return ExitCode.validationFailure.rawValue  // 64
        case .failed: return ExitCode.failure.rawValue  // 1
        case .leftForReview: return 2
        }
    }

    /// The message to print (nil: nothing to say, the command said it already), whether it is an
    /// error, and the exit code; nil for errors of the argument parser's own (help, usage), which it
    /// reports itself.
    static func classify(_ error: Error) -> (message: String?, isError: Bool, code: Int32)? {
        switch error {
        case let error as UserFacingError:
            return (error.userMessage, error.kind != .leftForReview, exitCode(for: error.kind))
        case let error as ValidationError:
            // A run-time check written as the parser's error: bad input all the same.
            return (error.message, true, exitCode(for: .badInput))
        case let exit as ExitCode:
            return (nil, false, exit.rawValue)
        default:
            return nil
        }
    }

    static func report(_ error: Error) -> Never {
        guard let (message, isError, code) = classify(error) else {
            // The parser's errors and any other error: "Error: <description>", exit 1, by the parser.
            LambdaAsync.exit(withError: error)
        }
        if let message { FileHandle.standardError.write(Data(((isError ? "Error: " : "") + message + "\n").utf8)) }
        Foundation.exit(code)
    }
}
