import Foundation
import Testing
import TestSupport

/// The README's and the manual's (docs/) transcripts are pasted from real runs: each `$ lambda-async ...` whose output does
/// not depend on time or on this machine (compare, recommend, new, event) is run again and must print
/// exactly what the README shows. Runs that measure (invoke, serve, package, --measure) are left out.
@Suite(.timeLimit(.minutes(10))) struct ReadmeTests {
    struct Transcript: CustomStringConvertible {
        let page: String
        let command: String
        let expected: String
        var description: String { "\(page): \(command)" }
    }

    static let transcripts: [Transcript] = {
        var found: [Transcript] = []
        for (path, text) in Binary.documentation {
            for block in text.components(separatedBy: "```console\n").dropFirst() {
                let lines = (block.components(separatedBy: "```").first ?? "").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                var index = 0
                while index < lines.count {
                    let line = lines[index]
                    index += 1
                    guard line.hasPrefix("$ lambda-async ") else { continue }
                    var output: [String] = []
                    while index < lines.count, !lines[index].hasPrefix("$ ") {
                        output.append(lines[index])
                        index += 1
                    }
                    let expected = output.joined(separator: "\n").trimmingCharacters(in: .newlines)
                    let command = String(line.dropFirst("$ lambda-async ".count))
                    let subcommand = command.split(separator: " ").first.map(String.init) ?? ""
                    // Output left out on purpose (the next step shows it), or output that measures this machine.
                    guard !expected.isEmpty, ["compare", "recommend", "new", "event"].contains(subcommand),
                          !command.contains("--measure"), !command.contains("&&") else { continue }
                    found.append(Transcript(page: path, command: command, expected: expected))
                }
            }
        }
        return found
    }()

    @Test func theReadmeHasTranscriptsToCheck() async {
        #expect(Self.transcripts.count >= 8, "\(Self.transcripts)")
        // The README's own tour is checked too, not only the manual.
        #expect(Self.transcripts.contains { $0.page == "README.md" })
    }

    @Test(arguments: transcripts)
    func aTranscriptMatchesARealRun(_ transcript: Transcript) async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // As typed in a shell (quotes and all), from an empty folder; piped, so 100 columns and no colour.
        let result = try await TestSupport.run("/bin/sh", ["-c", "\"$0\" " + transcript.command, Binary.url.path], directory: dir)
        let printed = (result.stdout + result.stderr).trimmingCharacters(in: .newlines)
        #expect(printed == transcript.expected, "\(transcript.page) is stale for `lambda-async \(transcript.command)`:\n\(printed)")
    }
}
