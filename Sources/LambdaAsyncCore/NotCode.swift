/// Files in a code folder that are not the code: version control, caches, editor litter and our own
/// build and state folder. `package` never zips them, and `serve` does not reload when they change.
public enum NotCode {
    /// Names, or `*.suffix` globs, matched against each path component.
    public static let patterns = [".git", "__pycache__", "*.pyc", ".DS_Store", ".lambda-async"]

    /// Whether a file or folder of this name is left out.
    public static func matches(name: String) -> Bool {
        patterns.contains { $0.hasPrefix("*") ? name.hasSuffix($0.dropFirst()) : name == $0 }
    }
}
