/// Why `new` wrote nothing.
public enum ScaffoldError: Error, CustomStringConvertible, Equatable {
    case unsupported(String)
    case variantWithoutExtension(ExtensionVariant)
    case invalidName(String, reason: String)
    case notEmpty(String)
    case cannotWrite(String, reason: String)
    case runtimeMismatch(runtime: String, language: ProjectLanguage)

    public var description: String {
        switch self {
        case .unsupported(let message):
            return message
        case .variantWithoutExtension(let variant):
            return "--variant \(variant.rawValue) applies to --strategy extension only; drop it"
        case .invalidName(let name, let reason):
            return "'\(name)' cannot name a Lambda project: \(reason). Use letters, digits, '-' and '_', starting with a letter, at most 64 characters, as Lambda allows for a function name (for example orders-api)"
        case .notEmpty(let path):
            return "\(path) exists and is not empty: choose another folder, or pass --force to write the project's files into it (files of the same name are replaced)"
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason)"
        case .runtimeMismatch(let runtime, let language):
            let choices = LambdaRuntimeChoices.for(language).joined(separator: ", ")
            return "--runtime \(runtime) does not run \(language.rawValue) code; use one of: \(choices)"
        }
    }
}

import LambdaAsyncCore

enum LambdaRuntimeChoices {
    static func `for`(_ language: ProjectLanguage) -> [String] {
        LambdaRuntime.supported.filter { LambdaRuntime($0)?.family.rawValue == language.rawValue }
    }
}

extension ScaffoldError: UserFacingError {
    /// A refused project (no such cell, a bad name, a folder in use) is bad input; a write that failed is not.
    public var kind: FailureKind {
        if case .cannotWrite = self { return .failed }
        return .badInput
    }
}
