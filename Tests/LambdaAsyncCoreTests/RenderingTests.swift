import Foundation
import Testing
@testable import LambdaAsyncCore

@Suite struct RenderingTests {
    let plain = TextStyle(width: 100, color: false)

    @Test func wrappingNeverExceedsTheWidthAndKeepsEveryWord() {
        let text = Catalog.standard.fact(.streaming, .limits)
        for width in [5, 12, 17, 40, 200] {
            let lines = TextWrap.lines(text, width: width)
            #expect(lines.allSatisfy { $0.count <= width })
            #expect(lines.joined().filter { !$0.isWhitespace } == text.filter { !$0.isWhitespace })
        }
    }

    @Test func longIdentifiersBreakAtAJoint() {
        #expect(TextWrap.lines("InvocationType=Event", width: 17) == ["InvocationType=", "Event"])
    }

    @Test func tableFitsTheWidth() {
        // Five strategies side by side need 113 columns; narrower, `table` prints cards (below).
        for width in [120, 160, 240] {
            let table = ComparisonRenderer().table(style: TextStyle(width: width, color: false))
            let lines = table.split(separator: "\n")
            #expect(lines.allSatisfy { $0.count == width }, "width \(width)")
            #expect(lines.first?.hasPrefix("+") == true)
            for strategy in Strategy.allCases { #expect(table.contains(strategy.rawValue)) }
            for dimension in Dimension.allCases {
                #expect(table.contains(dimension.title.split(separator: " ").first!))
            }
        }
    }

    @Test func narrowTerminalsGetCards() {
        let output = ComparisonRenderer().table(style: TextStyle(width: 80, color: false))
        #expect(!output.hasPrefix("+"))
        #expect(output.contains("Async invoke (async-invoke)\n"))
        #expect(output.split(separator: "\n").allSatisfy { $0.count <= 80 })
        // A subset that fits still gets a table at the same width.
        let subset = ComparisonRenderer(strategies: [.extension]).table(style: TextStyle(width: 80, color: false))
        #expect(subset.hasPrefix("+"))
    }

    @Test func colourOnlyWhenAsked() {
        let coloured = ComparisonRenderer().table(style: TextStyle(width: 120, color: true))
        #expect(coloured.contains("\u{1B}[1m"))
        #expect(!ComparisonRenderer().table(style: plain).contains("\u{1B}"))
        #expect(!ComparisonRenderer().render(.json, style: TextStyle(width: 120, color: true)).contains("\u{1B}"))
    }

    @Test func markdownIsAGitHubTable() {
        let lines = ComparisonRenderer().markdown().split(separator: "\n")
        #expect(lines.count == 2 + Dimension.allCases.count)
        #expect(lines[1] == "|---|---|---|---|---|---|")
        let pipes = lines.map { $0.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count }
        #expect(Set(pipes) == [7])
    }

    @Test func jsonRoundTripsAndListsEveryFact() throws {
        let json = ComparisonRenderer().json()
        let document = try JSONDecoder().decode(ComparisonRenderer.Document.self, from: Data(json.utf8))
        #expect(document.schemaVersion == 1)
        #expect(document.strategies.map(\.id) == Strategy.allCases.map(\.rawValue))
        #expect(document.dimensions.map(\.id) == Dimension.allCases.map(\.rawValue))
        for entry in document.strategies {
            let strategy = Strategy(rawValue: entry.id)!
            for dimension in Dimension.allCases {
                #expect(entry.facts[dimension.rawValue] == Catalog.standard.fact(strategy, dimension))
            }
        }
    }

    @Test func subsetsKeepCatalogOrder() {
        let renderer = ComparisonRenderer(strategies: [.customRuntime, .streaming, .streaming], dimensions: [.retries, .cost])
        #expect(renderer.strategies == [.streaming, .customRuntime])
        #expect(renderer.dimensions == [.cost, .retries])
    }

    @Test func recommendationTextCitesTheComparison() throws {
        let r = try Recommender().recommend(Situation(language: try Language("node"), frontDoor: .functionURL))
        let text = RecommendationRenderer(r).text(style: plain)
        #expect(text.hasPrefix("Recommended: streaming"))
        #expect(text.contains("Runner-up:   extension"))
        #expect(text.contains("[complexity]"))
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 100 })
        let json = RecommendationRenderer(r).render(.json, style: plain)
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        #expect(object["recommended"] as? String == "streaming")
        let reasons = object["reasons"] as! [[String: Any]]
        #expect(reasons.allSatisfy { ($0["fact"] as? String)?.isEmpty == false })
    }
}
