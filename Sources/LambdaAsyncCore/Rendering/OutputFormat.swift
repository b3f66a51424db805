/// The output formats every reporting command offers.
public enum OutputFormat: String, CaseIterable, Sendable {
    /// Wrapped to the terminal, for people.
    case table
    /// A GitHub-flavoured Markdown table, for documents.
    case markdown
    /// Stable, documented JSON, for scripts.
    case json
}

/// How text output may look on the current stream.
public struct TextStyle: Sendable, Equatable {
    public var width: Int
    public var color: Bool

    public init(width: Int, color: Bool) {
        self.width = width
        self.color = color
    }

    func bold(_ text: String) -> String {
        color ? "\u{1B}[1m\(text)\u{1B}[0m" : text
    }
}
