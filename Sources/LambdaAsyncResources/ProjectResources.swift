import Foundation
import LambdaAsyncAWS
import LambdaAsyncCore
import LambdaAsyncProject

/// A project's queues, tables, topics and buckets in a local AWS (moto's server, LocalStack): made
/// with the names the template resolves to, counted and shown, and the target of destination records.
/// The calls are signed with placeholder keys: local emulators route by the credential scope.
public struct ProjectResources: Sendable {
    public let endpoint: String
    public let resources: [LocalResource]
    let client: AWSClient

    public init(endpoint: String, resources: [LocalResource]) {
        self.endpoint = endpoint
        self.resources = resources
        let credentials = AWSCredentials(accessKeyID: "local", secretAccessKey: "local", source: "lambda-async (local AWS)")
        client = AWSClient(region: LocalAWSConstants.region, environment: ["AWS_ENDPOINT_URL": endpoint],
                           credentials: { credentials })
    }

    /// Makes every resource; one that exists already (a LocalStack kept from an earlier run) is kept.
    public func create() async throws {
        await client.setMaxAttempts(2)
        // Queues without their redrive first: a dead-letter queue must exist before the queue naming it.
        for resource in resources where resource.kind == .queue {
            try await createQueue(resource, attributes: resource.queueAttributes.filter { $0.key != "RedrivePolicy" })
        }
        for resource in resources where resource.kind == .queue && resource.queueAttributes["RedrivePolicy"] != nil {
            _ = try await client.query("sqs", "SetQueueAttributes", version: "2012-11-05",
                                       ["QueueUrl": queueURL(resource.name), "Attribute.1.Name": "RedrivePolicy",
                                        "Attribute.1.Value": resource.queueAttributes["RedrivePolicy"]!])
        }
        for resource in resources {
            switch resource.kind {
            case .table: try await createTable(resource)
            case .topic: _ = try await client.query("sns", "CreateTopic", version: "2010-03-31", ["Name": resource.name])
            case .bucket:
                do {
                    _ = try await client.send("s3", action: "CreateBucket", method: "PUT", url: s3URL(resource.name))
                } catch let error as AWSError where ["BucketAlreadyOwnedByYou", "BucketAlreadyExists"].contains(error.code) {}
            case .queue: break
            }
        }
    }

    private func createQueue(_ resource: LocalResource, attributes: [String: String]) async throws {
        var parameters = ["QueueName": resource.name]
        for (index, (name, value)) in attributes.sorted(by: { $0.key < $1.key }).enumerated() {
            parameters["Attribute.\(index + 1).Name"] = name
            parameters["Attribute.\(index + 1).Value"] = value
        }
        _ = try await client.query("sqs", "CreateQueue", version: "2012-11-05", parameters)
    }

    private func createTable(_ table: LocalResource) async throws {
        func keys(_ keys: [LocalResource.Key]) -> [[String: String]] { keys.map { ["AttributeName": $0.attribute, "KeyType": $0.keyType] } }
        func indexes(_ indexes: [LocalResource.Index]) -> [[String: Any]] {
            indexes.map { index in
                var projection: [String: Any] = ["ProjectionType": index.projection]
                if !index.nonKeyAttributes.isEmpty { projection["NonKeyAttributes"] = index.nonKeyAttributes }
                return ["IndexName": index.name, "KeySchema": keys(index.keys), "Projection": projection]
            }
        }
        // On demand locally, whatever the template's capacity: throughput is not what is being tried.
        var request: [String: Any] = [
            "TableName": table.name, "BillingMode": "PAY_PER_REQUEST", "KeySchema": keys(table.keys),
            "AttributeDefinitions": table.attributeTypes.sorted { $0.key < $1.key }.map { ["AttributeName": $0.key, "AttributeType": $0.value] },
        ]
        if !table.globalIndexes.isEmpty { request["GlobalSecondaryIndexes"] = indexes(table.globalIndexes) }
        if !table.localIndexes.isEmpty { request["LocalSecondaryIndexes"] = indexes(table.localIndexes) }
        do {
            _ = try await dynamoDB("CreateTable", request)
        } catch let error as AWSError where error.code == "ResourceInUseException" {
            return
        }
        if let attribute = table.timeToLiveAttribute {
            _ = try await dynamoDB("UpdateTimeToLive", ["TableName": table.name,
                                                        "TimeToLiveSpecification": ["AttributeName": attribute, "Enabled": true]])
        }
    }

    // MARK: What landed where

    /// One resource's content: how many records, and the first few of them (message bodies, items, keys).
    public struct Content: Sendable, Codable, Equatable {
        public let logicalID: String
        public let kind: LocalResource.Kind
        public let name: String
        /// Messages, items or objects; nil for a topic (what was published is not kept).
        public let count: Int?
        public let records: [String]

        /// "1 message", "3 items", "0 objects"; nil for a topic, or when the resource could not be read.
        public var amount: String? {
            guard let count else { return nil }
            switch kind {
            case .queue: return "\(count) message\(count == 1 ? "" : "s")"
            case .table: return "\(count) item\(count == 1 ? "" : "s")"
            case .bucket: return "\(count) object\(count == 1 ? "" : "s")"
            case .topic: return nil
            }
        }
    }

