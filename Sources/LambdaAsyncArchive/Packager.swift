import Foundation
import LambdaAsyncCore

/// What `package` built (or found up to date) for one artifact.
public struct ArtifactResult: Sendable, Equatable, Codable {
    public let name: String
    public let kind: ArtifactKind
    public let path: String
    public let files: Int
    public let unzippedBytes: Int64
    public let zippedBytes: Int64
    /// Base64 of the zip's SHA-256: what Lambda reports as `CodeSha256`.
    public let codeSha256: String
    public let sha256: String
    public let upToDate: Bool
    public let warnings: [Finding]
}

public struct PackagingOptions: Sendable {
    /// Seconds since the epoch on every entry; `SOURCE_DATE_EPOCH` when set.
    public var timestamp: Int
    public var compressionLevel: Int
    /// Rebuild even when nothing changed.
    public var force: Bool
    /// Called with (entries written, entries in all) while a zip is written.
    public var progress: (@Sendable (Int, Int) -> Void)?
    /// How many writers compress at once (ShardedZip); the bytes are the same whatever the number.
    public var parallelism = ProcessInfo.processInfo.activeProcessorCount

    public init(timestamp: Int = PackagingOptions.timestampFromEnvironment(), compressionLevel: Int = 6, force: Bool = false,
                progress: (@Sendable (Int, Int) -> Void)? = nil) {
        self.timestamp = timestamp
        self.compressionLevel = compressionLevel
        self.force = force
        self.progress = progress
    }

    /// https://reproducible-builds.org/specs/source-date-epoch/
    public static func timestampFromEnvironment() -> Int {
        ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"].flatMap { Int($0) } ?? ZipWriter.defaultTimestamp
    }
}

/// Checks a plan, then writes its zip (or reuses the last one when no input changed).
public enum Packager {
    /// Runs Lambda's checks on a plan; the contents of files are read from disk on demand.
    public static func check(_ plan: ArtifactPlan) -> [Finding] {
        let sources = Dictionary(plan.entries.compactMap { entry in entry.source.map { (entry.entry.path, $0) } },
                                 uniquingKeysWith: { $1 })
        let checks = LambdaChecks(kind: plan.spec.kind, runtime: plan.spec.runtime, handler: plan.spec.handler,
                                  architecture: plan.spec.architecture) { path in
            sources[path].map { DisplayPath.relative($0.path) } ?? path
        }
        var findings = plan.findings + checks.run(plan.zipEntries, contents: { path in
            sources[path].flatMap { try? Data(contentsOf: $0) }.map(Array.init)
        }, head: { path in
            // Four bytes tell whether a candidate is an ELF file worth reading whole.
            guard let url = sources[path], let handle = FileHandle(forReadingAtPath: url.path) else { return nil }
            defer { try? handle.close() }
            return (try? handle.read(upToCount: 4)).map(Array.init)
        })
        // The zip is made right; say so where the folder was not.
        for entry in plan.entries where entry.entry.path == "bootstrap" && entry.entry.kind == .file {
            if let source = entry.source, let info = FileInfo(source), !info.isExecutable {
                findings.append(.warning("bootstrap is not executable on disk (\(LambdaChecks.octal(UInt32(info.mode)))); it is stored as 0755 in the zip"))
            }
        }
        return findings
    }

