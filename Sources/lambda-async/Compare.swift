import ArgumentParser
import LambdaAsyncCore

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the comparison of the four strategies.",
        discussion: """
            Dimensions: \(Dimension.allCases.map(\.rawValue).joined(separator: ", ")).
            The table wraps to the terminal; when even wrapped columns would be too narrow it prints \
            one card per strategy.

            Examples:
              lambda-async compare
              lambda-async compare --strategy streaming --strategy extension --dimension limits
              lambda-async compare --format json | jq '.strategies[].id'
            """
    )

    @Option(name: .customLong("strategy"), help: "Show only this strategy (repeatable).")
    var strategies: [Strategy] = []

    @Option(name: .customLong("dimension"), help: "Show only this dimension (repeatable).")
    var dimensions: [Dimension] = []

    @OptionGroup var output: OutputOptions

    func run() throws {
        let renderer = ComparisonRenderer(
            strategies: strategies.isEmpty ? Strategy.allCases : strategies,
            dimensions: dimensions.isEmpty ? Dimension.allCases : dimensions)
        print(renderer.render(output.format, style: output.style))
    }
}
