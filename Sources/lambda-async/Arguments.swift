import ArgumentParser
import LambdaAsyncArchive
import LambdaAsyncCore
import LambdaAsyncScaffold

// Closed value sets parse, complete in every shell, and name the valid choices on a typo.
extension Strategy: ExpressibleByArgument {}
extension Dimension: ExpressibleByArgument {}
extension FrontDoor: ExpressibleByArgument {}
extension Platform: ExpressibleByArgument {}
extension OutputFormat: ExpressibleByArgument {}
extension LayerKind: ExpressibleByArgument {}
extension ArtifactKind: ExpressibleByArgument {}
extension Architecture: ExpressibleByArgument {}
extension ProjectLanguage: ExpressibleByArgument {}
extension ExtensionVariant: ExpressibleByArgument {}

extension LambdaRuntime {
    /// A `--runtime` value checked in `validate()`, with the list of runtimes when it is not one.
    static func validated(_ text: String?) throws -> LambdaRuntime? {
        guard let text else { return nil }
        guard let runtime = LambdaRuntime(text) else {
            let guess = Suggestion.nearest(to: text, in: LambdaRuntime.supported).map { " Did you mean '\($0)'?" } ?? ""
            throw ValidationError("'\(text)' is not a Lambda runtime.\(guess) Use one of: \(LambdaRuntime.supported.joined(separator: ", "))")
        }
        return runtime
    }
}

/// The parser's "The value 'X' is invalid for '--opt <opt>'. Please provide one of ..." with the nearest
/// valid value named first when X looks like a typo of it.
enum TypoHint {
    static func improve(_ message: String) -> String {
        guard let valueStart = message.range(of: "The value '")?.upperBound,
              let valueEnd = message[valueStart...].firstIndex(of: "'"),
              let provide = message.range(of: " Please provide one of ", range: valueEnd..<message.endIndex) else { return message }
        let typed = String(message[valueStart..<valueEnd])
        // "'a', 'b' or 'c'." on one line, or "the following:" and a "  - a" line per value.
        let rest = message[provide.upperBound...]
        let candidates: [String]
        if rest.hasPrefix("the following:") {
            candidates = rest.split(separator: "\n").dropFirst().prefix { $0.hasPrefix("  - ") }.map { String($0.dropFirst(4)) }
        } else {
            let line = rest.prefix { $0 != "\n" }
            candidates = line.split(separator: "'", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        }
        guard let guess = Suggestion.nearest(to: typed, in: candidates) else { return message }
        return String(message[..<provide.lowerBound]) + " Did you mean '\(guess)'?" + String(message[provide.lowerBound...])
    }
}

/// `NAME=VALUE` options (`--env`, `--parameter`, `--tag`) by name; a later NAME wins, and a pair
/// without `=` (refused by each command's `validate()`) is NAME with an empty value.
enum KeyValuePairs {
    static func parse(_ list: [String]) -> [String: String] {
        Dictionary(list.map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }, uniquingKeysWith: { $1 })
    }
}
