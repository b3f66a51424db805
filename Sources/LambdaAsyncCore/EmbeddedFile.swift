/// A file compiled into the binary by EmbedFilesPlugin (templates, runtime clients).
public struct EmbeddedFile: Sendable {
    /// Path under the embedded folder.
    public let path: String
    /// Executable in the repository: `bootstrap` and extension scripts keep their bit.
    public let executable: Bool
    public let contents: String

    public init(path: String, executable: Bool, contents: String) {
        self.path = path
        self.executable = executable
        self.contents = contents
    }
}
