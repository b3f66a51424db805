import Foundation
import Testing
import TestSupport
import LambdaAsyncCore

@Suite(.timeLimit(.minutes(10))) struct CLITests {
    @Test func versionAndHelp() async throws {
        let version = try await Binary.run("--version")
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == LambdaAsyncVersion.current)
        for command in [[], ["compare"], ["recommend"]] {
            let help = try await TestSupport.run(Binary.url.path, command + ["--help"])
            #expect(help.status == 0)
            #expect(help.stdout.contains("Examples:"), "\(command)")
            #expect(help.stdout.contains("lambda-async "), "\(command)")
        }
    }

    @Test func badUsageExits64WithUsageOnlyWhenItHelps() async throws {
        // Caught by the parser: the usage of the command follows the message.
        let parsed = try await TestSupport.run(Binary.url.path, ["invoke", "--code", "/tmp", "--runtime", "cobol"])
        #expect(parsed.status == 64)
        #expect(parsed.stderr.contains("'cobol' is not a Lambda runtime. Use one of: python3.14, python3.13"))
        #expect(parsed.stderr.contains("Usage: lambda-async invoke"))
        // Found while running (the path does not exist): the message alone.
        let missing = "/nonexistent-\(UUID().uuidString.prefix(8))"
        let running = try await TestSupport.run(Binary.url.path, ["invoke", "--code", missing, "--runtime", "python3.13", "--handler", "app.handler"])
        #expect(running.status == 64)
        #expect(running.stderr == "Error: \(missing) does not exist: pass a folder or a zip\n", "\(running.stderr)")
    }

    /// One place decides messages and exit codes (the README's table): every command says a missing
    /// project the same way and exits 64; a job that ran and failed exits 1; nothing is said twice.
    @Test(arguments: [
        (["serve", "/nonexistent-project"], 64, "no template.yaml in /nonexistent-project"),
        (["invoke", "/nonexistent-project"], 64, "no template.yaml in /nonexistent-project"),
        (["package", "/nonexistent-project"], 64, "no template.yaml in /nonexistent-project"),
        (["deploy", "/nonexistent-project", "--region", "eu-west-1"], 64, "no template.yaml in /nonexistent-project"),
        (["inspect", "/nonexistent.zip"], 64, "/nonexistent.zip does not exist"),
        (["event", "s3", "--body", "x"], 64, "--body does not apply to s3 events"),
        (["new", "--strategy", "streaming", "--language", "python", "/tmp/never-made"], 64, "streaming"),
        (["recommend", "--front-door", "api-gateway-http", "--response-size", "10MB"], 1, "no strategy fits this situation"),
        (["new", "x", "--strategy", "extension", "--platform", "managed-instances"], 64, "cannot run on Lambda Managed Instances"),
        (["new", "x", "--strategy", "durable", "--language", "node"], 64, "Node.js durable projects wait until the Durable Execution SDK for JavaScript"),
        (["new", "x", "--strategy", "durable", "--runtime", "python3.12"], 64, "Lambda creates durable functions (DurableConfig) on nodejs22.x, nodejs24.x, python3.13, python3.14 only, not on python3.12: use python3.13 or python3.14"),
    ] as [([String], Int32, String)])
    func exitCodesAreDecidedOnce(arguments: [String], code: Int32, message: String) async throws {
        let result = try await TestSupport.run(Binary.url.path, arguments)
        #expect(result.status == code, "\(arguments): \(result.stderr)")
        #expect(result.stderr.hasPrefix("Error: ") && result.stderr.contains(message), "\(arguments): \(result.stderr)")
        #expect(result.stderr.components(separatedBy: "Error: ").count == 2, "said once: \(result.stderr)")
        #expect(!result.stderr.contains("Usage:"), "found while running: the message alone")
    }

    /// Piped, compare wraps to 100 columns: five strategies do not fit side by side there (113 columns
    /// are needed), so it prints a card per strategy; from 113 columns on, one table.
    @Test func compareWrapsToHundredColumnsWhenPiped() async throws {
        let result = try await Binary.run("compare")
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.allSatisfy { $0.count <= 100 })
        #expect(!result.stdout.contains("\u{1B}"))
        for strategy in Strategy.allCases { #expect(lines.contains { $0 == "\(strategy.title) (\(strategy.rawValue))" }, "\(strategy)") }
        let wide = try await Binary.run("compare", "--width", "120")
        let table = wide.stdout.split(separator: "\n")
        #expect(table.first?.count == 120 && table.first?.hasPrefix("+") == true)
        for strategy in Strategy.allCases { #expect(table[1].contains(strategy.rawValue)) }
    }

    @Test func compareJSONListsEveryFact() async throws {
        let result = try await Binary.run("compare", "--format", "json")
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        #expect(object["schemaVersion"] as? Int == 1)
        let strategies = object["strategies"] as! [[String: Any]]
        #expect(strategies.map { $0["id"] as! String } == ["async-invoke", "streaming", "extension", "custom-runtime", "durable"])
        for entry in strategies {
            let facts = entry["facts"] as! [String: String]
            #expect(facts.count == 8)
            #expect(facts == Catalog.standard.facts[Strategy(rawValue: entry["id"] as! String)!]!
                .reduce(into: [:]) { $0[$1.key.rawValue] = $1.value.text })
            // Each fact says where it comes from and when it was checked, and every source is listed.
            let sourced = entry["sourced"] as? [String: [String: Any]] ?? [:]
            let listed = Set((object["references"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
            #expect(sourced.count == 8)
            for (dimension, fact) in sourced {
                let sources = fact["sources"] as? [String] ?? []
                #expect(!sources.isEmpty && sources.allSatisfy(listed.contains), "\(entry["id"]!) \(dimension): \(sources)")
                #expect((fact["checked"] as? String)?.count == 10, "\(fact)")
            }
        }
        #expect(object["platform"] as? String == "lambda" && object["noStrategyNeeded"] is NSNull)
    }

    /// On Lambda Managed Instances: what becomes of each strategy, and that none is needed, with sources.
    @Test func compareOnManagedInstances() async throws {
        let json = try await Binary.run("compare", "--platform", "managed-instances", "--format", "json")
        #expect(json.status == 0, "\(json.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        #expect(object["platform"] as? String == "managed-instances")
        let verdicts = Dictionary(uniqueKeysWithValues: (object["strategies"] as! [[String: Any]]).map {
            ($0["id"] as! String, ($0["platform"] as? [String: Any])?["verdict"] as? String ?? "")
        })
        #expect(verdicts == ["async-invoke": "changed", "streaming": "unnecessary", "extension": "not-available", "custom-runtime": "changed", "durable": ""])
        let none = object["noStrategyNeeded"] as? [String: Any]
        #expect((none?["text"] as? String)?.contains("never frozen") == true && (none?["sources"] as? [String])?.isEmpty == false)
        let table = try await Binary.run("compare", "--platform", "managed-instances", "--dimension", "cost", "--width", "120")
        #expect(table.stdout.contains("On Lambda Managed Instances: No strategy is needed") && table.stdout.contains("[not-available]"), "\(table.stdout)")
        let sources = try await Binary.run("compare", "--sources")
        #expect(sources.stdout.hasPrefix("Every fact shown was checked against these pages on 2026-") && sources.stdout.contains("https://docs.aws.amazon.com/lambda/"),
                "\(sources.stdout)")
    }

    @Test func compareSubsetsInEveryFormat() async throws {
        let json = try await Binary.run("compare", "--format", "json", "--strategy", "streaming", "--dimension", "limits", "--dimension", "cost")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        let strategies = object["strategies"] as! [[String: Any]]
        #expect(strategies.count == 1)
        #expect((strategies[0]["facts"] as! [String: String]).keys.sorted() == ["cost", "limits"])

        let markdown = try await Binary.run("compare", "--format", "markdown", "--strategy", "extension")
        #expect(markdown.stdout.hasPrefix("| Dimension | `extension` |\n|---|---|\n"))
        #expect(markdown.stdout.split(separator: "\n").count == 10)

        let cards = try await Binary.run("compare", "--width", "60")
        #expect(cards.stdout.hasPrefix("Async invoke (async-invoke)\n"))
        #expect(cards.stdout.split(separator: "\n").allSatisfy { $0.count <= 60 })
    }

    @Test func colourOnlyOnATerminalAndNeverWithNoColor() async throws {
        // `script` gives the binary a pseudo-terminal, the way a user runs it.
        // The test runner may itself export NO_COLOR, so the first run clears it.
        let command = "stty cols 150 2>/dev/null; \(Binary.url.path) compare --strategy extension"
        let onTerminal = try await TestSupport.run("script", ["-qec", "unset NO_COLOR; " + command, "/dev/null"], environment: ["TERM": "xterm"])
        #expect(onTerminal.status == 0)
        #expect(onTerminal.stdout.contains("\u{1B}[1m"))
        let noColor = try await TestSupport.run("script", ["-qec", command, "/dev/null"], environment: ["TERM": "xterm", "NO_COLOR": "1"])
        #expect(noColor.status == 0)
        #expect(!noColor.stdout.contains("\u{1B}["))
        #expect(noColor.stdout.contains("extension"))
    }

    @Test(arguments: [
        (["compare", "--strategy", "threads"], "'async-invoke', 'streaming', 'extension', 'custom-runtime' or 'durable'"),
        (["compare", "--format", "yaml"], "'table', 'markdown' or 'json'"),
        (["compare", "--dimension", "speed"], "- how-it-works\n  - complexity"),
        (["recommend", "--front-door", "alb"], "'function-url', 'api-gateway-rest', 'api-gateway-http', 'sdk' or 'event-source'"),
        (["recommend", "--language", "py thon"], "python, node, java, dotnet, ruby"),
        (["recommend", "--response-size", "lots"], "B, KB, MB or GB"),
        (["recommend", "--front-door", "event-source", "--response-size", "1KB"], "event source receives no response"),
        (["compare", "--width", "5"], "at least 20"),
        (["deploy", "--on-failure", "ignore"], "--on-failure takes rollback, delete or keep"),
    ])
    func badInputNamesTheValidChoices(arguments: [String], expected: String) async throws {
        let result = try await TestSupport.run(Binary.url.path, arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func recommendFollowsTheAdvice() async throws {
        func pick(_ arguments: String...) async throws -> [String: Any] {
            let result = try await TestSupport.run(Binary.url.path, ["recommend", "--format", "json"] + arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        }
        await #expect(try pick("--language", "node", "--front-door", "function-url")["recommended"] as? String == "streaming")
        await #expect(try pick("--language", "python", "--must-complete")["recommended"] as? String == "async-invoke")
        await #expect(try pick("--language", "rust")["recommended"] as? String == "custom-runtime")
        await #expect(try pick("--language", "python", "--front-door", "api-gateway-rest")["recommended"] as? String == "extension")
        let big = try await pick("--language", "python", "--must-complete", "--task-payload-size", "1.5MB")
        #expect(big["recommended"] as? String != "async-invoke")
        #expect(big["runnerUp"] as? String != "async-invoke")
        #expect((big["situation"] as! [String: Any])["taskPayloadBytes"] as? Int == 1_572_864)
    }

    @Test func recommendTextAndTheImpossibleCase() async throws {
        let text = try await Binary.run("recommend", "--language", "node", "--front-door", "function-url")
        #expect(text.stdout.hasPrefix("Recommended: streaming (Response streaming)\nRunner-up:   extension"))
        let impossible = try await Binary.run("recommend", "--front-door", "api-gateway-http", "--response-size", "8MB")
        #expect(impossible.status == 1)
        #expect(impossible.stderr.contains("no strategy fits"))
        #expect(impossible.stderr.contains("presigned S3 URL"))
    }
}
