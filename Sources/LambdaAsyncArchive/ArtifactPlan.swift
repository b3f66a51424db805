import Foundation
import LambdaAsyncCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The entries of one zip, in the order they will be written, with the modes Lambda needs.
///
/// Planning reads metadata and at most the first bytes of executables; file contents are
/// streamed only when the zip is written.
public struct ArtifactPlan: Sendable {
    public struct Entry: Sendable, Equatable {
        public var entry: ZipEntry
        /// The file on disk for `.file` entries.
        public var source: URL?
        /// Size, mtime and on-disk mode: what the up-to-date check compares.
        public var fingerprint: String
    }

    public let spec: ArtifactSpec
    /// Sorted by path in byte order: the same tree always gives the same zip.
    public let entries: [Entry]
    /// Problems found while walking (links that leave the tree, unreadable files).
    public let findings: [Finding]

    public var fileCount: Int { entries.filter { $0.entry.kind == .file }.count }
    public var unzippedBytes: Int64 { entries.reduce(0) { $0 + $1.entry.size } }
    public var zipEntries: [ZipEntry] { entries.map(\.entry) }

    public init(spec: ArtifactSpec) throws {
        self.spec = spec
        var byPath: [String: Entry] = [:]
        var findings: [Finding] = []
        let matcher = ExcludeMatcher(patterns: ArtifactSpec.defaultExcludes + spec.excludes)
        for source in spec.sources {
            let prefixParts = source.prefix.split(separator: "/").map(String.init)
            for depth in prefixParts.indices {
                let path = prefixParts[...depth].joined(separator: "/")
                byPath[path] = Entry(entry: ZipEntry(path: path, kind: .directory, permissions: 0o755), source: nil, fingerprint: "d")
            }
            func archivePath(_ relative: String) -> String {
                source.prefix.isEmpty ? relative : source.prefix + "/" + relative
            }
            if let name = source.singleFileName {
                guard let info = FileInfo(source.root), info.isRegularFile else {
                    throw PackagingError.missingInput("\(source.root.path) is not a file: pass the path of the executable to package")
                }
                let path = archivePath(name)
                byPath[path] = Entry(entry: ZipEntry(path: path, kind: .file, permissions: 0o755, size: info.size),
                                     source: source.root, fingerprint: info.fingerprint)
                continue
            }
            guard let rootInfo = FileInfo(source.root), rootInfo.isDirectory else {
                throw PackagingError.missingInput("\(source.root.path) is not a folder: pass the folder that holds the code")
            }
            try Self.walk(source.root, relative: "", matcher: matcher) { relative, url, info in
                let path = archivePath(relative)
                if info.isDirectory {
                    byPath[path] = Entry(entry: ZipEntry(path: path, kind: .directory, permissions: 0o755), source: nil, fingerprint: "d")
                } else if info.isSymlink {
                    // A link out of the tree is refused by LambdaChecks, on the zip's entries, once.
                    let target = info.linkTarget ?? ""
                    byPath[path] = Entry(entry: ZipEntry(path: path, kind: .symlink(target: target), permissions: 0o777, size: Int64(target.utf8.count)),
                                         source: nil, fingerprint: "l:" + target)
                } else if info.isRegularFile {
                    // The mode answers for most files; access(2) only where it cannot (ACLs, other owners).
                    guard info.readableByMode || access(url.path, R_OK) == 0 else {
                        findings.append(.error("\(url.path) cannot be read; fix its permissions (chmod a+r) or exclude it"))
                        return
                    }
                    let permissions = ModePolicy.permissions(for: path, kind: spec.kind, onDisk: info, source: url)
                    byPath[path] = Entry(entry: ZipEntry(path: path, kind: .file, permissions: permissions, size: info.size),
                                         source: url, fingerprint: info.fingerprint)
                } else {
                    // Sockets, devices and FIFOs have no place in a zip: left out, and said.
                    findings.append(.warning("\(url.path) is \(info.specialKind), which a zip cannot hold: left out (exclude it to silence this)"))
                }
            }
        }
        // Swift's String comparison is by Unicode scalars, which for UTF-8 is byte order.
        // Byte order, compared in place (no copy of the bytes per comparison).
        entries = byPath.values.sorted { $0.entry.path.utf8.lexicographicallyPrecedes($1.entry.path.utf8) }
        self.findings = findings
    }

    /// Depth-first walk, children in byte order, excluded names never entered.
    private static func walk(_ directory: URL, relative: String, matcher: ExcludeMatcher,
                             visit: (String, URL, FileInfo) throws -> Void) throws {
        // The top folder's entries are gathered on every core at once (a tree's cost is one lstat per
        // file), then visited in order, so the result is the same as one walk's.
        let top = try listing(directory.path, relative: relative, matcher: matcher)
        // Each top-level folder's gathered entries, one slot each, filled from several threads.
        let subtrees = Locked<[Result<[(String, String, FileInfo)], Error>?]>(Array(repeating: nil, count: top.count))
        DispatchQueue.concurrentPerform(iterations: top.count) { index in
            let (childRelative, path, info) = top[index]
            guard info.isDirectory else { return }
            let gathered = Result { try gather(path: path, relative: childRelative, matcher: matcher) }
            subtrees.withLock { $0[index] = gathered }
        }
        for (index, (childRelative, path, info)) in top.enumerated() {
            try visit(childRelative, URL(fileURLWithPath: path, isDirectory: info.isDirectory), info)
            for (relative, path, info) in try subtrees.withLock({ $0[index] })?.get() ?? [] {
                try visit(relative, URL(fileURLWithPath: path, isDirectory: info.isDirectory), info)
            }
        }
    }

