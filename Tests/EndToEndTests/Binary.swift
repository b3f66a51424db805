import Foundation
import TestSupport

/// The `lambda-async` binary `swift test` built next to the test bundle
/// (or the one `LAMBDA_ASYNC_BIN` names, to test an installed copy).
enum Binary {
    static let url: URL = {
        if let path = ProcessInfo.processInfo.environment["LAMBDA_ASYNC_BIN"] { return URL(fileURLWithPath: path) }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        // On macOS the test binary sits inside an .xctest bundle.
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("lambda-async")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        fatalError("lambda-async was not built next to the tests; run `swift build` or set LAMBDA_ASYNC_BIN")
    }()

    /// The checkout, for files the binary's output is compared with.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The README and the manual's pages under docs/, each with its path: where transcripts and promises are.
    static let documentation: [(path: String, text: String)] = {
        let docs = repositoryRoot.appendingPathComponent("docs")
        let pages = ((try? FileManager.default.contentsOfDirectory(atPath: docs.path)) ?? []).filter { $0.hasSuffix(".md") }.sorted()
        return (["README.md"] + pages.map { "docs/" + $0 }).map { path in
            (path, (try? String(contentsOf: repositoryRoot.appendingPathComponent(path), encoding: .utf8)) ?? "")
        }
    }()

    static func run(_ arguments: String..., environment: [String: String] = [:], input: String? = nil) async throws -> ProcessResult {
        try await TestSupport.run(url.path, arguments, environment: environment, input: input)
    }
}
