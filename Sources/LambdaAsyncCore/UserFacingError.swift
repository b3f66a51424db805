/// How a failure ends a command. The CLI turns it into the exit code in one place (`Failure`), as the
/// README's table has them; library errors say only which kind they are.
public enum FailureKind: Sendable, Equatable {
    /// Input the command cannot take: an unknown value, a path that does not exist, a refused
    /// project or template (exit 64, as for bad usage).
    case badInput
    /// The command ran and could not do its job: an invocation failed, a zip would not work on
    /// Lambda, a server could not listen (exit 1).
    case failed
    /// The command stopped where a person must look before it goes on: a change set left for review (exit 2).
    case leftForReview
}

/// An error a user reads: `userMessage` says what went wrong and how to fix it, `kind` decides the exit
/// code. Every library error that can reach the command line adopts it; commands do not translate.
public protocol UserFacingError: Error, CustomStringConvertible {
    var kind: FailureKind { get }
    /// What is printed (default: the description).
    var userMessage: String { get }
}

extension UserFacingError {
    public var userMessage: String { description }
}
