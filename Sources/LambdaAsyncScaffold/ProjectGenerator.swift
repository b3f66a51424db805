import Foundation
import LambdaAsyncCore
import Mustache

/// A file of a generated project.
public struct GeneratedFile: Sendable, Equatable {
    public let path: String
    public let contents: String
    public let executable: Bool
}

/// Renders a cell's templates (its own files over the language's `_common` ones) and writes the
/// project so that an error never leaves half of one.
public struct ProjectGenerator: Sendable {
    public let options: ProjectOptions
    public let cell: Cell

    public init(options: ProjectOptions) throws {
        try ProjectOptions.validate(name: options.name)
        guard options.runtime.family.rawValue == options.language.rawValue else {
            throw ScaffoldError.runtimeMismatch(runtime: options.runtime.identifier, language: options.language)
        }
        // As cfn-lint (E2531): a runtime Lambda no longer creates functions on is refused here.
        if let refusal = options.runtime.creationRefusal() { throw ScaffoldError.unsupported(refusal) }
        guard LambdaQuotas.memoryMB.contains(options.memoryMB) else {
            throw ScaffoldError.unsupported("--memory \(options.memoryMB) is outside Lambda's 128-10240 MB")
        }
        guard LambdaQuotas.timeoutSeconds.contains(options.timeoutSeconds) else {
            throw ScaffoldError.unsupported("--timeout \(options.timeoutSeconds) is outside Lambda's 1-900 seconds")
        }
        self.options = options
        cell = try Matrix.cell(language: options.language, strategy: options.strategy, variant: options.variant)
        if options.strategy == .durable, let refusal = DurableSettings.refusal(runtime: options.runtime.identifier) {
            throw ScaffoldError.unsupported("--runtime \(options.runtime.identifier): \(refusal)")
        }
    }

    /// The project's files, sorted by path.
    public func files() throws -> [GeneratedFile] {
        let language = options.language.rawValue
        var byPath: [String: EmbeddedFile] = [:]
        for prefix in ["\(language)/_common/", "\(language)/\(cell.folder)/"] {
            for file in EmbeddedTemplates.files where file.path.hasPrefix(prefix) {
                byPath[String(file.path.dropFirst(prefix.count))] = file
            }
        }
        // A cell's `_layout` puts shared files where its design needs them: "move FROM TO" and
        // "copy FROM TO" for the language's common files, "use NAME TO" for one of its `_shared/` files,
        // "drop FROM" for a common file the cell has no use for.
        if let layout = byPath.removeValue(forKey: "_layout") {
            for line in layout.contents.split(separator: "\n") {
                let words = line.split(separator: " ").map(String.init)
                if words.count == 2, words[0] == "drop" {
                    byPath[words[1]] = nil
                    continue
                }
                guard words.count == 3 else { continue }
                let source = words[0] == "use"
                    ? EmbeddedTemplates.files.first { $0.path == "\(language)/_shared/\(words[1])" }
                    : byPath[words[1]]
                guard let file = source else { continue }
                if words[0] == "move" { byPath[words[1]] = nil }
                byPath[words[2]] = file
            }
        }
        let context = options.context
        return try byPath.keys.sorted().map { relative in
            let file = byPath[relative]!
            return GeneratedFile(path: try Self.render(relative, context),
                                 contents: try Self.render(file.contents, context),
                                 executable: file.executable)
        }
    }

    /// `Templates/_partials/NAME.EXT`, included as `{{> NAME}}`: the blocks every cell's template.yaml
    /// shares (parameters, the failed-tasks queue and its alarm), written once.
    static let partials: Result<MustacheLibrary, Error> = Result {
        var library = MustacheLibrary()
        for file in EmbeddedTemplates.files where file.path.hasPrefix("_partials/") {
            let name = String(file.path.dropFirst("_partials/".count).split(separator: ".")[0])
            try library.register("{{% CONTENT_TYPE: TEXT}}" + file.contents, named: name)
        }
        return library
    }

    /// Mustache without HTML escaping: these are source files, not pages.
    static func render(_ text: String, _ context: [String: Any]) throws -> String {
        do {
            return try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + text).render(context, library: try partials.get())
        } catch {
            throw ScaffoldError.unsupported("a template failed to render (\(error)); this is a bug in lambda-async")
        }
    }

    /// Writes the project into `directory`: into a temporary sibling first, renamed into place.
    /// With `force`, an existing non-empty folder gets the files moved in one by one.
    public func write(to directory: URL, force: Bool) throws -> [GeneratedFile] {
        let files = try files()
        let manager = FileManager.default
        let existing = (try? manager.contentsOfDirectory(atPath: directory.path)) ?? nil
        if let existing, !existing.isEmpty, !force { throw ScaffoldError.notEmpty(directory.path) }
        let parent = directory.deletingLastPathComponent()
        TemporaryFiles.sweep(parent)
        let staging = TemporaryFiles.beside(directory)
        TemporaryFiles.track(staging)
        defer { TemporaryFiles.untrack(staging) }
        do {
            try manager.createDirectory(at: staging, withIntermediateDirectories: true)
        } catch {
            throw ScaffoldError.cannotWrite(parent.path, reason: "\(error.localizedDescription)")
        }
        defer { try? manager.removeItem(at: staging) }
        do {
            for file in files {
                let url = staging.appendingPathComponent(file.path)
                try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.contents.utf8).write(to: url)
                try manager.setAttributes([.posixPermissions: file.executable ? 0o755 : 0o644], ofItemAtPath: url.path)
            }
            if let existing, !existing.isEmpty {
                for file in files {
                    let target = directory.appendingPathComponent(file.path)
                    try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                    guard rename(staging.appendingPathComponent(file.path).path, target.path) == 0 else {
                        throw ScaffoldError.cannotWrite(target.path, reason: String(cString: strerror(errno)))
                    }
                }
            } else {
                // rename(2) replaces an empty folder in one step.
                guard rename(staging.path, directory.path) == 0 else {
                    throw ScaffoldError.cannotWrite(directory.path, reason: String(cString: strerror(errno)))
                }
            }
        } catch let error as ScaffoldError {
            throw error
        } catch {
            throw ScaffoldError.cannotWrite(directory.path, reason: "\(error.localizedDescription)")
        }
        return files
    }
}