    public static func build(_ plan: ArtifactPlan, to destination: URL, options: PackagingOptions,
                             extraFindings: [Finding] = []) throws -> ArtifactResult {
        let fingerprint = Self.fingerprint(plan, options: options)
        let record = destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent).lambda-async.json")
        // The same inputs (every file's size, mtime and mode, the runtime, handler and architecture)
        // passed the checks when this zip was written: their warnings are the saved ones, and nothing
        // is read again. An unchanged run is then a walk of the tree.
        if !options.force, extraFindings.errors.isEmpty, let previous = Self.previous(record: record, fingerprint: fingerprint, zip: destination) {
            return ArtifactResult(name: plan.spec.name, kind: plan.spec.kind, path: destination.path, files: plan.fileCount,
                                  unzippedBytes: plan.unzippedBytes, zippedBytes: previous.zippedBytes,
                                  codeSha256: previous.codeSha256, sha256: previous.sha256, upToDate: true,
                                  warnings: previous.warnings + extraFindings.warnings)
        }
        let checked = check(plan)
        let findings = checked + extraFindings
        guard findings.errors.isEmpty else {
            throw PackagingError.checksFailed(artifact: plan.spec.name, findings: findings)
        }

        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Hashed as it is written: the zip is never read back.
        let (digest, size) = try write(plan, to: destination, options: options)
        var warnings = findings.warnings
        if size > Int64(LambdaQuotas.directUploadZipBytes) {
            warnings.append(.warning("\(destination.lastPathComponent) is \(ByteSize.describe(Int(size))), over the 50 MB Lambda takes in a direct upload: deploy it through S3 (sam deploy does)"))
        }
        let result = ArtifactResult(name: plan.spec.name, kind: plan.spec.kind, path: destination.path, files: plan.fileCount,
                                    unzippedBytes: plan.unzippedBytes, zippedBytes: size,
                                    codeSha256: Data(digest).base64EncodedString(), sha256: digest.hexString,
                                    upToDate: false, warnings: warnings)
        Self.save(record: record, fingerprint: fingerprint, result: result,
                  warnings: checked.warnings + warnings.filter { !findings.warnings.contains($0) })
        return result
    }

    /// Writes the zip with as many writers as the options allow (ShardedZip), or one.
    static func write(_ plan: ArtifactPlan, to destination: URL, options: PackagingOptions) throws -> (sha256: [UInt8], size: Int64) {
        let shards = ShardedZip.shardCount(for: plan, cores: options.parallelism)
        if shards > 1 {
            do {
                return try ShardedZip.write(plan, to: destination, options: options, shards: shards, add: add)
            } catch is ShardedZip.NeedsZip64 {
                // Past the classic zip's limits: one writer, which writes zip64 records itself.
            }
        }
        let writer = try ZipWriter(destination: destination, timestamp: options.timestamp, compressionLevel: options.compressionLevel)
        let total = plan.entries.count
        for (index, planned) in plan.entries.enumerated() {
            try add(writer, planned)
            if index % 64 == 0 || index == total - 1 { options.progress?(index + 1, total) }
        }
        try writer.commit()
        return (writer.sha256 ?? [], writer.size)
    }

    @Sendable static func add(_ writer: ZipWriter, _ planned: ArtifactPlan.Entry) throws {
        let entry = planned.entry
        switch entry.kind {
        case .directory: try writer.addDirectory(entry.path, permissions: entry.permissions)
        case .symlink(let target): try writer.addSymlink(entry.path, target: target)
        case .file: try writer.addFile(entry.path, permissions: entry.permissions, from: planned.source!)
        }
    }

    /// Streams a file through SHA-256.
    public static func sha256(of url: URL) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw ArchiveError.cannotRead(path: url.path, reason: "it cannot be opened")
        }
        defer { try? handle.close() }
        var hash = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { hash.update($0) }
        }
        return hash.finalize()
    }

    // MARK: Up to date

    private struct Record: Codable {
        let fingerprint: String
        let zippedBytes: Int64
        let codeSha256: String
        let sha256: String
        /// What the checks and the writing warned of, said again on an unchanged run.
        let warnings: [Finding]
    }

    /// Every input that decides the zip's bytes: paths, modes, sizes, mtimes, the options and our version.
    static func fingerprint(_ plan: ArtifactPlan, options: PackagingOptions) -> String {
        var hash = SHA256()
        // What the checks depend on besides the files: the runtime, the handler and the architecture.
        let header = "\(LambdaAsyncVersion.current)|\(plan.spec.kind.rawValue)|\(options.timestamp)|\(options.compressionLevel)|"
            + "\(plan.spec.runtime?.identifier ?? "")|\(plan.spec.handler ?? "")|\(plan.spec.architecture?.rawValue ?? "")\n"
        hash.update(Array(header.utf8))
        for entry in plan.entries {
            hash.update("\(entry.entry.path)|\(entry.entry.permissions)|\(entry.fingerprint)\n".utf8)
        }
        return hash.finalize().hexString
    }

    private static func previous(record: URL, fingerprint: String, zip: URL) -> Record? {
        guard let data = try? Data(contentsOf: record),
              let saved = try? JSONDecoder().decode(Record.self, from: data),
              saved.fingerprint == fingerprint,
              let size = (try? FileManager.default.attributesOfItem(atPath: zip.path)[.size] as? NSNumber)?.int64Value,
              size == saved.zippedBytes
        else { return nil }
        return saved
    }

    private static func save(record: URL, fingerprint: String, result: ArtifactResult, warnings: [Finding]) {
        let saved = Record(fingerprint: fingerprint, zippedBytes: result.zippedBytes, codeSha256: result.codeSha256, sha256: result.sha256,
                           warnings: warnings)
        // A missing record only costs a rebuild next time.
        try? JSONEncoder().encode(saved).write(to: record, options: .atomic)
    }
}
