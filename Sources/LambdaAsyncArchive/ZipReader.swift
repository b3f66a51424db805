import CArchive
import Foundation

/// Lists a zip's entries through libarchive's seekable reader, which trusts the central
/// directory: that is where the Unix modes Lambda honours are stored.
public enum ZipReader {
    public static func entries(of zip: URL) throws -> [ZipEntry] {
        try read(zip, keepingContentsOf: { _ in 0 }).entries
    }

    /// Lists the entries and keeps the bytes of those `keep` selects, up to the number of bytes it
    /// says for each (a shebang line or a handler's source needs 1 MiB; an ELF file, all of it).
    public static func read(_ zip: URL, keepingContentsOf keep: (ZipEntry) -> Int) throws -> (entries: [ZipEntry], contents: [String: [UInt8]]) {
        guard FileManager.default.isReadableFile(atPath: zip.path) else {
            throw ArchiveError.cannotRead(path: zip.path, reason: "no such readable file")
        }
        guard let archive = archive_read_new() else {
            throw ArchiveError.cannotRead(path: zip.path, reason: "libarchive could not allocate a reader")
        }
        defer { archive_read_free(archive) }
        archive_read_support_format_zip_seekable(archive)
        func fail(_ operation: String) -> ArchiveError {
            .libarchive(operation: operation, path: zip.path, message: String(cString: archive_error_string(archive)))
        }
        guard archive_read_open_filename(archive, zip.path, 1 << 16) == ARCHIVE_OK else { throw fail("opening the zip") }
        var result: [ZipEntry] = []
        var contents: [String: [UInt8]] = [:]
        var header: OpaquePointer?
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let status = archive_read_next_header(archive, &header)
            if status == ARCHIVE_EOF { break }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let header else { throw fail("reading an entry header") }
            var path = archive_entry_pathname_utf8(header).map { String(cString: $0) }
                ?? archive_entry_pathname(header).map { String(cString: $0) } ?? ""
            let type = UInt32(archive_entry_filetype(header))
            let kind: ZipEntry.Kind
            if type == cla_filetype_directory() {
                kind = .directory
                if path.hasSuffix("/") { path.removeLast() }
            } else if type == cla_filetype_symlink() {
                kind = .symlink(target: archive_entry_symlink(header).map { String(cString: $0) } ?? "")
            } else {
                kind = .file
            }
            let entry = ZipEntry(path: path, kind: kind, permissions: UInt32(archive_entry_perm(header)), size: archive_entry_size(header))
            result.append(entry)
            // Reading the data through checks every entry's CRC: a corrupt zip fails here.
            let limit = kind == .file ? keep(entry) : 0
            let kept = limit > 0
            var bytes: [UInt8] = []
            var n = 0
            repeat {
                n = buffer.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress, $0.count) }
                if kept, n > 0, bytes.count < limit { bytes += buffer[..<n] }
            } while n > 0
            if kept { contents[path] = bytes }
            guard n == 0 else { throw fail("reading \(path)") }
        }
        return (result, contents)
    }
}
