import Foundation
import LambdaAsyncCore
import Yams

/// CloudFormation's intrinsic functions, evaluated locally the way a deployment would evaluate them:
/// parameters (defaults, or the values given with `--parameter`), pseudo parameters, `Ref`,
/// `Fn::Sub` (both forms), `Fn::GetAtt` of the project's own resources (stable local values: a
/// function's ARN, a queue's URL, a table's name), `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::If`
/// with `Conditions`, `Fn::Base64`, `Fn::GetAZs`. What has no local value (`Fn::ImportValue`, an
/// attribute only a deployment knows) is an error naming why, which the caller turns into one warning.
struct Intrinsics {
    /// A value: one string, or a list (a `CommaDelimitedList` parameter, `Fn::Split`, `Fn::GetAZs`).
    enum Value: Equatable {
        case string(String)
        case list([String])

        var text: String {
            switch self {
            case .string(let value): return value
            case .list(let values): return values.joined(separator: ",")
            }
        }
        var items: [String] {
            switch self {
            case .string(let value): return [value]
            case .list(let values): return values
            }
        }
    }

    struct Unresolved: Error, Equatable { let reason: String }

    static let region = "us-east-1"
    let parameters: [String: Value]
    let resources: [String: Node]
    let conditions: Node?
    let stackName: String
    /// How deep the evaluation is: a value that refers to itself (`QueueName: !GetAtt Queue.QueueName`)
    /// ends with a reason, not a crash.
    private let depth = Depth()

    private final class Depth {
        var value = 0
    }

    init(root: Node, overrides: [String: String], stackName: String) throws {
        var parameters: [String: Value] = [:]
        for (key, declaration) in root["Parameters"]?.mapping ?? [:] {
            guard let name = key.string else { continue }
            let isList = declaration["Type"]?.string?.hasPrefix("CommaDelimitedList") == true || declaration["Type"]?.string?.hasPrefix("List<") == true
            guard let raw = overrides[name] ?? declaration["Default"].flatMap({ $0.scalar?.string }) else { continue }
            if let allowed = declaration["AllowedValues"]?.sequence?.compactMap({ $0.string }), !allowed.isEmpty, !allowed.contains(raw) {
                throw ProjectError.invalidParameter("\(name) must be one of \(allowed.joined(separator: ", ")); got \(raw)")
            }
            parameters[name] = isList ? .list(raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) : .string(raw)
        }
        let declared = Set((root["Parameters"]?.mapping ?? [:]).compactMap { $0.key.string })
        if let unknown = overrides.keys.sorted().first(where: { !declared.contains($0) }) {
            throw ProjectError.invalidParameter("the template declares no parameter \(unknown) (it has \(declared.sorted().joined(separator: ", ")))")
        }
        self.parameters = parameters
        var resources: [String: Node] = [:]
        for (key, resource) in root["Resources"]?.mapping ?? [:] { if let id = key.string { resources[id] = resource } }
        self.resources = resources
        conditions = root["Conditions"]
        self.stackName = stackName
        if let dangling = Self.danglingRef(in: root, parameters: declared, resources: Set(resources.keys)) {
            throw DanglingRef(description: "Ref \(dangling.name) (line \(dangling.line)) names no parameter and no resource of the template, "
                              + "so CloudFormation refuses it (and nothing here may stand in for it): declare it under Parameters, or fix the name")
        }
    }

    /// A template CloudFormation refuses: a Ref to nothing.
    struct DanglingRef: Error, CustomStringConvertible {
        let description: String
    }

    /// The first `Ref` (`!Ref X`, `{"Ref": X}`) in the resources and outputs to a name that is neither a
    /// parameter, a resource, nor a pseudo parameter, nor one SAM makes from a resource of the template
    /// (`<Function>Role`, `<Function>Url`, `ServerlessRestApi`...).
    static func danglingRef(in root: Node, parameters: Set<String>, resources: Set<String>) -> (name: String, line: Int)? {
        func known(_ name: String) -> Bool {
            parameters.contains(name) || resources.contains(name) || name.hasPrefix("AWS::") || name.hasPrefix("Serverless")
                || resources.contains { name.hasPrefix($0) }
        }
        func search(_ node: Node) -> (String, Int)? {
            if node.tag.description == "!Ref", let name = node.scalar?.string, !known(name) { return (name, node.mark?.line ?? 0) }
            if let mapping = node.mapping {
                for (key, value) in mapping {
                    if key.string == "Ref", let name = value.scalar?.string, !known(name) { return (name, value.mark?.line ?? 0) }
                    if let found = search(value) { return found }
                }
            }
            for item in node.sequence ?? [] { if let found = search(item) { return found } }
            return nil
        }
        for section in ["Resources", "Outputs", "Globals"] {
            if let node = root[section], let found = search(node) { return found }
        }
        return nil
    }

