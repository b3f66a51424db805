import ArgumentParser
import Foundation
import LambdaAsyncCore
import LambdaAsyncScaffold

struct New: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a complete, deployable project for a strategy.",
        discussion: """
            The project has a SAM template.yaml, source under src/, sample events, unit tests that run \
            offline, a README on the strategy's trade-offs, and a .gitignore. Templates are built into \
            this binary: no network is needed. `--list` shows what each language and strategy generates.

            Examples:
              lambda-async new --strategy extension orders-api
              lambda-async new --strategy streaming --language node --public reports
              lambda-async new --strategy extension --variant external --dry-run audit
              lambda-async new --strategy custom-runtime --powertools billing
              lambda-async new --list
            """
    )

    @Argument(help: ArgumentHelp("The folder to create (default: the name, in the current folder).", valueName: "dir"),
              completion: .directory)
    var directory: String?

    @Option(help: "The strategy to generate.")
    var strategy: Strategy?

    @Option(help: "The language of the functions.")
    var language: ProjectLanguage = .python

    @Option(help: "With --strategy extension: internal (a thread; Python's default) or external (a process in a layer).")
    var variant: ExtensionVariant?

    @Option(help: ArgumentHelp("The project's name (default: the folder's name).", valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp("The Lambda runtime (default: \(LambdaRuntime.defaultPython) or \(LambdaRuntime.defaultNode)).", valueName: "runtime"),
            completion: .list(LambdaRuntime.supported))
    var runtime: String?

    @Option(help: "The instruction set written into the template; arm64 costs about 20% less per GB-second than x86_64, Lambda's own default for a function that names none.")
    var arch: Architecture = .arm64

    @Option(help: ArgumentHelp("Memory in MB (128-10240).", valueName: "mb"))
    var memory: Int = 256

    @Option(help: ArgumentHelp("Timeout in seconds (1-900); it covers the task too.", valueName: "seconds"))
    var timeout: Int = 30

    @Flag(help: "Make function URLs public (AuthType NONE) instead of requiring signed requests (AWS_IAM).")
    var `public` = false

    @Flag(help: ArgumentHelp("Log through Powertools for AWS Lambda, added from its public layer (the version current as of \(Powertools.asOf)); "
                             + "the standard library's logger writes where the layer is absent: its tests, the local runner."))
    var powertools = false

    @Flag(help: ArgumentHelp("Add a DynamoDB table that keeps a task from running twice for one task id, across every "
                             + "execution environment (without it, each environment remembers only its own tasks)."))
    var idempotency = false

    @Option(help: "Where the functions will run: lambda (Lambda's default) or managed-instances (Lambda Managed Instances); a strategy the platform cannot run is refused.")
    var platform: Platform = .lambda

    @Flag(help: "Print the matrix of languages and strategies, with what each generates.")
    var list = false

    @Flag(help: "Print the files that would be written, and write nothing.")
    var dryRun = false

    @Flag(help: "Write into a folder that is not empty (files of the same name are replaced).")
    var force = false

    @Option(help: "Output format of --list and --dry-run: table (for people) or json (for scripts).")
    var format: ReportFormat = .table

    func validate() throws {
        if list { return }
        guard strategy != nil else {
            throw ValidationError("missing --strategy: one of \(Strategy.allCases.map(\.rawValue).joined(separator: ", ")) (see `lambda-async recommend` to choose)")
        }
        guard directory != nil || name != nil else {
            throw ValidationError("name the project: `lambda-async new --strategy \(strategy!.rawValue) orders-api` (a folder) or --name")
        }
        _ = try LambdaRuntime.validated(runtime)
    }

    func run() throws {
        Interrupts.removeTemporaryFilesOnInterrupt()
        if list { return print(MatrixReport().render(format.output, style: .standardOutput)) }
        if platform == .managedInstances, let strategy, let note = Catalog.standard.managedInstances[strategy] {
            switch note.verdict {
            case .notAvailable:
                throw CommandError.badInput("--strategy \(strategy.rawValue) cannot run on Lambda Managed Instances: \(note.fact.text) "
                    + "Pick async-invoke for work that must outlive its environment, or none at all: nothing is frozen there "
                    + "(`lambda-async compare --platform managed-instances`)")
            case .unnecessary, .changed:
                // Generated for Lambda's default platform: say what differs, once.
                FileHandle.standardError.write(Data(("note: on Lambda Managed Instances \(strategy.rawValue) is \(note.verdict == .unnecessary ? "unnecessary" : "different"): "
                    + "\(note.fact.text) The template is written for Lambda's default platform; add a CapacityProviderConfig to move it.\n").utf8))
            }
        }
        let folder = URL(fileURLWithPath: directory ?? name!, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            .standardizedFileURL
        let generator = try ProjectGenerator(options: ProjectOptions(
            name: name ?? folder.lastPathComponent, language: language, strategy: strategy!, variant: variant,
            runtime: runtime.flatMap(LambdaRuntime.init), architecture: arch, memoryMB: memory,
            timeoutSeconds: timeout, publicURL: `public`, powertools: powertools, idempotency: idempotency))
        if let warning = generator.options.runtime.deprecationWarning() {
            FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
        }
        let files = dryRun ? try generator.files() : try generator.write(to: folder, force: force)
        print(GeneratedReport(directory: folder.path, cell: generator.cell, files: files, written: !dryRun)
            .render(format.output, style: .standardOutput))
    }
}

struct MatrixReport {
    struct Row: Encodable {
        let language: String
        let strategy: String
        @NullEncoded var variant: String?
        let supported: Bool
        let generates: String
    }

    var rows: [Row] {
        Matrix.cells.map {
            Row(language: $0.language.rawValue, strategy: $0.strategy.rawValue, variant: $0.variant?.rawValue,
                supported: $0.isSupported, generates: $0.refusal ?? $0.summary)
        }
    }

    func render(_ format: OutputFormat, style: TextStyle) -> String {
        if format == .json { return JSONOutput.encode(["schemaVersion": AnyEncodable(1), "cells": AnyEncodable(rows)]) }
        let header = ["LANGUAGE", "STRATEGY", "VARIANT", "GENERATES"]
        let fixed = 8 + 16 + 9 + 6
        let width = max(30, style.width - fixed)
        var lines: [[String]] = []
        for row in rows {
            let text = (row.supported ? "" : "refused: ") + row.generates
            for (index, line) in TextWrap.lines(text, width: width).enumerated() {
                lines.append(index == 0 ? [row.language, row.strategy, row.variant ?? "-", line] : ["", "", "", line])
            }
        }
        return Columns(header: header, rows: lines).render(style: style)
    }
}

struct GeneratedReport {
    let directory: String
    let cell: Cell
    let files: [GeneratedFile]
    let written: Bool

    struct Entry: Encodable {
        let path: String
        let executable: Bool
        let bytes: Int
    }

    func render(_ format: OutputFormat, style: TextStyle) -> String {
        let entries = files.map { Entry(path: $0.path, executable: $0.executable, bytes: $0.contents.utf8.count) }
        if format == .json {
            return JSONOutput.encode([
                "schemaVersion": AnyEncodable(1), "directory": AnyEncodable(directory), "written": AnyEncodable(written),
                "language": AnyEncodable(cell.language.rawValue), "strategy": AnyEncodable(cell.strategy.rawValue),
                "variant": AnyEncodable(cell.variant?.rawValue), "files": AnyEncodable(entries),
            ])
        }
        let where_ = DisplayPath.relative(directory)
        var lines = [written ? "Created \(where_) (\(cell.language.rawValue), \(cell.strategy.rawValue)):" : "Would create \(where_) (\(cell.language.rawValue), \(cell.strategy.rawValue)), writing nothing:"]
        lines += files.map { "  \($0.path)\($0.executable ? "  (executable)" : "")" }
        if written {
            let test = cell.language == .python ? "python3 -m pytest" : "node --test"
            // Its own tests, then run locally (one invocation, then the whole project), then deployed.
            // A project whose tests need more than the standard library says how to install it first.
            let setup = files.contains { $0.path == "requirements-dev.txt" } ? ["  python3 -m pip install -r requirements-dev.txt"] : []
            lines += ["", "Next:", "  cd \(Shell.quote(where_))"] + setup + ["  \(test)", "  lambda-async invoke --function ApiFunction --event events/event.json",
                      "  lambda-async serve", "  lambda-async deploy --region eu-west-1"]
        }
        return lines.joined(separator: "\n")
    }
}

/// Lets heterogeneous values share one JSON object.
struct AnyEncodable: Encodable {
    let encodeValue: (Encoder) throws -> Void
    init<T: Encodable>(_ value: T) { encodeValue = value.encode }
    func encode(to encoder: Encoder) throws { try encodeValue(encoder) }
}
