/// What the dynamic loader needs from an ELF file, read from its bytes: the CPU it is built for, the
/// libraries it names (`DT_NEEDED`), and the symbol versions it requires from them (`.gnu.version_r`,
/// for example `GLIBC_2.35` for `hypot`). Enough to say, before a zip ships, whether Lambda's loader
/// will accept it. Only what the loader reads is parsed; anything malformed reads as "not ELF".
public struct ELFFile: Sendable, Equatable {
    public enum Machine: Sendable, Hashable, CustomStringConvertible {
        case x86_64, aarch64
        case other(UInt16)

        public var description: String {
            switch self {
            case .x86_64: return "x86_64"
            case .aarch64: return "arm64 (aarch64)"
            case .other(let number): return "machine \(number)"
            }
        }
    }

    /// A version a library must provide, and the undefined symbols that ask for it.
    public struct VersionNeed: Sendable, Equatable {
        public let library: String
        public let version: String
        public var symbols: [String]
    }

    public let is64Bit: Bool
    public let machine: Machine
    /// `ET_EXEC` or `ET_DYN` with an interpreter: a program rather than a library.
    public let isExecutable: Bool
    /// Statically linked: no `PT_INTERP`, no `DT_NEEDED`.
    public var isStatic: Bool { interpreter == nil && needed.isEmpty }
    public let interpreter: String?
    public let needed: [String]
    public let versionNeeds: [VersionNeed]

    /// The four bytes every ELF file starts with.
    public static func hasMagic(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x7F && bytes[1] == 0x45 && bytes[2] == 0x4C && bytes[3] == 0x46
    }

    /// Nil when the bytes are not a little-endian ELF file this reader understands.
    public init?(_ bytes: [UInt8]) {
        guard Self.hasMagic(bytes), bytes.count >= 52, bytes[5] == 1 /* little-endian */ else { return nil }
        let reader = Reader(bytes: bytes, wide: bytes[4] == 2)
        is64Bit = reader.wide
        guard let type = reader.u16(16), let machineNumber = reader.u16(18) else { return nil }
        switch machineNumber {
        case 62: machine = .x86_64
        case 183: machine = .aarch64
        default: machine = .other(machineNumber)
        }
        let (phoff, shoff) = reader.wide ? (reader.word(32), reader.word(40)) : (reader.word(28), reader.word(32))
        let (phentsize, phnum, shentsize, shnum) = reader.wide
            ? (reader.u16(54), reader.u16(56), reader.u16(58), reader.u16(60))
            : (reader.u16(42), reader.u16(44), reader.u16(46), reader.u16(48))
        guard let phoff, let shoff, let phentsize, let phnum, let shentsize, let shnum else { return nil }

        // The interpreter from the program headers (PT_INTERP = 3).
        var interpreter: String?
        for index in 0..<Int(phnum) {
            let header = Int(phoff) + index * Int(phentsize)
            guard reader.u32(header) == 3 else { continue }
            let offset = reader.wide ? reader.word(header + 8) : reader.word(header + 4)
            let size = reader.wide ? reader.word(header + 32) : reader.word(header + 16)
            if let offset, let size { interpreter = reader.string(Int(offset), limit: Int(size)) }
        }
        self.interpreter = interpreter
        isExecutable = type == 2 || (type == 3 && interpreter != nil)

        // Sections: .dynamic (6), .dynsym (11), .gnu.version (0x6fffffff), .gnu.version_r (0x6ffffffe).
        struct Section { let type: UInt32; let offset: Int; let size: Int; let link: Int; let entrySize: Int }
        var sections: [Section] = []
        for index in 0..<Int(shnum) {
            let header = Int(shoff) + index * Int(shentsize)
            guard let type = reader.u32(header + 4) else { return nil }
            let fields = reader.wide
                ? (reader.word(header + 24), reader.word(header + 32), reader.u32(header + 40), reader.word(header + 56))
                : (reader.word(header + 16), reader.word(header + 20), reader.u32(header + 24), reader.word(header + 36))
            guard let offset = fields.0, let size = fields.1, let link = fields.2, let entrySize = fields.3 else { return nil }
            sections.append(Section(type: type, offset: Int(offset), size: Int(size), link: Int(link), entrySize: Int(entrySize)))
        }
        func strings(of section: Section) -> Section? { section.link < sections.count ? sections[section.link] : nil }

        var needed: [String] = []
        if let dynamic = sections.first(where: { $0.type == 6 }), let table = strings(of: dynamic) {
            let step = reader.wide ? 16 : 8
            var at = dynamic.offset
            while at + step <= dynamic.offset + dynamic.size, let tag = reader.word(at), tag != 0 {
                if tag == 1, let value = reader.word(at + step / 2), let name = reader.string(table.offset + Int(value)) {
                    needed.append(name)
                }
                at += step
            }
        }
        self.needed = needed

        // Version needs: each library's required versions, by the index symbols refer to them with.
        var needs: [UInt16: VersionNeed] = [:]
        if let versionR = sections.first(where: { $0.type == 0x6fff_fffe }), let table = strings(of: versionR) {
            var entry = versionR.offset
            for _ in 0..<64 {
                guard let count = reader.u16(entry + 2), let file = reader.u32(entry + 4), let auxOffset = reader.u32(entry + 8),
                      let next = reader.u32(entry + 12), let library = reader.string(table.offset + Int(file)) else { break }
                var aux = entry + Int(auxOffset)
                for _ in 0..<Int(count) {
                    guard let other = reader.u16(aux + 6), let name = reader.u32(aux + 8), let auxNext = reader.u32(aux + 12),
                          let version = reader.string(table.offset + Int(name)) else { break }
                    needs[other & 0x7fff] = VersionNeed(library: library, version: version, symbols: [])
                    if auxNext == 0 { break }
                    aux += Int(auxNext)
                }
                if next == 0 { break }
                entry += Int(next)
            }
        }
        // Which undefined symbols ask for which version (.gnu.version runs parallel to .dynsym).
        if !needs.isEmpty, let symbols = sections.first(where: { $0.type == 11 }), let table = strings(of: symbols),
           let versions = sections.first(where: { $0.type == 0x6fff_ffff }), symbols.entrySize > 0 {
            let count = min(symbols.size / symbols.entrySize, versions.size / 2)
            for index in 1..<max(1, count) {
                let symbol = symbols.offset + index * symbols.entrySize
                let (nameOffset, sectionIndex) = reader.wide ? (reader.u32(symbol), reader.u16(symbol + 6)) : (reader.u32(symbol), reader.u16(symbol + 14))
                guard let version = reader.u16(versions.offset + index * 2).map({ $0 & 0x7fff }), needs[version] != nil,
                      sectionIndex == 0, let nameOffset, let name = reader.string(table.offset + Int(nameOffset)), !name.isEmpty else { continue }
                needs[version]!.symbols.append(name)
            }
        }
        versionNeeds = needs.values.sorted { ($0.library, $0.version) < ($1.library, $1.version) }
    }

