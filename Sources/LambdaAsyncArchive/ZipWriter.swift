import CArchive
import Foundation
import LambdaAsyncCore

/// Writes a zip through libarchive with nothing that varies between builds: one timestamp,
/// owner 0:0, the permissions it is given, entries in the order they are added. It writes to a
/// temporary file beside the destination and renames it on `commit()`, so an interrupted or
/// failed run never leaves a broken zip in place.
public final class ZipWriter {
    /// 1980-01-01T00:00:00Z, the earliest time a zip's DOS timestamp can hold.
    public static let defaultTimestamp: Int = 315_532_800

    public let destination: URL
    private let temporary: URL
    private var archive: OpaquePointer?
    private let timestamp: Int
    private var committed = false
    /// The temporary file's descriptor and the hash of every byte written to it.
    private let sink: Sink
    /// SHA-256 of the zip's bytes, computed as libarchive wrote them (set by `commit()`): the zip is
    /// never read back to hash it.
    public private(set) var sha256: [UInt8]?
    /// The zip's size in bytes, once committed.
    public var size: Int64 { sink.size }

    /// Where libarchive's output goes: the temporary file, through SHA-256 on the way.
    final class Sink {
        let fd: Int32
        var hash = SHA256()
        var size: Int64 = 0
        var failure: Int32 = 0
        private var closed = false
        init(fd: Int32) { self.fd = fd }

        /// Closes the file once; the error of that close, or 0.
        func close() -> Int32 {
            guard !closed else { return 0 }
            closed = true
            return Glibc.close(fd) == 0 ? 0 : errno
        }

