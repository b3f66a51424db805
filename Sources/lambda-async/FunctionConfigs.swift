import ArgumentParser
import Foundation
import LambdaAsyncArchive
import LambdaAsyncProject
import LambdaAsyncRuntime

/// Turns a template's functions (or a folder or zip) into what the runner runs.
enum FunctionConfigs {
    /// A folder as is, or a zip unpacked under `scratch`.
    static func folder(_ url: URL, label: String, scratch: URL) throws -> URL {
        if url.pathExtension == "zip" {
            let target = scratch.appendingPathComponent(label)
            try ZipExtractor.extract(url, into: target)
            return target
        }
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CommandError.badInput("\(url.path) does not exist: pass a folder or a zip")
        }
        return url
    }

    /// A template's function as `serve` (and `invoke`, for the project's other functions) serves it:
    /// its config with its asynchronous settings, URL and reserved concurrency.
    static func served(_ function: SAMTemplate.Function, of template: SAMTemplate, scratch: URL,
                       environment: [String: String]) throws -> LocalLambda.Function {
        var served = LocalLambda.Function(config: try make(function, of: template, scratch: scratch, environment: environment))
        served.maximumRetryAttempts = function.eventInvokeConfig.maximumRetryAttempts
        served.maximumEventAgeSeconds = function.eventInvokeConfig.maximumEventAgeSeconds
        served.onSuccess = function.eventInvokeConfig.onSuccess
        served.onFailure = function.eventInvokeConfig.onFailure
        served.url = function.functionURL
        served.reservedConcurrency = function.reservedConcurrency
        served.apiRoutes = function.apiRoutes
        return served
    }

    static func make(_ function: SAMTemplate.Function, of template: SAMTemplate, scratch: URL,
                     environment extra: [String: String] = [:], memory: Int? = nil, timeout: Double? = nil) throws -> FunctionConfig {
        // A published layer (an ARN) cannot be fetched here; say so rather than run as if it were there.
        for case .external(let layer) in function.layers {
            FileHandle.standardError.write(Data("note: \(function.logicalID) runs without its layer \(layer): only the template's own layers are available locally\n".utf8))
        }
        var config = try FunctionConfig(function, of: template, environment: extra, memoryMB: memory, timeoutSeconds: timeout) { url, label in
            try folder(url, label: label, scratch: scratch)
        }
        // Run what ships: each cold start runs the zips `package` builds (reused when up to date).
        config.shipped = ShippedCode(template: template).shipped(function, source: (config.code, config.layers))
        return config
    }
}