    /// Bounds-checked little-endian reads.
    private struct Reader {
        let bytes: [UInt8]
        let wide: Bool

        func u16(_ at: Int) -> UInt16? {
            guard at >= 0, at + 2 <= bytes.count else { return nil }
            return UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
        }

        func u32(_ at: Int) -> UInt32? {
            guard at >= 0, at + 4 <= bytes.count else { return nil }
            return (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * $1) }
        }

        /// An address, offset or size: 8 bytes in ELF64, 4 in ELF32.
        func word(_ at: Int) -> UInt64? {
            if !wide { return u32(at).map(UInt64.init) }
            guard at >= 0, at + 8 <= bytes.count else { return nil }
            let value = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * $1) }
            return value <= UInt64(Int.max) ? value : nil
        }

        func string(_ at: Int, limit: Int = 4096) -> String? {
            guard at >= 0, at < bytes.count else { return nil }
            let end = bytes[at..<min(bytes.count, at + limit)].firstIndex(of: 0) ?? min(bytes.count, at + limit)
            return String(decoding: bytes[at..<end], as: UTF8.self)
        }
    }
}

extension ELFFile {
    /// "GLIBC_2.35" → [2, 35]; nil for names without a dotted number after the prefix.
    static func versionNumbers(_ version: String, prefix: String) -> [Int]? {
        guard version.hasPrefix(prefix) else { return nil }
        let numbers = version.dropFirst(prefix.count).split(separator: ".").map { Int($0) }
        guard !numbers.isEmpty, numbers.allSatisfy({ $0 != nil }) else { return nil }
        return numbers.map { $0! }
    }

    /// The highest version with `prefix` this file needs (`GLIBC_`, `GLIBCXX_`), with the symbols asking for it.
    public func highestVersion(prefix: String) -> (version: String, numbers: [Int], symbols: [String])? {
        versionNeeds.compactMap { need in Self.versionNumbers(need.version, prefix: prefix).map { (need.version, $0, need.symbols) } }
            .max { $0.1.lexicographicallyPrecedes($1.1) }
    }

    /// Every version with `prefix` newer than `limit`, highest first, with their symbols.
    public func versions(prefix: String, newerThan limit: [Int]) -> [VersionNeed] {
        versionNeeds.filter { need in
            guard let numbers = Self.versionNumbers(need.version, prefix: prefix) else { return false }
            return limit.lexicographicallyPrecedes(numbers)
        }
        .sorted { (Self.versionNumbers($1.version, prefix: prefix) ?? []).lexicographicallyPrecedes(Self.versionNumbers($0.version, prefix: prefix) ?? []) }
    }
}
