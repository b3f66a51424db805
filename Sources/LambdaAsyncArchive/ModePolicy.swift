import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Unix permissions an entry gets in the zip, whatever the umask or filesystem gave it.
///
/// Lambda runs code as a user that owns none of it, so every file must be world-readable; only
/// the files Lambda or a shell executes get 0755.
enum ModePolicy {
    static func permissions(for path: String, kind: ArtifactKind, onDisk info: FileInfo, source: URL) -> UInt32 {
        if mustBeExecutable(path, kind: kind) { return 0o755 }
        // An execute bit alone is often noise (files copied from Windows or FAT): it counts for
        // scripts and binaries only.
        if info.isExecutable, looksExecutable(head(of: source)) { return 0o755 }
        return 0o644
    }

    /// `bootstrap` at the root of a function, and every file directly in a layer's `extensions/`.
    static func mustBeExecutable(_ path: String, kind: ArtifactKind) -> Bool {
        switch kind {
        case .function, .bootstrap: return path == "bootstrap"
        case .layer: return isExtension(path)
        }
    }

    static func isExtension(_ path: String) -> Bool {
        path.hasPrefix("extensions/") && !path.dropFirst("extensions/".count).contains("/")
    }

    /// A shebang script, an ELF binary or a Mach-O binary.
    static func looksExecutable(_ head: [UInt8]) -> Bool {
        if head.starts(with: [0x23, 0x21]) { return true }  // "#!"
        if head.starts(with: [0x7F, 0x45, 0x4C, 0x46]) { return true }  // ELF
        if head.starts(with: [0xCF, 0xFA, 0xED, 0xFE]) || head.starts(with: [0xFE, 0xED, 0xFA, 0xCF]) { return true }
        return false
    }

    /// The first bytes of a file: enough for a magic number or a shebang line.
    static func head(of url: URL, count: Int = 256) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: url.path) else { return [] }
        defer { try? handle.close() }
        return Array((try? handle.read(upToCount: count)) ?? Data())
    }
}
