import Foundation
import LambdaAsyncCore

/// Where a zip's entries lie, read from its central directory as an unpacker reads it: each entry's
/// local header and data, and what unpacking writes. Entries whose bytes overlap (a zip bomb's trick:
/// a few megabytes that unpack to gigabytes) or lie past the end are what `inspect` must refuse; the
/// sizes are counted as unpacking would write them, whatever the reader that listed the entries says.
public struct ZipLayout: Sendable {
    public struct Entry: Sendable {
        public let name: String
        public let localHeaderOffset: UInt64
        public let compressedSize: UInt64
        public let uncompressedSize: UInt64
    }

    public let entries: [Entry]
    public let centralDirectoryOffset: UInt64
    public let fileSize: UInt64

    /// The bytes unpacking writes: every entry's uncompressed size, as the central directory gives it.
    public var unpackedBytes: UInt64 { entries.reduce(0) { $0 &+ $1.uncompressedSize } }

    public enum Problem: Error, CustomStringConvertible {
        case unreadable(String)
        public var description: String { if case .unreadable(let why) = self { return why }; return "" }
    }

    public init(zip: URL) throws {
        let data = try Data(contentsOf: zip, options: .alwaysMapped)
        let bytes = [UInt8](data)
        fileSize = UInt64(bytes.count)
        func u16(_ at: Int) -> UInt64 { at + 2 <= bytes.count ? UInt64(bytes[at]) | UInt64(bytes[at + 1]) << 8 : 0 }
        func u32(_ at: Int) -> UInt64 { u16(at) | u16(at + 2) << 16 }
        func u64(_ at: Int) -> UInt64 { u32(at) | u32(at + 4) << 32 }
        // The end of central directory record: within the last 64 KiB and 22 bytes (its comment may precede the end).
        guard bytes.count >= 22, let end = stride(from: bytes.count - 22, through: max(0, bytes.count - 22 - 65_535), by: -1)
            .first(where: { u32($0) == 0x0605_4b50 }) else {
            throw Problem.unreadable("no end of central directory record: not a zip, or cut short")
        }
        var count = u16(end + 10)
        var directoryOffset = u32(end + 16)
        // Zip64: the locator just before, pointing at the zip64 end record.
        if count == 0xFFFF || directoryOffset == 0xFFFF_FFFF, end >= 20, u32(end - 20) == 0x0706_4b50 {
            let record = Int(clamping: u64(end - 20 + 8))
            if record + 56 <= bytes.count, u32(record) == 0x0606_4b50 {
                count = u64(record + 32)
                directoryOffset = u64(record + 48)
            }
        }
        centralDirectoryOffset = directoryOffset
        var entries: [Entry] = []
        var at = Int(clamping: directoryOffset)
        for _ in 0..<min(count, 1 << 24) {
            guard at + 46 <= bytes.count, u32(at) == 0x0201_4b50 else {
                throw Problem.unreadable("the central directory is cut short or damaged at byte \(at)")
            }
            var compressed = u32(at + 20), uncompressed = u32(at + 24), offset = u32(at + 42)
            let nameLength = Int(u16(at + 28)), extraLength = Int(u16(at + 30)), commentLength = Int(u16(at + 32))
            let nameEnd = min(bytes.count, at + 46 + nameLength)
            let name = String(decoding: bytes[(at + 46)..<nameEnd], as: UTF8.self)
            // Zip64 extra field (0x0001): the 64-bit values of those fields set to 0xFFFFFFFF, in this order.
            var extra = at + 46 + nameLength
            let extraEnd = min(bytes.count, extra + extraLength)
            while extra + 4 <= extraEnd {
                let id = u16(extra), size = Int(u16(extra + 2))
                if id == 0x0001 {
                    var field = extra + 4
                    if uncompressed == 0xFFFF_FFFF { uncompressed = u64(field); field += 8 }
                    if compressed == 0xFFFF_FFFF { compressed = u64(field); field += 8 }
                    if offset == 0xFFFF_FFFF { offset = u64(field) }
                }
                extra += 4 + size
            }
            entries.append(Entry(name: name, localHeaderOffset: offset, compressedSize: compressed, uncompressedSize: uncompressed))
            at += 46 + nameLength + extraLength + commentLength
        }
        self.entries = entries
        // Each entry's data runs from its local header (30 bytes, its own name and extra) for its compressed size.
        spans = entries.map { entry in
            let header = Int(clamping: entry.localHeaderOffset)
            let local = header + 30 <= bytes.count && u32(header) == 0x0403_4b50 ? 30 + u16(header + 26) + u16(header + 28) : 30
            return (entry.name, entry.localHeaderOffset, entry.localHeaderOffset &+ local &+ entry.compressedSize)
        }
    }

    /// Each entry's bytes: its name, where its local header starts, where its data ends.
    let spans: [(name: String, start: UInt64, end: UInt64)]

    /// What an unpacker would trip on: entries sharing bytes, data past the central directory or the file.
    public var findings: [Finding] {
        var findings: [Finding] = []
        let sorted = spans.sorted { $0.start < $1.start }
        var shared = 0
        var example: (String, String)?
        for (previous, next) in zip(sorted, sorted.dropFirst()) where next.start < previous.end {
            shared += 1
            if example == nil { example = (previous.name, next.name) }
        }
        if let (first, second) = example {
            findings.append(.error("\(shared + 1) entries share their bytes (\(first) and \(second), for one): unpacked, they write "
                                   + "\(ByteSize.describe(Int(clamping: unpackedBytes))) from a \(ByteSize.describe(Int(clamping: fileSize))) zip; "
                                   + "no packaging tool makes such a zip: it is a zip bomb, or damaged"))
        }
        if let beyond = spans.first(where: { $0.end > centralDirectoryOffset || $0.end > fileSize }) {
            findings.append(.error("\(beyond.name)'s data runs past the central directory or the end of the file: the zip is damaged"))
        }
        return findings
    }
}
