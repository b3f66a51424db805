import ArgumentParser
import Foundation
import LambdaAsyncArchive
import LambdaAsyncCore
import LambdaAsyncProject

struct Package: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build reproducible function, layer and bootstrap zips.",
        discussion: """
            Project mode reads template.yaml and builds one zip per function and layer with local code into \
            PROJECT_DIR/.lambda-async/build (or -o DIR), plus a template.yaml there that points at them: \
            `sam deploy --template-file .lambda-async/build/template.yaml` deploys exactly those bytes.
            Direct modes build one zip (-o FILE). Entries are sorted, timestamped SOURCE_DATE_EPOCH (or 1980-01-01), \
            owned by 0:0, with modes 0644, or 0755 for folders, bootstrap, extensions and scripts or binaries \
            with an execute bit. Nothing is written when a Lambda check fails. An unchanged input reuses the \
            last zip (--force rebuilds).

            Examples:
              lambda-async package
              lambda-async package orders-api --format json
              lambda-async package --function src/ --runtime python3.13 \\
                --handler app.handler -o function.zip
              lambda-async package --layer ext/ --layer-kind extension \\
                -o extension-layer.zip
              lambda-async package --bootstrap .build/release/MyLambda -o bootstrap.zip
              lambda-async package --swift-product MyLambda -o lambda.zip
            """
    )

    @Argument(help: ArgumentHelp("A SAM project folder (default: the current one).", valueName: "project-dir"),
              completion: .directory)
    var projectDirectory: String?

    @Option(help: ArgumentHelp("Zip a function's code folder.", valueName: "dir"), completion: .directory)
    var function: String?

    @Option(help: ArgumentHelp("Zip a layer's folder.", valueName: "dir"), completion: .directory)
    var layer: String?

    @Option(help: "With --layer: place the files under extensions/, python/ or nodejs/node_modules/.")
    var layerKind: LayerKind?

    @Option(help: ArgumentHelp("Zip one executable as bootstrap, for a provided.* runtime.", valueName: "file"),
            completion: .file())
    var bootstrap: String?

    @Option(help: ArgumentHelp("Build this executable of the Swift package here and zip it as bootstrap.", valueName: "name"))
    var swiftProduct: String?

    @Option(help: ArgumentHelp("With --swift-product: the Swift SDK to cross-compile with.", valueName: "sdk"))
    var swiftSDK: String?

    @Option(help: ArgumentHelp("With --function: the runtime, for its checks and dependencies (\(LambdaRuntime.supported.prefix(3).joined(separator: ", ")), ...).", valueName: "runtime"),
            completion: .list(LambdaRuntime.supported))
    var runtime: String?

    @Option(help: ArgumentHelp("With --function: the handler to check (app.handler, index.handler).", valueName: "handler"))
    var handler: String?

    @Option(help: "With --function: the architecture dependencies are installed for; x86_64, as Lambda defaults to for a function that names none (a project uses the Architectures its template sets; `new` writes arm64).")
    var arch: Architecture = .x86_64

    @Option(name: [.short, .customLong("output")],
            help: ArgumentHelp("The zip to write (direct modes), or the build folder (project mode).", valueName: "path"),
            completion: .file(extensions: ["zip"]))
    var output: String?

    @Option(help: ArgumentHelp("Leave out paths matching this glob (repeatable), besides .git, __pycache__, *.pyc, .DS_Store and .lambda-async.",
                               valueName: "glob"))
    var exclude: [String] = []

    @Flag(help: "Rebuild even when no input changed.")
    var force = false

    @Option(help: "Output format: table (for people) or json (for scripts).")
    var format: ReportFormat = .table

    private var directModes: [String] {
        [("--function", function), ("--layer", layer), ("--bootstrap", bootstrap), ("--swift-product", swiftProduct)]
            .compactMap { $0.1 == nil ? nil : $0.0 }
    }

    func validate() throws {
        if directModes.count > 1 {
            throw ValidationError("\(directModes.joined(separator: " and ")) build different zips: give one of them per run")
        }
        if !directModes.isEmpty, projectDirectory != nil {
            throw ValidationError("a project folder and \(directModes[0]) exclude each other: drop the folder to zip directly, or the option to package the project")
        }
        if layerKind != nil, layer == nil { throw ValidationError("--layer-kind goes with --layer") }
        if let layer, let kind = layerKind, let top = kind.prefix.split(separator: "/").first,
           FileManager.default.fileExists(atPath: URL(fileURLWithPath: layer).appendingPathComponent(String(top)).path) {
            throw ValidationError("\(layer) already holds the folder \(top)/, so --layer-kind \(kind.rawValue) would nest it as \(kind.prefix)/\(top)/: drop --layer-kind to keep the layout as it is")
        }
        if swiftSDK != nil, swiftProduct == nil { throw ValidationError("--swift-sdk goes with --swift-product") }
        if (runtime != nil || handler != nil), function == nil {
            throw ValidationError("--runtime and --handler go with --function; in project mode they come from template.yaml")
        }
        _ = try LambdaRuntime.validated(runtime)
    }

    func run() throws {
        Interrupts.removeTemporaryFilesOnInterrupt()
        let options = PackagingOptions(force: force, progress: ProgressBar.forStandardError())
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        func path(_ text: String) -> URL { URL(fileURLWithPath: text, relativeTo: cwd).standardizedFileURL }

        let results: [ArtifactResult]
        var template: URL?
        var skipped: [String] = []
        if directModes.isEmpty {
            let loaded = try SAMTemplate.load(from: path(projectDirectory ?? "."))
            let outcome = try ProjectPackager(template: loaded, output: output.map(path), excludes: exclude, options: options).package()
            results = outcome.artifacts
            template = outcome.template
            skipped = outcome.skipped
        } else {
            results = [try buildDirect(options: options, path: path)]
        }
        ProgressBar.clear()
        for result in results {
            for warning in result.warnings { FileHandle.standardError.write(Data("warning: \(result.name): \(warning.message)\n".utf8)) }
        }
        print(PackageReport(artifacts: results, template: template?.path, skipped: skipped).render(format.output, style: .standardOutput))
    }

    private func buildDirect(options: PackagingOptions, path: (String) -> URL) throws -> ArtifactResult {
        let spec: ArtifactSpec
        let defaultName: String
        if let function {
            let code = path(function)
            let runtime = runtime.flatMap(LambdaRuntime.init)
            var sources = [ArtifactSource(root: code)]
            let cache = FileManager.default.temporaryDirectory.appendingPathComponent("lambda-async-deps")
            if let dependencies = try DependencyInstaller(cacheDirectory: cache).install(for: code, runtime: runtime, architecture: arch) {
                sources.insert(dependencies, at: 0)
            }
            spec = ArtifactSpec(name: code.lastPathComponent, kind: .function, sources: sources, runtime: runtime,
                                handler: handler, excludes: exclude, architecture: arch)
            defaultName = code.lastPathComponent
        } else if let layer {
            let root = path(layer)
            spec = ArtifactSpec(name: root.lastPathComponent, kind: .layer,
                                sources: [ArtifactSource(root: root, prefix: layerKind?.prefix ?? "")], excludes: exclude)
            defaultName = root.lastPathComponent + "-layer"
        } else if let bootstrap {
            spec = ArtifactSpec(name: "bootstrap", kind: .bootstrap,
                                sources: [ArtifactSource(root: path(bootstrap), singleFileName: "bootstrap")])
            defaultName = "bootstrap"
        } else {
            let product = swiftProduct!
            let sources = try SwiftProductBuilder.build(product: product, package: path("."), swiftSDK: swiftSDK,
                                                        log: FileHandle.standardError)
            spec = ArtifactSpec(name: product, kind: .bootstrap, sources: sources, excludes: exclude)
            defaultName = product
        }
        let destination = path(output ?? "\(defaultName).zip")
        return try Packager.build(try ArtifactPlan(spec: spec), to: destination, options: options)
    }
}

/// What `package` prints.
struct PackageReport: Encodable {
    let schemaVersion = 1
    let artifacts: [ArtifactResult]
    @NullEncoded var template: String?
    let skipped: [String]

    func render(_ format: OutputFormat, style: TextStyle) -> String {
        if format == .json { return JSONOutput.encode(self) }
        let rows = artifacts.map { a in
            [a.name, a.kind.rawValue, "\(a.files)", ByteSize.describe(Int(a.unzippedBytes)), ByteSize.describe(Int(a.zippedBytes)),
             a.codeSha256, a.upToDate ? "up to date" : "built", DisplayPath.relative(a.path)]
        }
        var text = Columns(header: ["ARTIFACT", "KIND", "FILES", "UNZIPPED", "ZIPPED", "CODESHA256", "STATUS", "ZIP"],
                           rows: rows, rightAligned: [2, 3, 4]).render(style: style)
        if let template { text += "\n\nDeploy these zips: lambda-async deploy (or sam deploy --template-file \(Shell.quote(DisplayPath.relative(template))))" }
        for line in skipped { text += "\nleft as it is: \(line)" }
        return text
    }
}