    /// The value of a node: a plain scalar as it is, an intrinsic evaluated.
    func evaluate(_ node: Node) throws -> Value {
        depth.value += 1
        defer { depth.value -= 1 }
        guard depth.value < 64 else { throw Unresolved(reason: "the value refers to itself") }
        if let scalar = node.scalar {
            let tag = scalar.tag.description
            guard tag.hasPrefix("!") else { return .string(scalar.string) }
            return try function(String(tag.dropFirst()), argument: node)
        }
        if let sequence = node.sequence {
            let tag = node.tag.description
            if tag.hasPrefix("!") { return try function(String(tag.dropFirst()), argument: node) }
            return .list(try sequence.map { try evaluate($0).text })
        }
        if let mapping = node.mapping, mapping.count == 1, let key = mapping.first?.key.string,
           key == "Ref" || key.hasPrefix("Fn::") || key == "Condition" {
            let name = key == "Ref" ? "Ref" : String(key.dropFirst(key.hasPrefix("Fn::") ? 4 : 0))
            return try function(name, argument: mapping.first!.value)
        }
        let tag = node.tag.description
        if tag.hasPrefix("!") { return try function(String(tag.dropFirst()), argument: node) }
        throw Unresolved(reason: "a mapping is not a value")
    }

    /// The argument of a short tag is the node itself (untagged); of a long form, the mapping's value.
    private func argumentItems(_ node: Node) -> [Node] { node.sequence.map(Array.init) ?? [node] }

    /// A list argument: a plain YAML sequence (its items evaluated), or an intrinsic that gives a list.
    private func list(_ node: Node) throws -> [String] {
        let tagged = node.tag.description.hasPrefix("!") || node.mapping != nil
        if !tagged, let sequence = node.sequence { return try sequence.flatMap { try evaluate($0).items } }
        return try evaluate(node).items
    }

    private func function(_ name: String, argument node: Node) throws -> Value {
        switch name {
        case "Ref":
            guard let target = node.scalar?.string else { throw Unresolved(reason: "Ref needs a name") }
            return try ref(target)
        case "Sub":
            let items = argumentItems(node)
            if node.scalar != nil { return .string(try substitute(node.scalar!.string, variables: [:])) }
            guard let template = items.first?.string else { throw Unresolved(reason: "Fn::Sub needs a string") }
            var variables: [String: String] = [:]
            for (key, value) in items.dropFirst().first?.mapping ?? [:] {
                if let key = key.string { variables[key] = try evaluate(value).text }
            }
            return .string(try substitute(template, variables: variables))
        case "GetAtt":
            let parts: [String]
            if let text = node.scalar?.string { parts = text.split(separator: ".", maxSplits: 1).map(String.init) } else {
                parts = try argumentItems(node).map { try evaluate($0).text }
            }
            guard parts.count == 2 else { throw Unresolved(reason: "Fn::GetAtt needs Resource.Attribute") }
            return .string(try attribute(parts[0], parts[1]))
        case "Join":
            let items = argumentItems(node)
            guard items.count == 2, let delimiter = items[0].scalar?.string else { throw Unresolved(reason: "Fn::Join needs [delimiter, [values]]") }
            return .string(try list(items[1]).joined(separator: delimiter))
        case "Select":
            let items = argumentItems(node)
            guard items.count == 2, let index = Int(try evaluate(items[0]).text) else { throw Unresolved(reason: "Fn::Select needs [index, list]") }
            let values = try list(items[1])
            guard values.indices.contains(index) else { throw Unresolved(reason: "Fn::Select index \(index) is out of its list") }
            return .string(values[index])
        case "Split":
            let items = argumentItems(node)
            guard items.count == 2, let delimiter = items[0].scalar?.string else { throw Unresolved(reason: "Fn::Split needs [delimiter, string]") }
            return .list(try evaluate(items[1]).text.components(separatedBy: delimiter))
        case "If":
            let items = argumentItems(node)
            guard items.count == 3, let condition = items[0].scalar?.string else { throw Unresolved(reason: "Fn::If needs [condition, then, else]") }
            return try evaluate(try isTrue(condition) ? items[1] : items[2])
        case "Base64":
            // `!Base64 text`: the tagged scalar's own text (evaluating it again would find the tag again).
            let text = node.tag.description == "!Base64" ? (node.scalar?.string ?? "") : try evaluate(node).text
            return .string(Data(text.utf8).base64EncodedString())
        case "GetAZs":
            return .list(["a", "b", "c"].map { Self.region + $0 })
        case "ImportValue":
            throw Unresolved(reason: "Fn::ImportValue reads another stack's export, which only a deployment has")
        default:
            throw Unresolved(reason: "Fn::\(name) has no local value")
        }
    }

