import Foundation
import Yams

/// `lambda-async.yaml` in the project root, committed: one section per stage, each the settings of a
/// deploy (`--stage NAME`). Values given on the command line win.
///
///     stages:
///       dev:
///         region: eu-west-1
///         parameters: {LogLevel: DEBUG}
///       prod:
///         stack: orders            # default: <project>-<stage>
///         region: eu-west-1
///         profile: prod
///         bucket: my-artifacts
///         tags: {team: orders}
public struct Stage: Sendable, Equatable {
    public var stack: String?
    public var region: String?
    public var profile: String?
    public var bucket: String?
    public var parameters: [String: String] = [:]
    public var tags: [String: String] = [:]

    public static let fileName = "lambda-async.yaml"

    public static func load(_ name: String, project: URL) throws -> Stage {
        let url = project.appendingPathComponent(fileName)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw DeployError.refused("--stage \(name): there is no \(fileName) in \(project.path). Add one, for example:\n"
                + "stages:\n  \(name):\n    region: eu-west-1\n    parameters: {LogLevel: INFO}")
        }
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch {
            throw DeployError.refused("\(url.path) is not valid YAML: \(error)")
        }
        guard let stages = (root as? [String: Any])?["stages"] as? [String: Any] else {
            throw DeployError.refused("\(url.path) has no `stages:` mapping")
        }
        guard let section = stages[name] as? [String: Any] else {
            throw DeployError.refused("--stage \(name) is not in \(fileName); its stages: \(stages.keys.sorted().joined(separator: ", "))")
        }
        let known: Set<String> = ["stack", "region", "profile", "bucket", "parameters", "tags"]
        if let unknown = section.keys.sorted().first(where: { !known.contains($0) }) {
            throw DeployError.refused("\(fileName), stage \(name): unknown key `\(unknown)` (known: \(known.sorted().joined(separator: ", ")))")
        }
        func value(_ key: String) -> String? { section[key].map { "\($0)" } }
        func map(_ key: String) -> [String: String] {
            ((section[key] as? [String: Any]) ?? [:]).mapValues { "\($0)" }
        }
        return Stage(stack: value("stack"), region: value("region"), profile: value("profile"), bucket: value("bucket"),
                     parameters: map("parameters"), tags: map("tags"))
    }

    /// `options` with this stage's values where the command line gave none; the stack defaults to
    /// `<project>-<stage>`, and the stage is a tag.
    public func applied(to options: DeployOptions, name: String, project: URL) -> DeployOptions {
        var merged = options
        merged.stackName = options.stackName ?? stack ?? "\(project.lastPathComponent)-\(name)"
        merged.region = options.region ?? region
        merged.profile = options.profile ?? profile
        merged.bucket = options.bucket ?? bucket
        merged.parameters = parameters.merging(options.parameters) { $1 }
        merged.tags = ["lambda-async:stage": name].merging(tags) { $1 }.merging(options.tags) { $1 }
        return merged
    }
}
