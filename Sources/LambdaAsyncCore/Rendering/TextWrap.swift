/// Greedy word wrapping to a width in characters. Words longer than the width are split, so
/// a line never exceeds the width.
public enum TextWrap {
    public static func lines(_ text: String, width: Int) -> [String] {
        let width = max(1, width)
        var lines: [String] = []
        var current = ""
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            var word = Substring(word)
            if !current.isEmpty, current.count + 1 + word.count <= width {
                current += " " + word
                continue
            }
            if !current.isEmpty { lines.append(current) }
            current = ""
            while word.count > width {
                // Prefer to split an identifier or path after a natural joint (InvocationType= | Event).
                let head = word.prefix(width)
                let joint = head.dropLast().lastIndex(where: { "/.=_-,".contains($0) }).map { head.index(after: $0) }
                let cut = joint.map { head[..<$0] } ?? head
                lines.append(String(cut))
                word = word.dropFirst(cut.count)
            }
            current = String(word)
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }

    static func pad(_ text: String, to width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
