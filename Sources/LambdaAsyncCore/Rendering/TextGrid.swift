/// A bordered grid of wrapped cells: the first row and the first column are headings.
public struct TextGrid: Sendable {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]]) {
        self.header = header
        self.rows = rows
    }

    /// Characters the borders and padding take for `columns` columns: `| a | b |`.
    public static func borderWidth(columns: Int) -> Int { 3 * columns + 1 }

    public func render(columnWidths widths: [Int], style: TextStyle) -> String {
        let rule = "+" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "+"
        var out = [rule]
        func emit(_ cells: [String], boldColumns: (Int) -> Bool) {
            let wrapped = zip(cells, widths).map { TextWrap.lines($0, width: $1) }
            let height = wrapped.map(\.count).max() ?? 1
            for lineIndex in 0..<height {
                let parts = wrapped.enumerated().map { column, lines -> String in
                    let text = TextWrap.pad(lineIndex < lines.count ? lines[lineIndex] : "", to: widths[column])
                    // Bold after padding, so escape codes never count toward the width.
                    return boldColumns(column) ? style.bold(text) : text
                }
                out.append("| " + parts.joined(separator: " | ") + " |")
            }
            out.append(rule)
        }
        emit(header) { _ in true }
        for row in rows { emit(row) { $0 == 0 } }
        return out.joined(separator: "\n")
    }
}
