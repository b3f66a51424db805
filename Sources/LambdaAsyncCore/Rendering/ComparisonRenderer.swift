import Foundation

/// Renders a slice of the catalog as a wrapped table, per-strategy cards, Markdown or JSON.
public struct ComparisonRenderer: Sendable {
    public let catalog: Catalog
    public let strategies: [Strategy]
    public let dimensions: [Dimension]
    public let platform: Platform

    /// Narrower strategy columns than this are unreadable; cards are printed instead.
    public static let minimumColumnWidth = 16
    /// The dimension column wraps its titles within this width.
    static let labelWidth = 14

    public init(catalog: Catalog = .standard, strategies: [Strategy] = Strategy.allCases,
                dimensions: [Dimension] = Dimension.allCases, platform: Platform = .lambda) {
        self.catalog = catalog
        self.platform = platform
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

    /// The row a platform other than Lambda's default adds: what becomes of each strategy there.
    var platformRowTitle: String { "On \(platform.title)" }

    func platformCell(_ strategy: Strategy) -> String? {
        guard platform == .managedInstances else { return nil }
        guard let note = catalog.managedInstances[strategy] else { return "[unknown] AWS's documentation says nothing of it on this platform (checked \(Catalog.checked))." }
        return "[\(note.verdict.rawValue)] \(note.fact.text)"
    }

    /// Said before the comparison on Managed Instances: no strategy is needed there, and what is at risk.
    var platformPreface: String? {
        platform == .managedInstances ? "On \(platform.title): \(catalog.noStrategyOnManagedInstances.text)" : nil
    }

    public func table(style: TextStyle) -> String {
        guard let columns = strategyColumnWidths(totalWidth: style.width) else { return cards(style: style) }
        var rows = dimensions.map { dimension in
            [dimension.title] + strategies.map { catalog.fact($0, dimension) }
        }
        if platform != .lambda { rows.append([platformRowTitle] + strategies.map { platformCell($0) ?? "" }) }
        let grid = TextGrid(header: ["Dimension"] + strategies.map(\.rawValue), rows: rows)
        let table = grid.render(columnWidths: [Self.labelWidth] + columns, style: style)
        guard let preface = platformPreface else { return table }
        return TextWrap.lines(preface, width: style.width).joined(separator: "\n") + "\n\n" + table
    }

    /// `compare --sources`: every page the shown facts cite, and when they were checked.
    public func sources(style: TextStyle) -> String {
        let references = catalog.references(strategies: strategies, dimensions: dimensions, platform: platform)
        var lines = ["Every fact shown was checked against these pages on \(Catalog.checked):"]
        for reference in references {
            lines += TextWrap.lines("\(reference.title)", width: style.width - 2).map { "  " + $0 }
            lines.append("    \(reference.url)")
        }
        return lines.joined(separator: "\n")
    }

    /// One card per strategy: for terminals too narrow for side-by-side columns.
    public func cards(style: TextStyle) -> String {
        let indent = "  "
        let cards = strategies.map { strategy in
            let heading = "\(strategy.title) (\(strategy.rawValue))"
            var lines = [style.bold(heading), String(repeating: "=", count: min(heading.count, style.width))]
            for dimension in dimensions {
                lines.append(style.bold(dimension.title))
                lines += TextWrap.lines(catalog.fact(strategy, dimension), width: style.width - indent.count)
                    .map { indent + $0 }
            }
            if let cell = platformCell(strategy) {
                lines.append(style.bold(platformRowTitle))
                lines += TextWrap.lines(cell, width: style.width - indent.count).map { indent + $0 }
            }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n\n")
        guard let preface = platformPreface else { return cards }
        return TextWrap.lines(preface, width: style.width).joined(separator: "\n") + "\n\n" + cards
    }

    public func markdown() -> String {
        func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
        var lines = ["| Dimension | " + strategies.map { "`\($0.rawValue)`" }.joined(separator: " | ") + " |"]
        lines.append("|---|" + strategies.map { _ in "---|" }.joined())
        for dimension in dimensions {
            lines.append("| **\(dimension.title)** | "
                         + strategies.map { cell(catalog.fact($0, dimension)) }.joined(separator: " | ") + " |")
        }
        if platform != .lambda {
            lines.append("| **\(platformRowTitle)** | " + strategies.map { cell(platformCell($0) ?? "") }.joined(separator: " | ") + " |")
        }
        guard let preface = platformPreface else { return lines.joined(separator: "\n") }
        return ([preface, ""] + lines).joined(separator: "\n")
    }

    /// The documented JSON shape (README, "JSON output"): bump `schemaVersion` on any breaking change.
    public struct Document: Codable, Equatable, Sendable {
        public struct DimensionEntry: Codable, Equatable, Sendable {
            public let id: String
            public let title: String
        }
        /// A fact with where it comes from (reference ids) and when it was checked.
        public struct SourcedFact: Codable, Equatable, Sendable {
            public let text: String
            public let sources: [String]
            public let checked: String
        }
        public struct PlatformEntry: Codable, Equatable, Sendable {
            /// not-available, unnecessary or changed.
            public let verdict: String
            public let fact: SourcedFact
        }
        public struct StrategyEntry: Codable, Equatable, Sendable {
            public let id: String
            public let title: String
            /// Keyed by dimension id.
            public let facts: [String: String]
            /// Each fact's sources and the day it was checked, keyed by dimension id.
            public let sourced: [String: SourcedFact]
            /// What the strategy becomes on the platform asked for; null on Lambda's default.
            @NullEncoded public var platform: PlatformEntry?
        }
        public let schemaVersion: Int
        public let platform: String
        public let dimensions: [DimensionEntry]
        public let strategies: [StrategyEntry]
        /// On Managed Instances: no strategy is needed, and what is at risk; null on Lambda's default.
        @NullEncoded public var noStrategyNeeded: SourcedFact?
        /// Every page cited above.
        public let references: [Reference]
    }

    public var document: Document {
        func sourced(_ fact: Fact) -> Document.SourcedFact { .init(text: fact.text, sources: fact.sources, checked: fact.checked) }
        return Document(
            schemaVersion: 1,
            platform: platform.rawValue,
            dimensions: dimensions.map { .init(id: $0.rawValue, title: $0.title) },
            strategies: strategies.map { strategy in
                .init(id: strategy.rawValue, title: strategy.title,
                      facts: Dictionary(uniqueKeysWithValues: dimensions.map { ($0.rawValue, catalog.fact(strategy, $0)) }),
                      sourced: Dictionary(uniqueKeysWithValues: dimensions.compactMap { dimension in
                          catalog.facts[strategy]?[dimension].map { (dimension.rawValue, sourced($0)) }
                      }),
                      platform: platform == .managedInstances
                          ? catalog.managedInstances[strategy].map { .init(verdict: $0.verdict.rawValue, fact: sourced($0.fact)) } : nil)
            },
            noStrategyNeeded: platform == .managedInstances ? sourced(catalog.noStrategyOnManagedInstances) : nil,
            references: catalog.references(strategies: strategies, dimensions: dimensions, platform: platform))
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
