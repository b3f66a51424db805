import LambdaAsyncCore
/// Why `package` wrote nothing.
public enum PackagingError: Error, CustomStringConvertible, Equatable {
    case checksFailed(artifact: String, findings: [Finding])
    /// Problems of several artifacts of a project, each line naming its artifact.
    case projectChecksFailed(template: String, problems: [String])
    case missingInput(String)
    case dependencies(String)
    case swiftBuild(String)

    public var description: String {
        switch self {
        case .checksFailed(let artifact, let findings):
            let lines = findings.errors.map { "  - \($0.message)" }.joined(separator: "\n")
            return "\(artifact) would not work on Lambda, so no zip was written:\n\(lines)"
        case .projectChecksFailed(let template, let problems):
            return "the project of \(template) would not work on Lambda, so no zip was written:\n"
                + problems.map { "  - \($0)" }.joined(separator: "\n")
        case .missingInput(let message), .dependencies(let message), .swiftBuild(let message):
            return message
        }
    }
}

extension PackagingError: UserFacingError {
    public var kind: FailureKind {
        if case .missingInput = self { return .badInput }
        return .failed
    }
}
