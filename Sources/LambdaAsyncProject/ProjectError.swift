import LambdaAsyncCore
/// A project that cannot be read, said so that the user knows what to fix.
public enum ProjectError: Error, CustomStringConvertible, Equatable {
    case noTemplate(String)
    /// A function's code (a folder or a zip) that is not there.
    case missingCode(String)
    case invalidTemplate(path: String, reason: String)
    case unknownFunction(String, known: [String])
    case invalidEnvironmentFile(path: String, reason: String)
    /// A `--parameter` the template does not declare, or a value its AllowedValues refuse.
    case invalidParameter(String)

    public var description: String {
        switch self {
        case .noTemplate(let directory):
            return "no template.yaml in \(directory): run the command in a project folder (one `lambda-async new` made, or any AWS SAM project), or pass its path"
        case .missingCode(let path):
            return "\(path) does not exist: pass a folder or a zip"
        case .invalidTemplate(let path, let reason):
            return "\(path) is not a SAM template lambda-async can read: \(reason)"
        case .unknownFunction(let name, let known):
            return "the template has no function '\(name)'; its functions are: \(known.isEmpty ? "none" : known.joined(separator: ", "))"
        case .invalidEnvironmentFile(let path, let reason):
            return "\(path) is not an environment file: \(reason)"
        case .invalidParameter(let reason):
            return "--parameter: \(reason)"
        }
    }
}

extension ProjectError: UserFacingError {
    /// A project or template the command cannot take, whichever it is.
    public var kind: FailureKind { .badInput }
}
