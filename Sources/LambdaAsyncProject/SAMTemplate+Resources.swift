import Foundation
import Yams

/// The AWS resources of a project that its functions use and that a local AWS (moto's server,
/// LocalStack) can hold: SQS queues, DynamoDB tables, SNS topics and S3 buckets, with the names the
/// template resolves to locally (the same names the functions' variables carry).
public struct LocalResource: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case queue = "SQS queue", table = "DynamoDB table", topic = "SNS topic", bucket = "S3 bucket"
    }

    public struct Key: Sendable, Equatable {
        public let attribute: String
        /// HASH or RANGE.
        public let keyType: String
    }

    public struct Index: Sendable, Equatable {
        public let name: String
        public let keys: [Key]
        /// ALL, KEYS_ONLY or INCLUDE, and the attributes INCLUDE names.
        public let projection: String
        public let nonKeyAttributes: [String]
    }

    public let logicalID: String
    public let kind: Kind
    public let name: String
    /// A queue's attributes as CreateQueue takes them (FifoQueue, VisibilityTimeout, ...); a
    /// RedrivePolicy names its dead-letter queue by ARN.
    public var queueAttributes: [String: String] = [:]
    /// A table's attribute types (S, N, B) and keys.
    public var attributeTypes: [String: String] = [:]
    public var keys: [Key] = []
    public var globalIndexes: [Index] = []
    public var localIndexes: [Index] = []
    /// The attribute DynamoDB expires items by, when TTL is enabled.
    public var timeToLiveAttribute: String?
}

extension SAMTemplate {
    static let localResourceTypes: [String: LocalResource.Kind] = [
        "AWS::SQS::Queue": .queue, "AWS::DynamoDB::Table": .table, "AWS::Serverless::SimpleTable": .table,
        "AWS::SNS::Topic": .topic, "AWS::S3::Bucket": .bucket,
    ]

