import Foundation
import LambdaAsyncCore

/// `inspect`: the entries of a zip built by any tool, and what Lambda would make of them.
public struct ZipInspection: Sendable {
    public let path: String
    public let entries: [ZipEntry]
    public let zippedBytes: Int64
    /// What unpacking writes, counted from the central directory as an unpacker reads it.
    public let unpackedBytes: Int64
    public let codeSha256: String
    public let findings: [Finding]

    public init(zip: URL, as kind: ArtifactKind, runtime: LambdaRuntime? = nil, handler: String? = nil, architecture: Architecture? = nil) throws {
        guard FileManager.default.fileExists(atPath: zip.path) else {
            throw ArchiveError.cannotRead(path: zip.path, reason: "no such file")
        }
        // The layout first: a zip whose entries overlap is refused before anything reads their data.
        let layout: ZipLayout
        do { layout = try ZipLayout(zip: zip) } catch {
            throw ArchiveError.cannotRead(path: zip.path, reason: "\(error); if this is a zip, it may be corrupt: rebuild it or check it with `unzip -t`")
        }
        unpackedBytes = Int64(clamping: layout.unpackedBytes)
        let layoutFindings = layout.findings
        guard layoutFindings.errors.isEmpty else {
            path = zip.path
            entries = []
            zippedBytes = Int64(clamping: layout.fileSize)
            codeSha256 = Data(try Packager.sha256(of: zip)).base64EncodedString()
            findings = layoutFindings
            return
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
        findings += Self.privilegeFindings(entries)
        if unpackedBytes > Int64(LambdaQuotas.unzippedFunctionAndLayersBytes) {
            findings.append(.error("unpacked, it writes \(ByteSize.describe(Int(unpackedBytes))), over Lambda's 250 MB for a function and its layers"))
        }
        if zippedBytes > Int64(LambdaQuotas.directUploadZipBytes) {
            findings.append(.warning("the zip is \(ByteSize.describe(Int(zippedBytes))), over the 50 MB of a direct upload: deploy it through S3"))
        }
        self.findings = findings
    }

    /// Modes that mean nothing good in a function's code: setuid and setgid (Lambda runs code as an
    /// unprivileged user, so they do nothing there, and a tool unpacking as root would hand them to
    /// anyone) and files anyone may write.
    static func privilegeFindings(_ entries: [ZipEntry]) -> [Finding] {
        var findings: [Finding] = []
        for entry in entries where entry.kind == .file {
            let special = [(UInt32(0o4000), "setuid"), (0o2000, "setgid")].filter { entry.permissions & $0.0 != 0 }.map(\.1)
            if !special.isEmpty {
                findings.append(.warning("\(entry.path) is \(special.joined(separator: " and ")) (mode 0\(String(entry.permissions & 0o7777, radix: 8))): "
                                         + "Lambda ignores it, and unpacked by root elsewhere it runs with the owner's privileges; package it with chmod u-s,g-s"))
            }
            if entry.permissions & 0o002 != 0 {
                findings.append(.warning("\(entry.path) is writable by anyone (mode 0\(String(entry.permissions & 0o7777, radix: 8))): chmod o-w before packaging"))
            }
        }
        return findings
    }
}
