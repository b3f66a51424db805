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

    func validate() throws {
        for pair in env where !pair.contains("=") { throw ValidationError("--env takes NAME=VALUE; got '\(pair)'") }
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
        var variables = logicalID.map { file?.variables(for: $0) ?? [:] } ?? file?.shared ?? [:]
        for pair in env {
            let parts = pair.split(separator: "=", maxSplits: 1)
            variables[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return variables
    }
}