    /// A folder's entries in byte order, excluded names left out: (relative path, path, lstat).
    private static func listing(_ directory: String, relative: String, matcher: ExcludeMatcher) throws -> [(String, String, FileInfo)] {
        let names = try Self.names(in: directory)
        return names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).compactMap { name in
            let childRelative = relative.isEmpty ? name : relative + "/" + name
            if matcher.excludes(relativePath: childRelative, name: name) { return nil }
            // On path strings: building a URL per file by appending to its folder's was a fifth of an
            // unchanged run's time on 10,000 files.
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            return FileInfo(path: path).map { (childRelative, path, $0) }
        }
    }

    /// A folder's names as the kernel gives them. A name that is not UTF-8 cannot be written in a zip
    /// that Lambda (and every reader) decodes as UTF-8: refused, with its bytes shown, not left out.
    static func names(in directory: String) throws -> [String] {
        guard let stream = opendir(directory) else {
            throw PackagingError.missingInput("cannot list \(directory): \(String(cString: strerror(errno)))")
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if bytes == [0x2E] || bytes == [0x2E, 0x2E] { continue }
            guard let name = String(validating: bytes, as: UTF8.self) else {
                let shown = bytes.map { $0 >= 0x20 && $0 < 0x7F ? String(UnicodeScalar($0)) : String(format: "\\x%02x", $0) }.joined()
                throw PackagingError.missingInput("\(directory)/\(shown) has a name that is not UTF-8, which a zip for Lambda cannot hold: "
                                                  + "rename it (for example with convmv) or exclude it")
            }
            names.append(name)
        }
        return names
    }

    /// Everything under a folder, depth first, in the order one walk visits it.
    private static func gather(path directory: String, relative: String, matcher: ExcludeMatcher) throws -> [(String, String, FileInfo)] {
        var all: [(String, String, FileInfo)] = []
        for entry in try listing(directory, relative: relative, matcher: matcher) {
            all.append(entry)
            if entry.2.isDirectory { all += try gather(path: entry.1, relative: entry.0, matcher: matcher) }
        }
        return all
    }

    /// Why a link's target is not inside the tree, or nil when it is.
    static func escapes(link: String, target: String) -> String? {
        if target.hasPrefix("/") { return "an absolute path that does not exist on Lambda" }
        var parts = link.split(separator: "/").dropLast().map(String.init)
        for part in target.split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                guard !parts.isEmpty else { return "which points outside the packaged folder" }
                parts.removeLast()
            } else {
                parts.append(String(part))
            }
        }
        return nil
    }
}

/// What lstat says about a path.
struct FileInfo {
    let mode: mode_t
    let owner: uid_t
    let size: Int64
    let modified: timespec
    let linkTarget: String?

    init?(_ url: URL) { self.init(path: url.path) }

    init?(path: String) {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        mode = status.st_mode
        owner = status.st_uid
        #if canImport(Darwin)
        modified = status.st_mtimespec
        #else
        modified = status.st_mtim
        #endif
        if (status.st_mode & S_IFMT) == S_IFLNK {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(path, &buffer, buffer.count - 1)
            linkTarget = count >= 0 ? String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
            size = 0
        } else {
            linkTarget = nil
            size = Int64(status.st_size)
        }
    }

    var isDirectory: Bool { (mode & S_IFMT) == S_IFDIR }

    /// What a file that is neither a folder, a link nor a regular file is, in words.
    var specialKind: String {
        switch mode & S_IFMT {
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        default: return "a special file"
        }
    }
    var isRegularFile: Bool { (mode & S_IFMT) == S_IFREG }
    var isSymlink: Bool { (mode & S_IFMT) == S_IFLNK }
    var isExecutable: Bool { mode & 0o111 != 0 }
    /// Readable by everyone, or by its owner when that is us: no need to ask the kernel.
    var readableByMode: Bool { mode & 0o004 != 0 || (owner == geteuid() && mode & 0o400 != 0) }
    var fingerprint: String { "\(size):\(modified.tv_sec).\(modified.tv_nsec):\(mode & 0o7777)" }
}

/// `--exclude` globs and the default excludes: a pattern matches a name anywhere in the tree, or a
/// relative path when it contains a slash.
struct ExcludeMatcher {
    let patterns: [String]
    /// Each pattern without a trailing slash, and whether it is a path: worked out once, not per file.
    private let prepared: [(glob: String, isPath: Bool)]

    init(patterns: [String]) {
        self.patterns = patterns
        prepared = patterns.map { pattern in
            let trimmed = pattern.hasSuffix("/") ? String(pattern.dropLast()) : pattern
            return (trimmed, trimmed.utf8.contains(UInt8(ascii: "/")))
        }
    }

    func excludes(relativePath: String, name: String) -> Bool {
        prepared.contains { fnmatch($0.glob, $0.isPath ? relativePath : name, 0) == 0 }
    }
}