    /// What each resource holds now. Reading leaves it as it was (messages stay visible).
    public func contents(limit: Int = 10) async -> [Content] {
        var found: [Content] = []
        for resource in resources {
            var count: Int?
            var records: [String] = []
            switch resource.kind {
            case .queue:
                if let xml = try? await client.query("sqs", "GetQueueAttributes", version: "2012-11-05",
                                                     ["QueueUrl": queueURL(resource.name), "AttributeName.1": "All"]) {
                    let attributes = Dictionary(xml.all("GetQueueAttributesResult", "Attribute").compactMap { attribute -> (String, String)? in
                        guard let name = attribute.first("Name")?.text, let value = attribute.first("Value")?.text else { return nil }
                        return (name, value)
                    }, uniquingKeysWith: { $1 })
                    count = (Int(attributes["ApproximateNumberOfMessages"] ?? "") ?? 0) + (Int(attributes["ApproximateNumberOfMessagesNotVisible"] ?? "") ?? 0)
                }
                // Reading a message is a receive: with a redrive policy it would count toward moving the
                // message to its dead-letter queue, so such a queue is counted, not read.
                if (count ?? 0) > 0, resource.queueAttributes["RedrivePolicy"] == nil,
                   let xml = try? await client.query("sqs", "ReceiveMessage", version: "2012-11-05",
                        ["QueueUrl": queueURL(resource.name), "MaxNumberOfMessages": String(min(10, limit)), "VisibilityTimeout": "0"]) {
                    records = xml.all("ReceiveMessageResult", "Message").compactMap { $0.first("Body")?.text }
                }
            case .table:
                if let answer = try? await dynamoDB("Scan", ["TableName": resource.name, "Limit": max(1, limit)]) {
                    let items = answer["Items"] as? [[String: Any]] ?? []
                    records = items.compactMap { item in
                        (try? JSONSerialization.data(withJSONObject: item, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) }
                    }
                    count = items.count
                    if answer["LastEvaluatedKey"] != nil, let all = try? await dynamoDB("Scan", ["TableName": resource.name, "Select": "COUNT"]) {
                        count = all["Count"] as? Int ?? count
                    }
                }
            case .bucket:
                if let response = try? await client.send("s3", action: "ListObjectsV2", method: "GET", url: s3URL(resource.name, query: "list-type=2")),
                   let xml = XMLElement.parse(response.body) {
                    count = Int(xml.first("KeyCount")?.text ?? "")
                    records = Array(xml.all("", "Contents").compactMap { $0.first("Key")?.text }.prefix(limit))
                }
            case .topic:
                count = nil
            }
            found.append(Content(logicalID: resource.logicalID, kind: resource.kind, name: resource.name, count: count, records: records))
        }
        return found
    }

    /// One line per resource that can be counted: "FailedTasksQueue (SQS queue): 1 message".
    public static func summary(_ contents: [Content]) -> [String] {
        contents.compactMap { content in content.amount.map { "\(content.logicalID) (\(content.kind.rawValue)): \($0)" } }
    }

    // MARK: Destinations

    /// Sends an asynchronous invocation's destination record to the project's queue, topic or bucket
    /// `target` (a logical ID or an ARN); where it went, or nil when `target` is none of them.
    public func deliver(_ record: [UInt8], to target: String) async throws -> String? {
        let name = target.split(separator: ":").last.map(String.init) ?? target
        guard let resource = resources.first(where: { $0.logicalID == target || $0.name == name }) else { return nil }
        let body = String(decoding: record, as: UTF8.self)
        switch resource.kind {
        case .queue:
            var parameters = ["QueueUrl": queueURL(resource.name), "MessageBody": body]
            if resource.name.hasSuffix(".fifo") {
                parameters["MessageGroupId"] = "lambda-async"
                parameters["MessageDeduplicationId"] = UUID().uuidString
            }
            _ = try await client.query("sqs", "SendMessage", version: "2012-11-05", parameters)
        case .topic:
            _ = try await client.query("sns", "Publish", version: "2010-03-31",
                                       ["TopicArn": "arn:aws:sns:\(LocalAWSConstants.region):\(LocalAWSConstants.accountID):\(resource.name)", "Message": body])
        case .bucket:
            // As Lambda names them: aws/lambda/async/<function>/<date>/<request id>.
            let key = "aws/lambda/async/\(UUID().uuidString.lowercased())"
            _ = try await client.send("s3", action: "PutObject", method: "PUT", url: s3URL(resource.name, key: key),
                                      headers: ["Content-Type": "application/json"], body: Data(record))
        case .table:
            return nil
        }
        return "\(resource.logicalID) (\(resource.kind.rawValue), local AWS)"
    }

    // MARK: Wire

    func queueURL(_ name: String) -> String { "\(endpoint)/\(LocalAWSConstants.accountID)/\(name)" }

    func s3URL(_ bucket: String, key: String? = nil, query: String? = nil) -> URL {
        var text = endpoint + "/" + bucket + (key.map { "/" + $0 } ?? "")
        if let query { text += "?" + query }
        return URL(string: text)!
    }

    func dynamoDB(_ action: String, _ request: [String: Any]) async throws -> [String: Any] {
        let body = try JSONSerialization.data(withJSONObject: request, options: [.sortedKeys])
        let response = try await client.send("dynamodb", action: action, method: "POST", url: URL(string: endpoint)!,
                                             headers: ["Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.\(action)"],
                                             body: body)
        return (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
    }
}
