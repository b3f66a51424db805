import CArchive
import Foundation

/// Unpacks a zip the way Lambda does into /var/task or /opt: modes kept, nothing written outside
/// the destination (no absolute paths, no `..`, no writing through symbolic links), and no setuid,
/// setgid or sticky bit: unpacked by root, a setuid file would hand root to anyone who runs it.
public enum ZipExtractor {
    public static func extract(_ zip: URL, into destination: URL) throws {
        guard FileManager.default.isReadableFile(atPath: zip.path) else {
            throw ArchiveError.cannotRead(path: zip.path, reason: "no such readable file")
        }
        try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        guard let reader = archive_read_new(), let writer = archive_write_disk_new() else {
            throw ArchiveError.cannotRead(path: zip.path, reason: "libarchive could not allocate a reader")
        }
        defer {
            archive_read_free(reader)
            archive_write_free(writer)
        }
        archive_read_support_format_zip_seekable(reader)
        // Entry paths are checked here (relative, no `..`) and then made absolute under the
        // destination, so libarchive's own absolute-path guard would refuse every entry.
        let flags = ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT
        archive_write_disk_set_options(writer, flags)
        func fail(_ archive: OpaquePointer, _ operation: String) -> ArchiveError {
            .libarchive(operation: operation, path: zip.path, message: String(cString: archive_error_string(archive)))
        }
        guard archive_read_open_filename(reader, zip.path, 1 << 16) == ARCHIVE_OK else { throw fail(reader, "opening the zip") }
        var entry: OpaquePointer?
        while true {
            let status = archive_read_next_header(reader, &entry)
            if status == ARCHIVE_EOF { break }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else { throw fail(reader, "reading an entry") }
            let path = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
            try ZipEntry.validate(path.hasSuffix("/") ? String(path.dropLast()) : path)
            archive_entry_set_pathname(entry, destination.appendingPathComponent(path).path)
            archive_entry_set_perm(entry, archive_entry_perm(entry) & 0o777)
            guard archive_write_header(writer, entry) == ARCHIVE_OK else { throw fail(writer, "unpacking \(path)") }
            var buffer: UnsafeRawPointer?
            var size = 0
            var offset: la_int64_t = 0
            while true {
                let result = archive_read_data_block(reader, &buffer, &size, &offset)
                if result == ARCHIVE_EOF { break }
                guard result == ARCHIVE_OK else { throw fail(reader, "reading \(path)") }
                guard archive_write_data_block(writer, buffer, size, offset) == ARCHIVE_OK else { throw fail(writer, "writing \(path)") }
            }
            archive_write_finish_entry(writer)
        }
    }
}
