import LambdaAsyncCore
import Foundation
import LambdaAsyncProject

public enum FunctionConfigError: Error, CustomStringConvertible {
    case noLocalCode(String)
    case unknownRuntime(String, String?)

    public var description: String {
        switch self {
        case .noLocalCode(let name): return "\(name) has no local code (an image or S3): the runner needs a folder or zip"
        case .unknownRuntime(let name, let runtime): return "\(name) has no Runtime the runner knows (\(runtime ?? "none"))"
        }
    }
}

extension FunctionConfig {
    /// A template's function as the runner runs it. `folder` turns a code location (a folder, or a
    /// zip to unpack) into a folder.
    public init(_ function: SAMTemplate.Function, of template: SAMTemplate, environment extra: [String: String] = [:],
                memoryMB: Int? = nil, timeoutSeconds: Double? = nil, folder: (URL, String) throws -> URL = { url, _ in url }) throws {
        guard let codeURI = function.codeURI else { throw FunctionConfigError.noLocalCode(function.logicalID) }
        guard let runtime = function.runtime else { throw FunctionConfigError.unknownRuntime(function.logicalID, function.runtimeName) }
        var environment = function.environment.mapValues { value in
            // Intrinsic functions cannot be resolved locally: `!Ref X` becomes X, the name `serve` knows X by.
            value.hasPrefix("!Ref ") ? String(value.dropFirst(5)) : value
        }
        environment.merge(extra) { $1 }
        let layers = try function.layers.compactMap { reference -> URL? in
            guard case .local(let id) = reference, let uri = template.layer(named: id)?.contentURI else { return nil }
            return try folder(template.resolve(uri), "layer-\(id)")
        }
        self.init(name: function.logicalID, runtime: runtime, handler: function.handler ?? "bootstrap",
                  code: try folder(template.resolve(codeURI), "code-\(function.logicalID)"), layers: layers,
                  memoryMB: memoryMB ?? function.memorySizeMB, timeoutSeconds: timeoutSeconds ?? Double(function.timeoutSeconds),
                  environment: environment)
        ephemeralStorageMB = function.ephemeralStorageMB
        jsonLogs = function.logging.isJSON
        logLevel = function.logging.applicationLogLevel
        logGroup = function.logging.logGroup
        if function.managedInstances {
            managedConcurrency = function.perEnvironmentMaxConcurrency ?? defaultManagedConcurrency
        }
    }
}

extension FunctionConfigError: UserFacingError {
    public var kind: FailureKind { .badInput }
}
