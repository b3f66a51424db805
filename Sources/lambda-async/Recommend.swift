import Foundation
import ArgumentParser
import LambdaAsyncCore
import LambdaAsyncScaffold

struct Recommend: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pick a strategy for your situation, with the reasons.",
        discussion: """
            Sizes are bytes or a number with B, KB, MB or GB (binary: 1 MB = 1,048,576 bytes, as Lambda counts). \
            A language without a managed Lambda runtime (rust, go, swift, ...) means a custom runtime.

            Examples:
              lambda-async recommend --language node --front-door function-url
              lambda-async recommend --language python --must-complete
              lambda-async recommend --language rust --front-door api-gateway-http \\
                --task-payload-size 2MB
            """
    )

    @Option(help: ArgumentHelp("The function's language: \(Language.managed.joined(separator: ", ")), or any other name.",
                               valueName: "language"),
            completion: .list(Language.managed))
    var language: String?

    @Option(help: "How callers reach the function.")
    var frontDoor: FrontDoor?

    @Flag(help: "The task must finish even when it fails (for example, a database may be unreachable).")
    var mustComplete = false

    @Option(help: ArgumentHelp("Largest response the caller receives (e.g. 8MB).", valueName: "size"))
    var responseSize: String?

    @Option(help: ArgumentHelp("Largest input the background task needs (e.g. 300KB).", valueName: "size"))
    var taskPayloadSize: String?

    @Option(help: ArgumentHelp("How long the task may run: seconds, or with s, m, h (e.g. 20m); past 15 minutes only a durable execution fits.",
                               valueName: "duration"))
    var taskDuration: String?

    @Flag(help: "The task waits for a person or another system (an approval, a webhook): a durable callback waits without paying for compute.")
    var waitsForCallback = false

    @Option(help: "Where the function runs: lambda (Lambda's default) or managed-instances (Lambda Managed Instances, where nothing is frozen).")
    var platform: Platform = .lambda

    @OptionGroup var output: OutputOptions

    func validate() throws {
        _ = try situation()
    }

    func situation() throws -> Situation {
        do {
            return Situation(
                language: try language.map(Language.init),
                frontDoor: frontDoor,
                mustComplete: mustComplete,
                responseSizeBytes: try responseSize.map(ByteSize.parse),
                taskPayloadBytes: try taskPayloadSize.map(ByteSize.parse),
                platform: platform,
                taskDurationSeconds: try taskDuration.map(Self.seconds),
                waitsForCallback: waitsForCallback)
        } catch let error as CustomStringConvertible {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        // Any language is accepted (one without a managed runtime means a custom runtime), so a typo
        // of a managed one would silently get a custom-runtime answer: name the likely one first.
        if let typed = try situation().language, !typed.hasManagedRuntime,
           let guess = Suggestion.nearest(to: typed.name, in: Language.managed, maximum: 1) {
            FileHandle.standardError.write(Data("note: '\(typed.name)' has no managed Lambda runtime, so it is treated as a custom-runtime language; did you mean '\(guess)'?\n".utf8))
        }
        let recommendation = try Recommender().recommend(try situation())
        var text = RecommendationRenderer(recommendation).render(output.format, style: output.style)
        if output.format != .json { text += "\n" + Self.generate(recommendation) }
        print(text)
    }
}

extension Recommend {
    struct DurationError: Error, CustomStringConvertible {
        let text: String
        var description: String { "--task-duration takes seconds or a number with s, m or h (90, 20m, 2h); got '\(text)'" }
    }

    /// "90", "90s", "20m", "2h" in seconds.
    static func seconds(_ text: String) throws -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600]
        let (number, unit) = trimmed.last.flatMap { units[$0] }.map { (String(trimmed.dropLast()), $0) } ?? (trimmed, 1)
        guard let value = Int(number), value > 0 else { throw DurationError(text: text) }
        return value * unit
    }

    /// The `new` command that builds what was recommended, always one `new` can run: in the situation's
    /// language when `new` has that cell, otherwise in the language that has it, saying why.
    static func generate(_ recommendation: Recommendation) -> String {
        let strategy = recommendation.recommended
        let supported = ProjectLanguage.allCases.filter { language in
            Matrix.cells.contains { $0.language == language && $0.strategy == strategy && $0.isSupported }
        }
        func command(_ language: ProjectLanguage) -> String { "lambda-async new --strategy \(strategy.rawValue) --language \(language.rawValue) NAME" }
        guard let first = supported.first else {
            let why = Matrix.cells.first { $0.strategy == strategy }?.refusal
            return "No template generates \(strategy.rawValue) yet" + (why.map { ": \($0)" } ?? ".")
        }
        let asked = recommendation.situation.language?.name
        if let asked, let language = ProjectLanguage(rawValue: asked), supported.contains(language) {
            return "Generate it: \(command(language))"
        }
        let why = asked.map { name -> String in
            if let language = ProjectLanguage(rawValue: name) {
                let refusal = Matrix.cells.first { $0.language == language && $0.strategy == strategy }?.refusal
                return "\(name) has no \(strategy.rawValue) template" + (refusal.map { ": \($0.split(separator: ":").first.map(String.init) ?? $0)" } ?? "")
            }
            return "new generates \(ProjectLanguage.allCases.map(\.rawValue).joined(separator: " and ")) projects, not \(name)"
        }
        return "Generate it: \(command(first))" + (why.map { " (\($0))" } ?? "")
    }
}
