import Foundation

/// Renders a slice of the catalog as a wrapped table, per-strategy cards, Markdown or JSON.
public struct ComparisonRenderer: Sendable {
    public let catalog: Catalog
    public let strategies: [Strategy]
    public let dimensions: [Dimension]

    /// Narrower strategy columns than this are unreadable; cards are printed instead.
    public static let minimumColumnWidth = 16
    /// The dimension column wraps its titles within this width.
    static let labelWidth = 14

    public init(catalog: Catalog = .standard, strategies: [Strategy] = Strategy.allCases,
                dimensions: [Dimension] = Dimension.allCases) {
        self.catalog = catalog
        // Catalog order whatever the order of the flags, and each once.
        self.strategies = Strategy.allCases.filter(strategies.contains)
        self.dimensions = Dimension.allCases.filter(dimensions.contains)
    }

    public func render(_ format: OutputFormat, style: TextStyle) -> String {
        switch format {
        case .table: return table(style: style)
        case .markdown: return markdown()
        case .json: return json()
        }
    }

    /// The widths of the strategy columns that fill `totalWidth`, or nil when cards must be used.
    func strategyColumnWidths(totalWidth: Int) -> [Int]? {
        let count = max(1, strategies.count)
        let free = totalWidth - Self.labelWidth - TextGrid.borderWidth(columns: count + 1)
        guard free / count >= Self.minimumColumnWidth else { return nil }
        return (0..<count).map { free / count + ($0 < free % count ? 1 : 0) }
    }

    public func table(style: TextStyle) -> String {
        guard let columns = strategyColumnWidths(totalWidth: style.width) else { return cards(style: style) }
        let grid = TextGrid(
            header: ["Dimension"] + strategies.map(\.rawValue),
            rows: dimensions.map { dimension in
                [dimension.title] + strategies.map { catalog.fact($0, dimension) }
            })
        return grid.render(columnWidths: [Self.labelWidth] + columns, style: style)
    }

    /// One card per strategy: for terminals too narrow for side-by-side columns.
    public func cards(style: TextStyle) -> String {
        let indent = "  "
        return strategies.map { strategy in
            let heading = "\(strategy.title) (\(strategy.rawValue))"
            var lines = [style.bold(heading), String(repeating: "=", count: min(heading.count, style.width))]
            for dimension in dimensions {
                lines.append(style.bold(dimension.title))
                lines += TextWrap.lines(catalog.fact(strategy, dimension), width: style.width - indent.count)
                    .map { indent + $0 }
            }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n\n")
    }

    public func markdown() -> String {
        func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
        var lines = ["| Dimension | " + strategies.map { "`\($0.rawValue)`" }.joined(separator: " | ") + " |"]
        lines.append("|---|" + strategies.map { _ in "---|" }.joined())
        for dimension in dimensions {
            lines.append("| **\(dimension.title)** | "
                         + strategies.map { cell(catalog.fact($0, dimension)) }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// The documented JSON shape (README, "JSON output"): bump `schemaVersion` on any breaking change.
    public struct Document: Codable, Equatable, Sendable {
        public struct DimensionEntry: Codable, Equatable, Sendable {
            public let id: String
            public let title: String
        }
        public struct StrategyEntry: Codable, Equatable, Sendable {
            public let id: String
            public let title: String
            /// Keyed by dimension id.
            public let facts: [String: String]
        }
        public let schemaVersion: Int
        public let dimensions: [DimensionEntry]
        public let strategies: [StrategyEntry]
    }

    public var document: Document {
        Document(
            schemaVersion: 1,
            dimensions: dimensions.map { .init(id: $0.rawValue, title: $0.title) },
            strategies: strategies.map { strategy in
                .init(id: strategy.rawValue, title: strategy.title,
                      facts: Dictionary(uniqueKeysWithValues: dimensions.map { ($0.rawValue, catalog.fact(strategy, $0)) }))
            })
    }

    public func json() -> String { JSONOutput.encode(document) }
}

public enum JSONOutput {
    /// Pretty, key-sorted and slash-preserving: byte-stable for the same input.
    public static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain value types cannot fail.
        let data = try! encoder.encode(value)
        return String(decoding: data, as: UTF8.self)
    }
}
