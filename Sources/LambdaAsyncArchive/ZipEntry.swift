/// One entry of a zip as Lambda sees it: a path inside the archive, a kind, and Unix permissions.
public struct ZipEntry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case file
        case directory
        case symlink(target: String)
    }

    /// Relative path with `/` separators; directories without a trailing slash.
    public var path: String
    public var kind: Kind
    /// Permission bits only (0o644, 0o755): the file type comes from `kind`.
    public var permissions: UInt32
    /// Uncompressed size in bytes (0 for directories).
    public var size: Int64

    public init(path: String, kind: Kind, permissions: UInt32, size: Int64 = 0) {
        self.path = path
        self.kind = kind
        self.permissions = permissions
        self.size = size
    }

    public var isExecutable: Bool { permissions & 0o111 != 0 }

    /// Rejects paths that would escape the folder they are unpacked into.
    static func validate(_ path: String) throws {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, !path.hasPrefix("/"), !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw ArchiveError.invalidEntryPath(path)
        }
    }
}
