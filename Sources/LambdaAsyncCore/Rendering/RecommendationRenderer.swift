/// Renders a recommendation with each reason next to the comparison cell it rests on.
public struct RecommendationRenderer: Sendable {
    public let recommendation: Recommendation
    public let catalog: Catalog

    public init(_ recommendation: Recommendation, catalog: Catalog = .standard) {
        self.recommendation = recommendation
        self.catalog = catalog
    }

    public func render(_ format: OutputFormat, style: TextStyle) -> String {
        switch format {
        case .table: return text(style: style)
        case .markdown: return markdown()
        case .json: return JSONOutput.encode(document)
        }
    }

    static func mark(_ effect: Reason.Effect) -> String {
        switch effect {
        case .favours: return "+"
        case .disfavours: return "-"
        case .rulesOut: return "x"
        }
    }

    var situationSummary: String {
        let s = recommendation.situation
        return [
            "language \(s.language?.name ?? "not given")",
            "front door \(s.frontDoor?.rawValue ?? "not given")",
            "task must complete: \(s.mustComplete ? "yes" : "no")",
            "response size \(s.responseSizeBytes.map(ByteSize.describe) ?? "not given")",
            "task payload \(s.taskPayloadBytes.map(ByteSize.describe) ?? "not given")",
        ].joined(separator: "; ") + (s.platform == .lambda ? "" : "; platform \(s.platform.rawValue)")
            + (s.taskDurationSeconds.map { "; task duration \(Recommender.describe(seconds: $0))" } ?? "")
            + (s.waitsForCallback ? "; waits for a callback" : "")
    }

    public func text(style: TextStyle) -> String {
        let r = recommendation
        var lines = r.platformNote.map { TextWrap.lines($0, width: style.width) + [""] } ?? []
        lines += [
            style.bold("Recommended: \(r.recommended.rawValue)") + " (\(r.recommended.title))",
            "Runner-up:   " + (r.runnerUp.map { "\($0.rawValue) (\($0.title))" } ?? "none: every other strategy is ruled out"),
            "",
        ]
        lines += TextWrap.lines("Situation: " + situationSummary, width: style.width)
        lines += ["", style.bold("Why") + " (+ favours, - counts against, x rules out; [the comparison's dimension]):"]
        let nameWidth = Strategy.allCases.map(\.rawValue.count).max()!
        let indent = String(repeating: " ", count: 2 + 2 + nameWidth + 1)
        for reason in r.reasons {
            let head = "  \(Self.mark(reason.effect)) \(TextWrap.pad(reason.strategy.rawValue, to: nameWidth)) "
            let body = TextWrap.lines("\(reason.text) [\(reason.dimension.rawValue)]", width: max(20, style.width - indent.count))
            lines.append(head + body[0])
            lines += body.dropFirst().map { indent + $0 }
        }
        lines += ["", "See `lambda-async compare --strategy \(r.recommended.rawValue)` for the full facts."]
        return lines.joined(separator: "\n")
    }

    public func markdown() -> String {
        let r = recommendation
        var lines = r.platformNote.map { [$0, ""] } ?? []
        lines += [
            "**Recommended:** `\(r.recommended.rawValue)`  ",
            "**Runner-up:** " + (r.runnerUp.map { "`\($0.rawValue)`" } ?? "none"),
            "",
            "Situation: \(situationSummary)",
            "",
            "| Strategy | Effect | Reason | Dimension | Fact in the comparison |",
            "|---|---|---|---|---|",
        ]
        for reason in r.reasons {
            lines.append("| `\(reason.strategy.rawValue)` | \(reason.effect.rawValue) | \(reason.text) | \(reason.dimension.title) | "
                         + catalog.fact(reason.strategy, reason.dimension).replacingOccurrences(of: "|", with: "\\|") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// The documented JSON shape (README, "JSON output").
    public struct Document: Codable, Equatable, Sendable {
        public struct SituationEntry: Codable, Equatable, Sendable {
            public let language: String?
            public let frontDoor: String?
            public let mustComplete: Bool
            public let responseSizeBytes: Int?
            public let taskPayloadBytes: Int?
            public let platform: String
            public let taskDurationSeconds: Int?
            public let waitsForCallback: Bool

            // Unknown parts are written as null, not left out, so scripts see every key.
            public func encode(to encoder: Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(language, forKey: .language)
                try c.encode(frontDoor, forKey: .frontDoor)
                try c.encode(mustComplete, forKey: .mustComplete)
                try c.encode(responseSizeBytes, forKey: .responseSizeBytes)
                try c.encode(taskPayloadBytes, forKey: .taskPayloadBytes)
                try c.encode(platform, forKey: .platform)
                try c.encode(taskDurationSeconds, forKey: .taskDurationSeconds)
                try c.encode(waitsForCallback, forKey: .waitsForCallback)
            }
        }
        public struct ReasonEntry: Codable, Equatable, Sendable {
            public let strategy: String
            public let effect: String
            public let dimension: String
            public let text: String
            /// The comparison's fact this reason rests on.
            public let fact: String
        }
        public let schemaVersion: Int
        public let situation: SituationEntry
        public let recommended: String
        public let runnerUp: String?
        public let ruledOut: [String]
        public let reasons: [ReasonEntry]
        /// On Managed Instances: no strategy is needed, and what is then at risk.
        public let platformNote: String?

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(schemaVersion, forKey: .schemaVersion)
            try c.encode(situation, forKey: .situation)
            try c.encode(recommended, forKey: .recommended)
            try c.encode(runnerUp, forKey: .runnerUp)
            try c.encode(ruledOut, forKey: .ruledOut)
            try c.encode(reasons, forKey: .reasons)
            try c.encode(platformNote, forKey: .platformNote)
        }
    }

    public var document: Document {
        let r = recommendation
        let s = r.situation
        return Document(
            schemaVersion: 1,
            situation: .init(language: s.language?.name, frontDoor: s.frontDoor?.rawValue, mustComplete: s.mustComplete,
                             responseSizeBytes: s.responseSizeBytes, taskPayloadBytes: s.taskPayloadBytes, platform: s.platform.rawValue,
                             taskDurationSeconds: s.taskDurationSeconds, waitsForCallback: s.waitsForCallback),
            recommended: r.recommended.rawValue,
            runnerUp: r.runnerUp?.rawValue,
            ruledOut: r.ruledOut.map(\.rawValue),
            reasons: r.reasons.map {
                .init(strategy: $0.strategy.rawValue, effect: $0.effect.rawValue, dimension: $0.dimension.rawValue,
                      text: $0.text, fact: catalog.fact($0.strategy, $0.dimension))
            },
            platformNote: r.platformNote)
    }
}
