import Foundation
import LambdaAsyncCore

/// One zip built on every core. Deflate is the cost of packaging and one libarchive writer uses one
/// core, so contiguous runs of the plan's entries (balanced by bytes) are written by separate
/// writers at once, each to its own temporary zip; the shards are then joined: their local entries
/// in order, one central directory with each entry's offset moved, one end record. libarchive writes
/// local entries that do not depend on their position (sizes and CRCs follow the data), so the
/// joined bytes are exactly a single writer's (a test compares them byte for byte).
enum ShardedZip {
    /// Too big for the classic zip fields: a shard or the whole would need zip64 records, which the
    /// join does not rewrite. The caller builds the zip with one writer instead.
    struct NeedsZip64: Error {}

    /// Below this many bytes a second writer costs more than it saves.
    static let minimumBytes: Int64 = 4 << 20

    /// How many writers: one per core the process may use, at most one per 2 MiB of input.
    static func shardCount(for plan: ArtifactPlan, cores: Int) -> Int {
        guard plan.unzippedBytes >= minimumBytes, cores > 1 else { return 1 }
        return max(1, min(cores, Int(plan.unzippedBytes / (2 << 20)), plan.entries.count))
    }

    /// Contiguous ranges of the entries with about the same number of bytes each.
    static func ranges(of entries: [ArtifactPlan.Entry], into shards: Int) -> [Range<Int>] {
        let total = entries.reduce(Int64(0)) { $0 + max($1.entry.size, 1) }
        var ranges: [Range<Int>] = []
        var start = 0, sum: Int64 = 0
        for (index, planned) in entries.enumerated() {
            sum += max(planned.entry.size, 1)
            if ranges.count < shards - 1, sum * Int64(shards) >= total * Int64(ranges.count + 1) {
                ranges.append(start..<(index + 1))
                start = index + 1
            }
        }
        if start < entries.count || ranges.isEmpty { ranges.append(start..<entries.count) }
        return ranges.filter { !$0.isEmpty }
    }

    /// Writes `plan`'s zip to `destination` with `shards` writers; returns its SHA-256 and size.
    static func write(_ plan: ArtifactPlan, to destination: URL, options: PackagingOptions, shards: Int,
                      add: @escaping @Sendable (ZipWriter, ArtifactPlan.Entry) throws -> Void) throws -> (sha256: [UInt8], size: Int64) {
        let ranges = ranges(of: plan.entries, into: shards)
        let parts = ranges.map { _ in TemporaryFiles.beside(destination) }
        parts.forEach(TemporaryFiles.track)
        defer {
            for part in parts {
                try? FileManager.default.removeItem(at: part)
                TemporaryFiles.untrack(part)
            }
        }
        let failures = Locked<[Error]>([])
        let done = Locked(0)
        let entries = plan.entries
        DispatchQueue.concurrentPerform(iterations: ranges.count) { shard in
            do {
                let writer = try ZipWriter(destination: parts[shard], timestamp: options.timestamp, compressionLevel: options.compressionLevel)
                for index in ranges[shard] {
                    try add(writer, entries[index])
                    let count = done.withLock { count in
                        count += 1
                        return count
                    }
                    if count % 64 == 0 || count == entries.count { options.progress?(count, entries.count) }
                }
                try writer.commit()
            } catch {
                failures.withLock { $0.append(error) }
            }
        }
        if let error = failures.current.first { throw error }
        return try join(parts, into: destination)
    }

    /// The shards' local entries one after another, then one central directory and end record.
    static func join(_ parts: [URL], into destination: URL) throws -> (sha256: [UInt8], size: Int64) {
        let output = try ZipWriter(destination: destination, raw: true)
        var directory: [UInt8] = []
        var offset: UInt64 = 0
        var count = 0
        for part in parts {
            guard let handle = FileHandle(forReadingAtPath: part.path) else {
                throw ArchiveError.cannotRead(path: part.path, reason: "a shard of the zip cannot be opened")
            }
            defer { try? handle.close() }
            let size = try handle.seekToEnd()
            guard size >= 22 else { throw ArchiveError.cannotRead(path: part.path, reason: "a shard of the zip is truncated") }
            try handle.seek(toOffset: size - 22)
            let end = Array(try handle.read(upToCount: 22) ?? Data())
            // The end record, with no comment and no zip64 records before it.
            guard end.count == 22, le32(end, 0) == 0x0605_4b50, le16(end, 20) == 0 else { throw NeedsZip64() }
            let entries = Int(le16(end, 10)), directorySize = UInt64(le32(end, 12)), directoryOffset = UInt64(le32(end, 16))
            guard entries != 0xFFFF, directorySize != 0xFFFF_FFFF, directoryOffset != 0xFFFF_FFFF,
                  directoryOffset + directorySize + 22 == size else { throw NeedsZip64() }
            // Local entries, copied in chunks: memory stays flat.
            try handle.seek(toOffset: 0)
            var remaining = directoryOffset
            while remaining > 0 {
                let chunk = try handle.read(upToCount: Int(min(remaining, 1 << 20))) ?? Data()
                guard !chunk.isEmpty else { throw ArchiveError.cannotRead(path: part.path, reason: "a shard of the zip ended early") }
                try chunk.withUnsafeBytes { try output.appendRaw($0) }
                remaining -= UInt64(chunk.count)
            }
            // Its central directory, each entry's local header offset moved by what came before.
            var records = Array(try handle.read(upToCount: Int(directorySize)) ?? Data())
            var at = 0
            for _ in 0..<entries {
                guard at + 46 <= records.count, le32(records, at) == 0x0201_4b50 else {
                    throw ArchiveError.cannotRead(path: part.path, reason: "a shard's central directory is malformed")
                }
                let moved = UInt64(le32(records, at + 42)) + offset
                guard moved < 0xFFFF_FFFF else { throw NeedsZip64() }
                put32(&records, at + 42, UInt32(moved))
                at += 46 + Int(le16(records, at + 28)) + Int(le16(records, at + 30)) + Int(le16(records, at + 32))
            }
            directory += records
            offset += directoryOffset
            count += entries
        }
        guard count < 0xFFFF, offset + UInt64(directory.count) < 0xFFFF_FFFF else { throw NeedsZip64() }
        var end = [UInt8](repeating: 0, count: 22)
        put32(&end, 0, 0x0605_4b50)
        put16(&end, 8, UInt16(count))
        put16(&end, 10, UInt16(count))
        put32(&end, 12, UInt32(directory.count))
        put32(&end, 16, UInt32(offset))
        try directory.withUnsafeBytes { try output.appendRaw($0) }
        try end.withUnsafeBytes { try output.appendRaw($0) }
        try output.commit()
        return (output.sha256 ?? [], output.size)
    }

    private static func le16(_ bytes: [UInt8], _ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
    private static func le32(_ bytes: [UInt8], _ at: Int) -> UInt32 { (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * $1) } }
    private static func put16(_ bytes: inout [UInt8], _ at: Int, _ value: UInt16) {
        bytes[at] = UInt8(value & 0xFF)
        bytes[at + 1] = UInt8(value >> 8)
    }
    private static func put32(_ bytes: inout [UInt8], _ at: Int, _ value: UInt32) {
        for index in 0..<4 { bytes[at + index] = UInt8((value >> (8 * UInt32(index))) & 0xFF) }
    }
}
