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
            throw ValidationError("\(url.path) does not exist: pass a folder or a zip")
        }
        return url
    }

    static func make(_ function: SAMTemplate.Function, of template: SAMTemplate, scratch: URL,
                     environment extra: [String: String] = [:], memory: Int? = nil, timeout: Double? = nil) throws -> FunctionConfig {
        guard let codeURI = function.codeURI else {
            throw ValidationError("\(function.logicalID) has no local code (an image or S3): the runner needs a folder or zip")
        }
        guard let runtime = function.runtime else {
            throw ValidationError("\(function.logicalID) has no Runtime the runner knows (\(function.runtimeName ?? "none"))")
        }
        var environment = function.environment.mapValues { value in
            // Intrinsic functions cannot be resolved locally: `!Ref X` becomes X, the name `serve` knows X by.
            value.hasPrefix("!Ref ") ? String(value.dropFirst(5)) : value
        }
        environment.merge(extra) { $1 }
        let layers = try function.layers.compactMap { reference -> URL? in
            guard case .local(let id) = reference, let uri = template.layer(named: id)?.contentURI else { return nil }
            return try folder(template.resolve(uri), label: "layer-\(id)", scratch: scratch)
        }
        return FunctionConfig(
            name: function.logicalID, runtime: runtime, handler: function.handler ?? "bootstrap",
            code: try folder(template.resolve(codeURI), label: "code-\(function.logicalID)", scratch: scratch), layers: layers,
            memoryMB: memory ?? function.memorySizeMB, timeoutSeconds: timeout ?? Double(function.timeoutSeconds),
            environment: environment)
    }
}
