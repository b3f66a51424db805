import Foundation
import LambdaAsyncCore
import LambdaAsyncProject

/// What the local runner runs: a function's or layer's zip exactly as `package` builds it (dependencies
/// installed for Lambda's platform, excludes applied, modes normalised), unpacked. A file the zip
/// lacks is missing locally too. The zip is reused when up to date, and each unpacked tree is kept
/// under `.lambda-async/run/<sha256>` so that a warm start of unchanged code unpacks nothing.
public struct ShippedCode: Sendable {
    public let template: SAMTemplate

    public init(template: SAMTemplate) { self.template = template }

    /// The unpacked zip of a function; nil when its code is not a local folder (then the runner uses it as it is).
    public func function(_ logicalID: String) throws -> URL? {
        let packager = ProjectPackager(template: template)
        guard let function = template.functions.first(where: { $0.logicalID == logicalID }),
              let plan = try packager.plan(for: function) else { return nil }
        return try unpacked(plan, zip: packager.zipURL(logicalID))
    }

    /// What a function's cold start runs: its zip and its local layers' zips, unpacked, built anew
    /// when their source changed; `source` (its folders as they are) where it has no zip of ours.
    public func shipped(_ function: SAMTemplate.Function, source: (code: URL, layers: [URL])) -> @Sendable () throws -> (code: URL, layers: [URL]) {
        let layerIDs = function.layers.compactMap { reference -> String? in
            if case .local(let id) = reference, template.layer(named: id)?.contentURI != nil { return id }
            return nil
        }
        let logicalID = function.logicalID
        return { [self] in
            let code = try self.function(logicalID) ?? source.code
            let layers = try zip(layerIDs, source.layers).map { id, folder in try self.layer(id) ?? folder }
            return (code, layers)
        }
    }

    /// The unpacked zip of a local layer.
    public func layer(_ logicalID: String) throws -> URL? {
        let packager = ProjectPackager(template: template)
        guard let layer = template.layer(named: logicalID), let plan = try packager.plan(for: layer) else { return nil }
        return try unpacked(plan, zip: packager.zipURL(logicalID))
    }

    /// Environments of one function that start cold together build and unpack one zip: one at a time.
    private static let lock = NSLock()
    /// The folder each zip was last unpacked to, by this process (under `lock`): after an edit, the
    /// one it replaces goes, unless another zip is unpacked there too. A cold start copies the folder
    /// into its own environment, so no environment runs from it.
    private static let current = Locked<[String: String]>([:])

    private func unpacked(_ plan: ArtifactPlan, zip: URL) throws -> URL {
        Self.lock.lock()
        defer { Self.lock.unlock() }
        let result = try Packager.build(plan, to: zip, options: PackagingOptions())
        let folder = template.directory.appendingPathComponent(".lambda-async/run/\(result.sha256)")
        // By path: a URL of a folder that exists ends with a slash, one of a folder not made yet does not.
        let replaced = Self.current.withLock { current -> String? in
            let previous = current[zip.path]
            current[zip.path] = folder.path
            guard let previous, previous != folder.path, !current.values.contains(previous) else { return nil }
            return previous
        }
        if let replaced { try? FileManager.default.removeItem(atPath: replaced) }
        if FileManager.default.fileExists(atPath: folder.path) { return folder }
        // Unpacked beside, then renamed: a half-unpacked tree is never taken for a whole one.
        TemporaryFiles.sweep(folder.deletingLastPathComponent())
        let partial = TemporaryFiles.beside(folder)
        TemporaryFiles.track(partial)
        defer { TemporaryFiles.untrack(partial) }
        try ZipExtractor.extract(zip, into: partial)
        do {
            try FileManager.default.moveItem(at: partial, to: folder)
        } catch where FileManager.default.fileExists(atPath: folder.path) {
            try? FileManager.default.removeItem(at: partial)  // another sandbox unpacked it first
        }
        return folder
    }
}
