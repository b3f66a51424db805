import ArgumentParser
import Foundation
import LambdaAsyncProject

/// Environment variables for the functions `invoke` and `serve` run: the template's, then a file in
/// SAM CLI's `--env-vars` shape, then `--env` flags, each over the one before.
struct EnvironmentOptions: ParsableArguments {
    @Option(help: ArgumentHelp("An environment variable for the function (repeatable); wins over --env-vars and the template.",
                               valueName: "name=value"))
    var env: [String] = []

    @Option(name: .customLong("env-vars"),
            help: ArgumentHelp(#"A JSON file of environment variables, as SAM CLI's --env-vars: {"Parameters": {...}} for every function, {"LogicalId": {...}} for one."#,
                               valueName: "file"),
            completion: .file(extensions: ["json"]))
    var envVars: String?

    @Option(help: ArgumentHelp("A value for one of the template's Parameters, over its Default (repeatable), as sam's --parameter-overrides.",
                               valueName: "name=value"))
    var parameter: [String] = []

    func validate() throws {
        for pair in env where !pair.contains("=") { throw ValidationError("--env takes NAME=VALUE; got '\(pair)'") }
        for pair in parameter where !pair.contains("=") { throw ValidationError("--parameter takes NAME=VALUE; got '\(pair)'") }
    }

    /// `--parameter` values by name.
    var parameters: [String: String] { KeyValuePairs.parse(parameter) }

    /// The project's template with its parameters; what it computes that has no local value is said
    /// once, here, at start (those variables are left unset).
    func template(at url: URL) throws -> SAMTemplate {
        let template = try SAMTemplate.load(from: url, parameters: parameters)
        if !template.unresolved.isEmpty {
            FileHandle.standardError.write(Data(("warning: values the template computes that have no local value (set them with --env or --env-vars):\n"
                + template.unresolved.map { "  \($0)\n" }.joined()).utf8))
        }
        return template
    }

    /// The file, read once; its sections must name functions of `template` when there is one.
    func file(checkedAgainst template: SAMTemplate?) throws -> EnvironmentFile? {
        guard let envVars else { return nil }
        let url = URL(fileURLWithPath: envVars)
        let file = try EnvironmentFile.load(url)
        if let template, let unknown = file.unknownFunctions(in: template).first {
            throw ProjectError.invalidEnvironmentFile(path: url.path, reason: "it sets variables for \(unknown), which is not a function of the template; "
                + "use one of \(template.functions.map(\.logicalID).joined(separator: ", ")), or Parameters for all")
        }
        return file
    }

    /// What one function gets on top of its template's variables (`logicalID` nil: not a project's function).
    func variables(for logicalID: String?, from file: EnvironmentFile?) -> [String: String] {
        let variables = logicalID.map { file?.variables(for: $0) ?? [:] } ?? file?.shared ?? [:]
        return variables.merging(KeyValuePairs.parse(env)) { $1 }
    }
}
