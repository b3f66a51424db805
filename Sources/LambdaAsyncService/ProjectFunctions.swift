import Foundation
import LambdaAsyncEnvironment
import LambdaAsyncArchive
import LambdaAsyncProject

/// A project's functions as the runner runs them: the one mapping from a SAM template's functions to
/// runnable ones, for `invoke`, `serve` and `compare --measure` alike.
public enum ProjectFunctions {
    /// A folder as is, or a zip unpacked under `scratch` (in a folder named `label`).
    public static func codeFolder(_ url: URL, label: String, scratch: URL) throws -> URL {
        if url.pathExtension == "zip" {
            let target = scratch.appendingPathComponent(label)
            try ZipExtractor.extract(url, into: target)
            return target
        }
        guard FileManager.default.fileExists(atPath: url.path) else { throw ProjectError.missingCode(url.path) }
        return url
    }

    /// A function's settings, its code where the template says (zips unpacked under `scratch`), and
    /// what runs at each cold start: the zips `package` builds, reused when up to date. A layer
    /// published elsewhere (an ARN) cannot be had here: `note` says so.
    public static func config(_ function: SAMTemplate.Function, of template: SAMTemplate, scratch: URL,
                              environment: [String: String] = [:], memoryMB: Int? = nil, timeoutSeconds: Double? = nil,
                              note: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) throws -> FunctionConfig {
        for case .external(let layer) in function.layers {
            note("note: \(function.logicalID) runs without its layer \(layer): only the template's own layers are available locally")
        }
        var config = try FunctionConfig(function, of: template, environment: environment, memoryMB: memoryMB, timeoutSeconds: timeoutSeconds) { url, label in
            try codeFolder(url, label: label, scratch: scratch)
        }
        config.shipped = ShippedCode(template: template).shipped(function, source: (config.code, config.layers))
        return config
    }

    /// A function as the local Lambda serves it: its config with its asynchronous settings
    /// (retries, event age, destinations), its URL, its reserved concurrency and its API routes.
    public static func served(_ function: SAMTemplate.Function, of template: SAMTemplate, scratch: URL,
                              environment: [String: String] = [:], memoryMB: Int? = nil, timeoutSeconds: Double? = nil) throws -> LocalLambda.Function {
        var served = LocalLambda.Function(config: try config(function, of: template, scratch: scratch, environment: environment,
                                                             memoryMB: memoryMB, timeoutSeconds: timeoutSeconds))
        served.maximumRetryAttempts = function.eventInvokeConfig.maximumRetryAttempts
        served.maximumEventAgeSeconds = function.eventInvokeConfig.maximumEventAgeSeconds
        served.onSuccess = function.eventInvokeConfig.onSuccess
        served.onFailure = function.eventInvokeConfig.onFailure
        served.url = function.functionURL
        served.reservedConcurrency = function.reservedConcurrency
        served.perTenant = function.perTenant
        served.durable = function.durableSettings
        served.aliases = function.autoPublishAlias.map { [$0] } ?? []
        served.apiRoutes = function.apiRoutes
        return served
    }
}
