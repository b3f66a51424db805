import Foundation

/// Files of one JSON object per line (`--report`, destination records): appended to, never rewritten.
public enum JSONLines {
    /// Appends `line` and a newline, creating the file (not its folder) when missing; false when it cannot be written.
    @discardableResult
    public static func append(_ line: Data, to url: URL) -> Bool {
        if !FileManager.default.fileExists(atPath: url.path) {
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: url.path) else { return false }
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        handle.write(line + Data([0x0A]))
        return true
    }
}
