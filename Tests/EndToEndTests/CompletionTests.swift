import Foundation
import Testing
import TestSupport

/// The committed completion scripts must be what the current binary generates:
/// after an option changes, regenerate them with `scripts/generate/update-completions`.
@Suite(.timeLimit(.minutes(10))) struct CompletionTests {
    static let scripts = [("bash", "lambda-async.bash"), ("zsh", "_lambda-async"), ("fish", "lambda-async.fish")]

    @Test(arguments: scripts)
    func committedScriptsAreCurrent(shell: String, file: String) async throws {
        let generated = try await Binary.run("--generate-completion-script", shell)
        #expect(generated.status == 0)
        let committed = try String(contentsOf: Binary.repositoryRoot.appendingPathComponent("completions/\(file)"), encoding: .utf8)
        #expect(committed == generated.stdout,
                "completions/\(file) is stale: run scripts/generate/update-completions and commit the result")
    }

    @Test func closedValueSetsCompleteAsValues() async throws {
        let fish = try await Binary.run("--generate-completion-script", "fish").stdout
        #expect(fish.contains("async-invoke streaming extension custom-runtime"))
        #expect(fish.contains("table markdown json"))
        #expect(fish.contains("python node java dotnet ruby"))
        #expect(fish.contains("function-url api-gateway-rest api-gateway-http sdk event-source"))
        let bash = try await Binary.run("--generate-completion-script", "bash").stdout
        #expect(bash.contains("'async-invoke'"))
    }

    @Test func bashLoadsTheScript() async throws {
        let path = Binary.repositoryRoot.appendingPathComponent("completions/lambda-async.bash").path
        let result = try await TestSupport.run("bash", ["-c", "source '\(path)' && complete -p lambda-async"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("lambda-async"))
    }
}
