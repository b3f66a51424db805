import Foundation
import LambdaAsyncCore

/// `inspect`: the entries of a zip built by any tool, and what Lambda would make of them.
public struct ZipInspection: Sendable {
    public let path: String
    public let entries: [ZipEntry]
    public let zippedBytes: Int64
    public let codeSha256: String
    public let findings: [Finding]

    public init(zip: URL, as kind: ArtifactKind, runtime: LambdaRuntime? = nil, handler: String? = nil, architecture: Architecture? = nil) throws {
        guard FileManager.default.fileExists(atPath: zip.path) else {
            throw ArchiveError.cannotRead(path: zip.path, reason: "no such file")
        }
        // Only the files the checks read are kept in memory.
        let (entries, contents) = try ZipReader.read(zip) { entry in
            // Native code is read whole (an ELF file's section headers come last); sources, their start.
            if NativeCodeChecks.mayBeNative(entry) { return 1 << 30 }
            let path = entry.path
            let source = path == "bootstrap" || ModePolicy.isExtension(path) || path.hasSuffix(".py") || path.hasSuffix(".js")
                || path.hasSuffix(".mjs") || path.hasSuffix(".cjs")
            return source ? 1 << 20 : 0
        }
        self.path = zip.path
        self.entries = entries
        zippedBytes = (try FileManager.default.attributesOfItem(atPath: zip.path)[.size] as? NSNumber)?.int64Value ?? 0
        codeSha256 = Data(try Packager.sha256(of: zip)).base64EncodedString()
        var findings = LambdaChecks(kind: kind, runtime: runtime, handler: handler, architecture: architecture).run(entries) { contents[$0] }
        if entries.isEmpty { findings.append(.error("the zip is empty")) }
        if zippedBytes > Int64(LambdaQuotas.directUploadZipBytes) {
            findings.append(.warning("the zip is \(ByteSize.describe(Int(zippedBytes))), over the 50 MB of a direct upload: deploy it through S3"))
        }
        self.findings = findings
    }
}
