import ArgumentParser
import Foundation
import LambdaAsyncArchive
import LambdaAsyncCore

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List a zip's entries and run Lambda's checks on it, whatever tool built it.",
        discussion: """
            Exits with 1 when a check finds a defect that would fail on Lambda (a bootstrap without its \
            execute bit or with CRLF line endings, an extension that cannot be started, a missing handler, \
            a link out of the zip, a file Lambda's user cannot read).

            Examples:
              lambda-async inspect function.zip --runtime python3.13 --handler app.handler
              lambda-async inspect bootstrap.zip --as bootstrap
              lambda-async inspect extension-layer.zip --as layer --format json
            """
    )

    @Argument(help: ArgumentHelp("The zip to inspect.", valueName: "zip"), completion: .file(extensions: ["zip"]))
    var zip: String

    @Option(name: .customLong("as"), help: "What the zip is for.")
    var kind: ArtifactKind = .function

    @Option(help: ArgumentHelp("The function's runtime, to check its entry point.", valueName: "runtime"),
            completion: .list(LambdaRuntime.supported))
    var runtime: String?

    @Option(help: ArgumentHelp("The function's handler, to check it exists.", valueName: "handler"))
    var handler: String?

    @Option(help: "The function's architecture, which native code (ELF files) must be built for; without it, the files must at least agree.")
    var arch: Architecture?

    @Option(help: "Output format: table (for people) or json (for scripts).")
    var format: ReportFormat = .table

    func validate() throws {
        _ = try LambdaRuntime.validated(runtime)
    }

    struct Report: Encodable {
        struct Entry: Encodable {
            let path: String
            let type: String
            let mode: String
            let size: Int64
            @NullEncoded var target: String?
        }
        let schemaVersion = 1
        let zip: String
        let codeSha256: String
        let zippedBytes: Int64
        let unpackedBytes: Int64
        let entries: [Entry]
        let findings: [Finding]
    }

    func run() throws {
        guard FileManager.default.fileExists(atPath: zip) else {
            throw CommandError.badInput("\(zip) does not exist: pass a zip (lambda-async package writes them under .lambda-async/build/)")
        }
        let inspection = try ZipInspection(zip: URL(fileURLWithPath: zip), as: kind,
                                           runtime: runtime.flatMap(LambdaRuntime.init), handler: handler, architecture: arch)
        let entries = inspection.entries.map { entry -> Report.Entry in
            switch entry.kind {
            case .file: return .init(path: entry.path, type: "file", mode: Self.octal(entry.permissions), size: entry.size, target: nil)
            case .directory: return .init(path: entry.path, type: "directory", mode: Self.octal(entry.permissions), size: 0, target: nil)
            case .symlink(let target): return .init(path: entry.path, type: "symlink", mode: Self.octal(entry.permissions), size: entry.size, target: target)
            }
        }
        if format == .json {
            print(JSONOutput.encode(Report(zip: zip, codeSha256: inspection.codeSha256, zippedBytes: inspection.zippedBytes,
                                     unpackedBytes: inspection.unpackedBytes, entries: entries, findings: inspection.findings)))
        } else {
            let style = TextStyle.standardOutput
            let rows = inspection.entries.map { entry in
                [Self.symbolic(entry), "\(entry.size)", entry.path + (entry.kind == .directory ? "/" : "")
                    + { if case .symlink(let t) = entry.kind { return " -> \(t)" } else { return "" } }()]
            }
            print(Columns(header: ["MODE", "SIZE", "PATH"], rows: rows, rightAligned: [1]).render(style: style))
            print("\n\(inspection.entries.count) entries, \(ByteSize.describe(Int(inspection.zippedBytes))) zipped, "
                  + "\(ByteSize.describe(Int(inspection.unpackedBytes))) unpacked, CodeSha256 \(inspection.codeSha256)")
            if inspection.findings.isEmpty { print("No defects found for a \(kind.rawValue) zip.") }
            for finding in inspection.findings { print("\(finding.severity.rawValue): \(finding.message)") }
        }
        if !inspection.findings.errors.isEmpty { throw ExitCode.failure }
    }

    static func octal(_ permissions: UInt32) -> String { "0" + String(permissions & 0o7777, radix: 8) }

    /// `-rwxr-xr-x`, as `ls -l` and `unzip -Z` show it.
    static func symbolic(_ entry: ZipEntry) -> String {
        let type: Character
        switch entry.kind {
        case .file: type = "-"
        case .directory: type = "d"
        case .symlink: type = "l"
        }
        let bits = Array("rwxrwxrwx")
        var shown = bits.enumerated().map { index, char in entry.permissions & (0o400 >> UInt32(index)) != 0 ? char : "-" }
        // setuid, setgid and sticky over the x they share a column with, as ls shows them (s, or S without x).
        for (bit, column, letter) in [(UInt32(0o4000), 2, "s"), (0o2000, 5, "s"), (0o1000, 8, "t")] as [(UInt32, Int, String)]
        where entry.permissions & bit != 0 {
            shown[column] = Character(shown[column] == "-" ? letter.uppercased() : letter)
        }
        return String(type) + String(shown)
    }
}
