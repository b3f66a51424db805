import ArgumentParser
import Foundation
import LambdaAsyncCore
import LambdaAsyncMeasure

struct Compare: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the comparison of the strategies: the four classic ones and durable functions.",
        discussion: """
            Dimensions: \(Dimension.allCases.map(\.rawValue).joined(separator: ", ")). Every fact rests on pages of AWS's \
            documentation (compare --sources lists them; --format json gives each fact's sources and the day it was checked).
            The table wraps to the terminal; when even wrapped columns would be too narrow it prints \
            one card per strategy.

            Examples:
              lambda-async compare
              lambda-async compare --strategy streaming --strategy extension \\
                --dimension limits
              lambda-async compare --format json | jq '.strategies[].id'
              lambda-async compare --platform managed-instances
              lambda-async compare --sources
              lambda-async compare --measure --sync-ms 100 --task-ms 400

            --measure generates each strategy's project, runs it in the local runner with the workload \
            (SYNC_MS and TASK_MS), and measures client latency, billed duration summed over every function a call \
            bills, time after the response, cold starts and cost; a fifth row measures the broken background thread.
            """
    )

    @Option(name: .customLong("strategy"), help: "Show only this strategy (repeatable).")
    var strategies: [Strategy] = []

    @Option(name: .customLong("dimension"), help: "Show only this dimension (repeatable).")
    var dimensions: [LambdaAsyncCore.Dimension] = []

    @Option(help: "Where the functions run: lambda (Lambda's default) or managed-instances (Lambda Managed Instances: what becomes of each strategy there).")
    var platform: Platform = .lambda

    @Flag(help: "List the pages every fact shown rests on, and when the facts were checked against them.")
    var sources = false

    @OptionGroup var output: OutputOptions

    @Flag(help: "Measure each strategy in the local runner with a workload (see the options below).")
    var measure = false

    @Option(help: ArgumentHelp("With --measure: python or node (a strategy the language cannot run locally uses the other).", valueName: "language"))
    var language: String = "python"

    @Option(help: ArgumentHelp("With --measure: work before the response, in ms.", valueName: "ms"))
    var syncMs: Int = 50

    @Option(help: ArgumentHelp("With --measure: the task after the response, in ms.", valueName: "ms"))
    var taskMs: Int = 200

    @Option(help: ArgumentHelp("With --measure: memory in MB, for the cost.", valueName: "mb"))
    var memory: Int = 256

    @Option(help: "With --measure: the architecture, for the cost.")
    var arch: Architecture = .arm64

    @Option(help: ArgumentHelp("With --measure: calls per strategy.", valueName: "n"))
    var invocations: Int = 20

    @Option(help: ArgumentHelp("With --measure: the region whose prices apply.", valueName: "region"))
    var region: String = "us-east-1"

    func validate() throws {
        if measure {
            if !strategies.isEmpty || !dimensions.isEmpty || sources || platform != .lambda {
                throw ValidationError("--measure measures every strategy on Lambda's default platform: drop --strategy, --dimension, --sources and --platform")
            }
            guard ["python", "node"].contains(language) else { throw ValidationError("--language must be python or node with --measure") }
            if syncMs < 0 || taskMs < 0 || syncMs + taskMs > 30_000 { throw ValidationError("--sync-ms and --task-ms must be 0 or more, 30,000 ms together at most") }
            if invocations < 1 || invocations > 1000 { throw ValidationError("--invocations must be between 1 and 1000") }
            if !LambdaQuotas.memoryMB.contains(memory) { throw ValidationError("--memory must be between 128 and 10240 MB") }
            if Pricing.rate(region: region, architecture: arch) == nil {
                throw ValidationError("no prices for region \(region); use one of: \(Pricing.regions.joined(separator: ", "))")
            }
        }
    }

    func run() async throws {
        if measure {
            // Ctrl-C or SIGTERM: the generated projects go with the run (exit 130).
            Interrupts.removeTemporaryFilesOnInterrupt()
            let workload = Workload(language: language, syncMs: syncMs, taskMs: taskMs, memoryMB: memory, architecture: arch,
                                    invocations: invocations, region: region)
            let progress = isatty(STDERR_FILENO) == 1
            let report = try await Measurer(workload: workload) { label, done, total in
                if progress { FileHandle.standardError.write(Data("\r\u{1B}[K  measuring \(label) \(done)/\(total)".utf8)) }
            }.run()
            if progress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            print(MeasureRenderer(report).render(output.format, style: output.style))
            return
        }
        let renderer = ComparisonRenderer(
            strategies: strategies.isEmpty ? Strategy.allCases : strategies,
            dimensions: dimensions.isEmpty ? LambdaAsyncCore.Dimension.allCases : dimensions,
            platform: platform)
        // JSON carries every fact's sources anyway; --sources lists them for people.
        print(sources && output.format != .json ? renderer.sources(style: output.style) : renderer.render(output.format, style: output.style))
    }
}