    /// The template's queues, tables, topics and buckets that some function names (in its variables,
    /// policies, destinations or events) and whose Condition, if any, holds.
    static func localResources(resources: Node.Mapping, intrinsics: Intrinsics) -> [LocalResource] {
        var referenced: Set<String> = []
        for (_, resource) in resources where ["AWS::Serverless::Function", "AWS::Lambda::Function"].contains(resource["Type"]?.string ?? "") {
            collectReferences(resource, into: &referenced)
        }
        var found: [LocalResource] = []
        for (key, resource) in resources {
            guard let logicalID = key.string, referenced.contains(logicalID),
                  let kind = resource["Type"]?.string.flatMap({ localResourceTypes[$0] }) else { continue }
            if let condition = resource["Condition"]?.string, (try? intrinsics.isTrue(condition)) == false { continue }
            guard let nameValue = try? intrinsics.ref(logicalID) else { continue }
            var name = nameValue.text
            let properties = resource["Properties"]
            func text(_ node: Node?) -> String? { node.flatMap { try? intrinsics.evaluate($0).text } }
            switch kind {
            case .queue:
                // A queue's Ref is its URL; the name is its last part.
                name = name.split(separator: "/").last.map(String.init) ?? logicalID
                var attributes: [String: String] = [:]
                for attribute in ["FifoQueue", "ContentBasedDeduplication", "VisibilityTimeout", "DelaySeconds",
                                  "MessageRetentionPeriod", "MaximumMessageSize", "ReceiveMessageWaitTimeSeconds"] {
                    if let value = text(properties?[attribute]) { attributes[attribute] = value }
                }
                if let redrive = properties?["RedrivePolicy"], let target = text(redrive["deadLetterTargetArn"]) {
                    let count = text(redrive["maxReceiveCount"]) ?? "3"
                    attributes["RedrivePolicy"] = #"{"deadLetterTargetArn":"\#(target)","maxReceiveCount":\#(count)}"#
                }
                var queue = LocalResource(logicalID: logicalID, kind: kind, name: name)
                queue.queueAttributes = attributes
                found.append(queue)
            case .table:
                var table = LocalResource(logicalID: logicalID, kind: kind, name: name)
                if resource["Type"]?.string == "AWS::Serverless::SimpleTable" {
                    // SAM's SimpleTable: one hash key, `id` of type String unless PrimaryKey says otherwise.
                    let key = text(properties?["PrimaryKey"]?["Name"]) ?? "id"
                    let type = ["String": "S", "Number": "N", "Binary": "B"][text(properties?["PrimaryKey"]?["Type"]) ?? "String"] ?? "S"
                    table.attributeTypes = [key: type]
                    table.keys = [.init(attribute: key, keyType: "HASH")]
                } else {
                    for definition in properties?["AttributeDefinitions"]?.sequence ?? [] {
                        if let name = text(definition["AttributeName"]), let type = text(definition["AttributeType"]) { table.attributeTypes[name] = type }
                    }
                    func keys(_ node: Node?) -> [LocalResource.Key] {
                        (node?.sequence ?? []).compactMap { key in
                            guard let name = text(key["AttributeName"]), let type = text(key["KeyType"]) else { return nil }
                            return .init(attribute: name, keyType: type)
                        }
                    }
                    func indexes(_ node: Node?) -> [LocalResource.Index] {
                        (node?.sequence ?? []).compactMap { index in
                            guard let name = text(index["IndexName"]) else { return nil }
                            return .init(name: name, keys: keys(index["KeySchema"]),
                                         projection: text(index["Projection"]?["ProjectionType"]) ?? "ALL",
                                         nonKeyAttributes: (index["Projection"]?["NonKeyAttributes"]?.sequence ?? []).compactMap(text))
                        }
                    }
                    table.keys = keys(properties?["KeySchema"])
                    table.globalIndexes = indexes(properties?["GlobalSecondaryIndexes"])
                    table.localIndexes = indexes(properties?["LocalSecondaryIndexes"])
                    if let ttl = properties?["TimeToLiveSpecification"], text(ttl["Enabled"])?.lowercased() == "true" {
                        table.timeToLiveAttribute = text(ttl["AttributeName"])
                    }
                }
                found.append(table)
            case .topic:
                found.append(LocalResource(logicalID: logicalID, kind: kind, name: name.split(separator: ":").last.map(String.init) ?? logicalID))
            case .bucket:
                found.append(LocalResource(logicalID: logicalID, kind: kind, name: name))
            }
        }
        return found.sorted { $0.logicalID < $1.logicalID }
    }

    /// Every logical ID a node names: `Ref`, `Fn::GetAtt`, `${Name}` and `${Name.Attribute}` in `Fn::Sub`.
    static func collectReferences(_ node: Node, into names: inout Set<String>) {
        let tag = node.tag.description
        if let scalar = node.scalar {
            switch tag {
            case "!Ref": names.insert(scalar.string)
            case "!GetAtt": names.insert(String(scalar.string.split(separator: ".").first ?? ""))
            case "!Sub": collectSubstitutions(scalar.string, into: &names)
            default: break
            }
            return
        }
        if let sequence = node.sequence {
            if tag == "!GetAtt", let first = sequence.first?.string { names.insert(first) }
            if tag == "!Sub", let first = sequence.first?.string { collectSubstitutions(first, into: &names) }
            for item in sequence { collectReferences(item, into: &names) }
            return
        }
        for (key, value) in node.mapping ?? [:] {
            switch key.string {
            case "Ref": if let name = value.string { names.insert(name) }
            case "Fn::GetAtt":
                if let first = value.sequence?.first?.string ?? value.string?.split(separator: ".").first.map(String.init) { names.insert(first) }
            case "Fn::Sub":
                if let text = value.string ?? value.sequence?.first?.string { collectSubstitutions(text, into: &names) }
            default: break
            }
            collectReferences(value, into: &names)
        }
    }

    private static func collectSubstitutions(_ text: String, into names: inout Set<String>) {
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else { break }
            let name = rest[open.upperBound..<close]
            if !name.hasPrefix("!") { names.insert(String(name.split(separator: ".").first ?? "")) }
            rest = rest[rest.index(after: close)...]
        }
    }
}
