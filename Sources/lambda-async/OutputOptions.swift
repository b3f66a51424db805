import ArgumentParser
import LambdaAsyncCore

/// The output flags every reporting command shares.
struct OutputOptions: ParsableArguments {
    @Option(help: "Output format: table (for people), markdown (for documents) or json (for scripts).")
    var format: OutputFormat = .table

    @Option(help: ArgumentHelp("Wrap table output to this many columns (default: the terminal's width, or 100 when not a terminal).",
                               valueName: "columns"))
    var width: Int?

    func validate() throws {
        if let width, width < 20 {
            throw ValidationError("--width must be at least 20 columns; got \(width)")
        }
    }

    var style: TextStyle {
        TextStyle(width: width ?? Terminal.standardOutputWidth, color: Terminal.standardOutputSupportsColor)
    }
}

/// The formats of commands that report what they did (`new`, `package`, `inspect`): a table or
/// JSON. Markdown is offered only where there is a document to paste it into (compare, recommend).
enum ReportFormat: String, CaseIterable, ExpressibleByArgument {
    case table
    case json

    var output: OutputFormat { self == .json ? .json : .table }
}
