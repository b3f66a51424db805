import LambdaAsyncCore
/// Why the runner could not run a function, said so that the user knows what to do.
public enum RunnerError: Error, CustomStringConvertible, Equatable {
    case cannotStart(String, String)
    case unsupportedRuntime(String)
    case missingInterpreter(String, runtime: String)
    case server(String)
    /// The runner stopped before the invocation could start.
    case stopped

    public var description: String {
        switch self {
        case .cannotStart(let name, let reason):
            return "cannot start \(name): \(reason)"
        case .unsupportedRuntime(let runtime):
            return "the local runner runs provided.*, python3.* and nodejs* functions; \(runtime) is not one of them"
        case .missingInterpreter(let program, let runtime):
            return "\(runtime) needs \(program) on PATH to run locally; install it (apt-get install \(program == "node" ? "nodejs" : "python3"))"
        case .server(let message):
            return message
        case .stopped:
            return "the local runner stopped before this invocation started"
        }
    }
}

extension RunnerError: UserFacingError {
    public var kind: FailureKind { .failed }
}
