import LambdaAsyncCore
import Foundation

/// Sample events of the common event sources, as Lambda delivers them (`lambda-async event`), from
/// the data files in Templates/events/ (each validated against Powertools' models by a test), with
/// the fields people change set from flags.
public enum SampleEvents {
    public enum Source: String, CaseIterable, Sendable {
        case apiGatewayRest = "api-gateway-rest"
        case apiGatewayHttp = "api-gateway-http"
        case functionURL = "function-url"
        case sqs, sns, s3, eventbridge, scheduled
        case dynamodbStreams = "dynamodb-streams"
        case kinesis

        public var summary: String {
            switch self {
            case .apiGatewayRest: return "API Gateway REST API, Lambda proxy integration (payload 1.0)"
            case .apiGatewayHttp: return "API Gateway HTTP API (payload 2.0)"
            case .functionURL: return "function URL request (payload 2.0)"
            case .sqs: return "SQS batch of one message"
            case .sns: return "SNS notification"
            case .s3: return "S3 object created"
            case .eventbridge: return "EventBridge event"
            case .scheduled: return "EventBridge Scheduler / scheduled rule"
            case .dynamodbStreams: return "DynamoDB Streams INSERT record"
            case .kinesis: return "Kinesis Data Streams record (data base64-encoded)"
            }
        }

        /// The flags that change this source's event.
        public var fields: [Field] {
            switch self {
            case .apiGatewayRest, .apiGatewayHttp, .functionURL: return [.body, .method, .path]
            case .sqs, .sns, .kinesis: return [.body, .region]
            case .s3: return [.bucket, .key, .region]
            case .eventbridge: return [.source, .detailType, .detail, .region]
            case .scheduled, .dynamodbStreams: return [.region]
            }
        }
    }

    public enum Field: String, Sendable { case body, method, path, bucket, key, source = "event-source", detailType = "detail-type", detail, region }

    public struct Overrides: Sendable {
        public var body: String?
        public var method: String?
        public var path: String?
        public var bucket: String?
        public var key: String?
        public var source: String?
        public var detailType: String?
        public var detail: String?
        public var region: String?
        public init() {}

        var given: [Field] {
            [(Field.body, body), (.method, method), (.path, path), (.bucket, bucket), (.key, key), (.source, source),
             (.detailType, detailType), (.detail, detail), (.region, region)].compactMap { $0.1 == nil ? nil : $0.0 }
        }
    }

    public enum EventError: UserFacingError {
        case notApplicable(Field, Source)
        case notJSON(String)
        public var kind: FailureKind { .badInput }
        public var description: String {
            switch self {
            case .notApplicable(let field, let source):
                return "--\(field.rawValue) does not apply to \(source.rawValue) events; they take \(source.fields.map { "--\($0.rawValue)" }.joined(separator: ", "))"
            case .notJSON(let what): return what
            }
        }
    }

    /// The event as JSON text (keys sorted, pretty-printed).
    public static func event(_ source: Source, _ overrides: Overrides = Overrides()) throws -> String {
        for field in overrides.given where !source.fields.contains(field) { throw EventError.notApplicable(field, source) }
        guard let file = EmbeddedTemplates.files.first(where: { $0.path == "events/\(source.rawValue).json" }),
              var event = try JSONSerialization.jsonObject(with: Data(file.contents.utf8)) as? [String: Any] else {
            preconditionFailure("Templates/events/\(source.rawValue).json is embedded and is a JSON object")
        }
        apply(overrides, to: &event, source: source)
        if let detail = overrides.detail {
            guard let object = try? JSONSerialization.jsonObject(with: Data(detail.utf8)) as? [String: Any] else {
                throw EventError.notJSON("--detail must be a JSON object, for example '{\"orderId\": \"o-1\"}'")
            }
            event["detail"] = object
        }
        let data = try JSONSerialization.data(withJSONObject: event, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    private static func apply(_ overrides: Overrides, to event: inout [String: Any], source: Source) {
        func record(_ change: (inout [String: Any]) -> Void) {
            guard var records = event["Records"] as? [[String: Any]], !records.isEmpty else { return }
            change(&records[0])
            event["Records"] = records
        }
        func nested(_ key: String, _ change: @escaping (inout [String: Any]) -> Void) -> (inout [String: Any]) -> Void {
            { parent in
                var child = parent[key] as? [String: Any] ?? [:]
                change(&child)
                parent[key] = child
            }
        }
        switch source {
        case .apiGatewayRest:
            if let body = overrides.body { event["body"] = body }
            if let method = overrides.method?.uppercased() {
                event["httpMethod"] = method
                nested("requestContext") { $0["httpMethod"] = method }(&event)
            }
            if let path = overrides.path {
                event["path"] = path
                nested("requestContext") { $0["path"] = "/prod" + path }(&event)
            }
        case .apiGatewayHttp, .functionURL:
            if let body = overrides.body {
                event["body"] = body
                nested("headers") { $0["content-length"] = String(body.utf8.count) }(&event)
            }
            let method = overrides.method?.uppercased(), path = overrides.path
            if method != nil || path != nil {
                nested("requestContext") { context in
                    nested("http") { http in
                        if let method { http["method"] = method }
                        if let path { http["path"] = path }
                    }(&context)
                }(&event)
                if let path { event["rawPath"] = path }
                if source == .apiGatewayHttp, let method {
                    let route = (event["routeKey"] as? String)?.split(separator: " ", maxSplits: 1).last.map(String.init) ?? "/"
                    event["routeKey"] = "\(method) \(route)"
                    nested("requestContext") { $0["routeKey"] = "\(method) \(route)" }(&event)
                }
            }
        case .sqs:
            if let body = overrides.body { record { $0["body"] = body } }
        case .sns:
            if let body = overrides.body { record(nested("Sns") { $0["Message"] = body }) }
        case .kinesis:
            if let body = overrides.body { record(nested("kinesis") { $0["data"] = Data(body.utf8).base64EncodedString() }) }
        case .s3:
            record(nested("s3") { s3 in
                if let bucket = overrides.bucket {
                    nested("bucket") { $0["name"] = bucket; $0["arn"] = "arn:aws:s3:::\(bucket)" }(&s3)
                }
                if let key = overrides.key { nested("object") { $0["key"] = key }(&s3) }
            })
        case .eventbridge:
            if let value = overrides.source { event["source"] = value }
            if let value = overrides.detailType { event["detail-type"] = value }
        case .scheduled, .dynamodbStreams:
            break
        }
        if let region = overrides.region {
            if event["region"] != nil { event["region"] = region }
            record { $0["awsRegion"] = region }
        }
    }
}
