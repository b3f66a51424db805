import Foundation

/// Paths as messages show them.
public enum DisplayPath {
    /// Relative to the current folder when inside it: shorter to read and to paste into a command.
    public static func relative(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        return path.hasPrefix(cwd + "/") ? String(path.dropFirst(cwd.count + 1)) : path
    }
}
