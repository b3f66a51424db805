import Foundation

/// Environment variables for local runs, in the JSON shape AWS SAM CLI's `--env-vars` takes, so one
/// file serves both tools: `Parameters` for every function, a function's logical ID for that one.
///
///     {"Parameters": {"LOG_LEVEL": "DEBUG"}, "ApiFunction": {"TASK_MS": "400"}}
///
/// Unlike SAM CLI, a variable the template does not declare is set too, rather than silently dropped.
public struct EnvironmentFile: Sendable, Equatable {
    public let shared: [String: String]
    public let byFunction: [String: [String: String]]

    public static func load(_ url: URL) throws -> EnvironmentFile {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ProjectError.invalidEnvironmentFile(path: url.path, reason: "it cannot be read; check the path")
        }
        return try parse(data, path: url.path)
    }

    public static func parse(_ data: Data, path: String) throws -> EnvironmentFile {
        func fail(_ reason: String) -> ProjectError { .invalidEnvironmentFile(path: path, reason: reason) }
        let sections: [String: [String: Value]]
        do {
            sections = try JSONDecoder().decode([String: [String: Value]].self, from: data)
        } catch DecodingError.typeMismatch(_, let context) where !context.codingPath.isEmpty {
            let place = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw fail(context.codingPath.count == 1
                ? "\"\(place)\" must map variable names to values, as in {\"\(place)\": {\"NAME\": \"value\"}}"
                : "\(place) is not a string, number or boolean; environment variables are text")
        } catch {
            throw fail(#"it is not a JSON object; write {"Parameters": {"NAME": "value"}, "FunctionLogicalId": {"NAME": "value"}}"#)
        }
        var shared: [String: String] = [:]
        var byFunction: [String: [String: String]] = [:]
        for (section, variables) in sections {
            let strings = variables.mapValues(\.text)
            if section == "Parameters" { shared = strings } else { byFunction[section] = strings }
        }
        return EnvironmentFile(shared: shared, byFunction: byFunction)
    }

    /// A variable's value: text, or a JSON number or boolean written as Lambda stores it, as text.
    private struct Value: Decodable {
        let text: String
        init(from decoder: Decoder) throws {
            let value = try decoder.singleValueContainer()
            if let text = try? value.decode(String.self) {
                self.text = text
            } else if let flag = try? value.decode(Bool.self) {
                text = flag ? "true" : "false"
            } else if let integer = try? value.decode(Int.self) {
                text = String(integer)
            } else {
                do { text = String(try value.decode(Double.self)) } catch {
                    throw DecodingError.typeMismatch(String.self, .init(codingPath: decoder.codingPath, debugDescription: "not text"))
                }
            }
        }
    }

    /// What one function gets: the shared variables, then its own over them.
    public func variables(for logicalID: String) -> [String: String] {
        shared.merging(byFunction[logicalID] ?? [:]) { $1 }
    }

    /// Sections naming no function of the template: most likely a typo.
    public func unknownFunctions(in template: SAMTemplate) -> [String] {
        let known = Set(template.functions.map(\.logicalID))
        return byFunction.keys.filter { !known.contains($0) }.sorted()
    }
}
