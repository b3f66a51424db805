/// Rewrites `CodeUri` and `ContentUri` in a template's text, leaving every other byte as it was.
///
/// YAML libraries drop CloudFormation's short tags (`!Ref`) when they write a document back, so the
/// template is edited as text at the positions the parser recorded.
public struct TemplateRewriter {
    public private(set) var lines: [String]
    private var inserted: [(line: Int, text: String)] = []

    public init(_ template: SAMTemplate) {
        lines = template.text.components(separatedBy: "\n")
    }

    /// Replaces the value at `location` (a single-line scalar) with `value`.
    public mutating func replaceValue(at location: SAMTemplate.Location, with value: String) {
        let index = location.line - 1
        guard lines.indices.contains(index) else { return }
        let scalars = Array(lines[index].unicodeScalars)
        let prefix = String(String.UnicodeScalarView(scalars.prefix(location.column - 1)))
        lines[index] = prefix + Self.quote(value)
    }

    /// Adds `key: value` as the first property of a mapping whose first key is at `location`.
    public mutating func insertProperty(_ key: String, value: String, before location: SAMTemplate.Location) {
        inserted.append((location.line - 1, String(repeating: " ", count: location.column - 1) + "\(key): \(Self.quote(value))"))
    }

    public var text: String {
        var result = lines
        for insertion in inserted.sorted(by: { $0.line > $1.line }) {
            result.insert(insertion.text, at: insertion.line)
        }
        return result.joined(separator: "\n")
    }

    /// Single-quoted YAML, which needs no escapes but doubled single quotes.
    static func quote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