        func write(_ bytes: UnsafeRawBufferPointer) -> Int {
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return -1
                }
                offset += n
            }
            hash.update(bytes)
            size += Int64(bytes.count)
            return bytes.count
        }
    }

    /// - Parameters:
    ///   - timestamp: seconds since the epoch written on every entry (`SOURCE_DATE_EPOCH`).
    ///   - compressionLevel: deflate level 0-9.
    ///   - raw: no libarchive writer: the bytes come whole through `appendRaw` (a zip joined from shards).
    public init(destination: URL, timestamp: Int = ZipWriter.defaultTimestamp, compressionLevel: Int = 6, raw: Bool = false) throws {
        // libarchive converts mtimes to the zip's DOS time in local time: pin the zone so the
        // bytes do not depend on the machine's TZ.
        setenv("TZ", "UTC", 1)
        tzset()
        self.destination = destination
        self.timestamp = max(timestamp, Self.defaultTimestamp)
        // What an interrupted or killed run left beside the destination goes first.
        TemporaryFiles.sweep(destination.deletingLastPathComponent())
        temporary = TemporaryFiles.beside(destination)
        TemporaryFiles.track(temporary)
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            TemporaryFiles.untrack(temporary)
            throw ArchiveError.cannotCreate(path: destination.path, reason: String(cString: strerror(errno)))
        }
        sink = Sink(fd: fd)
        guard !raw else { return }
        guard let archive = archive_write_new() else {
            throw ArchiveError.cannotCreate(path: destination.path, reason: "libarchive could not allocate a writer")
        }
        self.archive = archive
        try check(archive_write_set_format_zip(archive), "setting the zip format")
        // Names are UTF-8, and flagged so (general purpose bit 11): without it, readers guess (Python's
        // zipfile decodes a non-ASCII name as code page 437).
        try check(archive_write_set_options(archive, "zip:compression=deflate,zip:compression-level=\(min(9, max(0, compressionLevel))),zip:hdrcharset=UTF-8"),
                  "setting the compression")
        // Unblocked and unpadded: the bytes are exactly the zip's, as with a file name.
        archive_write_set_bytes_per_block(archive, 0)
        archive_write_set_bytes_in_last_block(archive, 1)
        let opened = archive_write_open(archive, Unmanaged.passUnretained(sink).toOpaque(), nil, { _, client, buffer, length in
            guard let client, let buffer else { return -1 }
            return Unmanaged<Sink>.fromOpaque(client).takeUnretainedValue().write(UnsafeRawBufferPointer(start: buffer, count: length))
        }, nil)
        if opened != ARCHIVE_OK {
            let reason = String(cString: archive_error_string(archive))
            archive_write_free(archive)
            self.archive = nil
            throw ArchiveError.cannotCreate(path: destination.path, reason: reason)
        }
    }

    deinit {
        if let archive { archive_write_free(archive) }
        _ = sink.close()
        if !committed { try? FileManager.default.removeItem(at: temporary) }
        TemporaryFiles.untrack(temporary)
    }

    public func addDirectory(_ path: String, permissions: UInt32 = 0o755) throws {
        try write(ZipEntry(path: path, kind: .directory, permissions: permissions)) { _ in }
    }

    public func addSymlink(_ path: String, target: String) throws {
        try write(ZipEntry(path: path, kind: .symlink(target: target), permissions: 0o777)) { _ in }
    }

    public func addFile(_ path: String, permissions: UInt32, contents: [UInt8]) throws {
        try write(ZipEntry(path: path, kind: .file, permissions: permissions, size: Int64(contents.count))) { sink in
            try contents.withUnsafeBytes { try sink($0) }
        }
    }

    /// Streams a file from disk in fixed-size chunks: memory stays flat whatever its size.
    public func addFile(_ path: String, permissions: UInt32, from source: URL) throws {
        guard let handle = FileHandle(forReadingAtPath: source.path) else {
            throw ArchiveError.cannotRead(path: source.path, reason: "it cannot be opened")
        }
        defer { try? handle.close() }
        let size = (try? FileManager.default.attributesOfItem(atPath: source.path)[.size] as? NSNumber)?.int64Value ?? 0
        try write(ZipEntry(path: path, kind: .file, permissions: permissions, size: size)) { sink in
            var written: Int64 = 0
            while true {
                let chunk = try handle.read(upToCount: 1 << 16) ?? Data()
                if chunk.isEmpty { break }
                written += Int64(chunk.count)
                guard written <= size else { break }
                try chunk.withUnsafeBytes { try sink($0) }
            }
            guard written == size else {
                throw ArchiveError.cannotRead(path: source.path, reason: "it changed size while being packaged; run again")
            }
        }
    }

    /// Bytes of a zip assembled elsewhere, written and hashed as they are (raw mode).
    func appendRaw(_ bytes: UnsafeRawBufferPointer) throws {
        guard !committed, sink.write(bytes) == bytes.count else {
            throw ArchiveError.cannotCreate(path: destination.path, reason: String(cString: strerror(sink.failure)))
        }
    }

    /// Finishes the archive and moves it into place.
    public func commit() throws {
        guard !committed else { return }
        if let archive {
            try check(archive_write_close(archive), "finishing the zip")
            archive_write_free(archive)
            self.archive = nil
        }
        let closeError = sink.close()
        guard sink.failure == 0, closeError == 0 else {
            throw ArchiveError.cannotCreate(path: destination.path, reason: String(cString: strerror(sink.failure != 0 ? sink.failure : closeError)))
        }
        sha256 = sink.hash.finalize()
        // rename(2) is atomic within a file system: readers see the old zip or the new one.
        guard rename(temporary.path, destination.path) == 0 else {
            throw ArchiveError.cannotCreate(path: destination.path, reason: String(cString: strerror(errno)))
        }
        committed = true
    }

    private func write(_ entry: ZipEntry, body: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        guard let archive else { throw ArchiveError.cannotCreate(path: destination.path, reason: "the zip is already finished") }
        try ZipEntry.validate(entry.path)
        guard let header = archive_entry_new() else {
            throw ArchiveError.cannotCreate(path: destination.path, reason: "libarchive could not allocate an entry")
        }
        defer { archive_entry_free(header) }
        switch entry.kind {
        case .file:
            archive_entry_set_pathname_utf8(header, entry.path)
            archive_entry_set_filetype(header, cla_filetype_regular())
            archive_entry_set_size(header, entry.size)
        case .directory:
            archive_entry_set_pathname_utf8(header, entry.path + "/")
            archive_entry_set_filetype(header, cla_filetype_directory())
            archive_entry_set_size(header, 0)
        case .symlink(let target):
            archive_entry_set_pathname_utf8(header, entry.path)
            archive_entry_set_filetype(header, cla_filetype_symlink())
            archive_entry_set_symlink_utf8(header, target)
            archive_entry_set_size(header, 0)
        }
        archive_entry_set_perm(header, mode_t(entry.permissions & 0o7777))
        archive_entry_set_mtime(header, time_t(timestamp), 0)
        archive_entry_set_uid(header, 0)
        archive_entry_set_gid(header, 0)
        try check(archive_write_header(archive, header), "writing the entry \(entry.path)")
        try body { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = archive_write_data(archive, buffer.baseAddress! + offset, buffer.count - offset)
                guard n > 0 else {
                    throw ArchiveError.libarchive(operation: "writing \(entry.path)", path: self.destination.path,
                                                  message: String(cString: archive_error_string(archive)))
                }
                offset += n
            }
        }
        try check(archive_write_finish_entry(archive), "finishing the entry \(entry.path)")
    }

    private func check(_ status: Int32, _ operation: String) throws {
        guard status == ARCHIVE_OK || status == ARCHIVE_WARN else {
            let message = archive.flatMap { archive_error_string($0) }.map { String(cString: $0) } ?? "status \(status)"
            throw ArchiveError.libarchive(operation: operation, path: destination.path, message: message)
        }
    }
}