    func ref(_ target: String) throws -> Value {
        switch target {
        case "AWS::Region": return .string(Self.region)
        case "AWS::AccountId": return .string(FunctionConfigConstants.accountID)
        case "AWS::StackName": return .string(stackName)
        case "AWS::StackId": return .string("arn:aws:cloudformation:\(Self.region):\(FunctionConfigConstants.accountID):stack/\(stackName)/local")
        case "AWS::Partition": return .string("aws")
        case "AWS::URLSuffix": return .string("amazonaws.com")
        case "AWS::NoValue": return .string("")
        default: break
        }
        if let value = parameters[target] { return value }
        guard let resource = resources[target] else {
            throw Unresolved(reason: "Ref \(target) names no parameter with a value and no resource of the template")
        }
        let properties = resource["Properties"]
        let type = resource["Type"]?.string ?? ""
        func named(_ key: String, _ fallback: String) -> String { properties?[key].flatMap { try? evaluate($0).text } ?? fallback }
        switch type {
        case "AWS::Serverless::Function", "AWS::Lambda::Function": return .string(named("FunctionName", target))
        case "AWS::SQS::Queue": return .string("https://sqs.\(Self.region).amazonaws.com/\(FunctionConfigConstants.accountID)/\(named("QueueName", target))")
        case "AWS::SNS::Topic": return .string(arn("sns", named("TopicName", target)))
        case "AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable": return .string(named("TableName", target))
        case "AWS::S3::Bucket": return .string(named("BucketName", target.lowercased()))
        case "AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion":
            return .string("arn:aws:lambda:\(Self.region):\(FunctionConfigConstants.accountID):layer:\(named("LayerName", target)):1")
        default: return .string(target)
        }
    }

    private func arn(_ service: String, _ name: String) -> String {
        "arn:aws:\(service):\(Self.region):\(FunctionConfigConstants.accountID):\(name)"
    }

    private func attribute(_ target: String, _ attribute: String) throws -> String {
        guard let resource = resources[target] else { throw Unresolved(reason: "Fn::GetAtt \(target).\(attribute): no resource \(target) in the template") }
        let type = resource["Type"]?.string ?? ""
        let name = try ref(target).text
        switch (type, attribute) {
        case ("AWS::Serverless::Function", "Arn"), ("AWS::Lambda::Function", "Arn"):
            return "arn:aws:lambda:\(Self.region):\(FunctionConfigConstants.accountID):function:\(name)"
        case ("AWS::SQS::Queue", "Arn"): return arn("sqs", name.split(separator: "/").last.map(String.init) ?? target)
        case ("AWS::SQS::Queue", "QueueName"): return name.split(separator: "/").last.map(String.init) ?? target
        case ("AWS::SQS::Queue", "QueueUrl"): return name
        case ("AWS::SNS::Topic", "TopicArn"): return name
        case ("AWS::SNS::Topic", "TopicName"): return name.split(separator: ":").last.map(String.init) ?? target
        case ("AWS::DynamoDB::Table", "Arn"), ("AWS::Serverless::SimpleTable", "Arn"): return arn("dynamodb", "table/\(name)")
        case ("AWS::DynamoDB::Table", "StreamArn"): return arn("dynamodb", "table/\(name)/stream/local")
        case ("AWS::S3::Bucket", "Arn"): return "arn:aws:s3:::\(name)"
        case ("AWS::S3::Bucket", "DomainName"): return "\(name).s3.amazonaws.com"
        default:
            throw Unresolved(reason: "Fn::GetAtt \(target).\(attribute) has no local value (only a deployment knows it)")
        }
    }

    /// `${Name}`, `${AWS::Region}`, `${Resource.Attribute}`; `${!Literal}` stays `${Literal}`.
    private func substitute(_ template: String, variables: [String: String]) throws -> String {
        var result = ""
        var rest = Substring(template)
        while let open = rest.range(of: "${") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                result += rest[open.lowerBound...]
                return result
            }
            let name = String(rest[open.upperBound..<close])
            if name.hasPrefix("!") {
                result += "${" + name.dropFirst() + "}"
            } else if let value = variables[name] {
                result += value
            } else if name.contains("."), !name.hasPrefix("AWS::") {
                let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
                result += try attribute(parts[0], parts[1])
            } else {
                result += try ref(name).text
            }
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    func isTrue(_ condition: String) throws -> Bool {
        guard let node = conditions?[condition] else { throw Unresolved(reason: "no condition \(condition) in Conditions") }
        return try truth(node)
    }

    private func truth(_ node: Node) throws -> Bool {
        let (name, argument): (String, Node)
        if let mapping = node.mapping, mapping.count == 1, let key = mapping.first?.key.string {
            (name, argument) = (key.hasPrefix("Fn::") ? String(key.dropFirst(4)) : key, mapping.first!.value)
        } else {
            (name, argument) = (String(node.tag.description.dropFirst()), node)
        }
        let items = argumentItems(argument)
        switch name {
        case "Equals":
            guard items.count == 2 else { throw Unresolved(reason: "Fn::Equals needs two values") }
            return try evaluate(items[0]).text == evaluate(items[1]).text
        case "Not": return !(try truth(items[0]))
        case "And": return try items.allSatisfy(truth)
        case "Or": return try items.contains(where: truth)
        case "Condition":
            guard let other = argument.scalar?.string else { throw Unresolved(reason: "Condition needs a name") }
            return try isTrue(other)
        default: throw Unresolved(reason: "Fn::\(name) is not a condition function")
        }
    }
}

/// Facts the template's local values share with the runner (which owns `FunctionConfig`).
enum FunctionConfigConstants {
    /// The account of every local ARN: Lambda's own placeholder for "no account".
    static let accountID = "000000000000"
}
