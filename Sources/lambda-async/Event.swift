import ArgumentParser
import Foundation
import LambdaAsyncCore
import LambdaAsyncScaffold

extension SampleEvents.Source: ExpressibleByArgument {}

/// `lambda-async event SOURCE`: a sample event to invoke a function with, as Lambda delivers it.
struct Event: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a sample event of a common event source, as Lambda delivers it.",
        discussion: """
            The events come with the binary (no network) and pass Powertools for AWS Lambda's models of each \
            source. Flags set the fields people change; pipe the event into invoke.

            Examples:
              lambda-async event sqs --body '{"orderId": "o-7"}'
              lambda-async event api-gateway-http --method GET --path /orders/7
              lambda-async event s3 --bucket uploads --key reports/2026.csv
              lambda-async event sqs | lambda-async invoke orders-api --event -
              lambda-async event --list
            """)

    @Argument(help: "The event source.")
    var source: SampleEvents.Source?

    @Flag(help: "List the sources and the flags each takes.")
    var list = false

    @Option(help: "The payload: an HTTP body, an SQS message body, an SNS message, Kinesis data (encoded for you).")
    var body: String?

    @Option(help: "The HTTP method (API Gateway, function URL).")
    var method: String?

    @Option(help: "The request path (API Gateway, function URL).")
    var path: String?

    @Option(help: "The bucket (S3).")
    var bucket: String?

    @Option(help: "The object key (S3).")
    var key: String?

    @Option(name: .customLong("event-source"), help: "The event's source (EventBridge), for example com.example.orders.")
    var eventSource: String?

    @Option(help: "The event's detail-type (EventBridge).")
    var detailType: String?

    @Option(help: "The event's detail, a JSON object (EventBridge).")
    var detail: String?

    @Option(help: "The region in the event (SQS, SNS, S3, EventBridge, DynamoDB, Kinesis).")
    var region: String?

    func validate() throws {
        if list, source != nil { throw ValidationError("--list takes no source") }
        if !list, source == nil {
            throw ValidationError("name a source: \(SampleEvents.Source.allCases.map(\.rawValue).joined(separator: ", ")) (or --list)")
        }
    }

    func run() throws {
        if list {
            let rows = SampleEvents.Source.allCases.map { [$0.rawValue, $0.fields.map { "--\($0.rawValue)" }.joined(separator: " "), $0.summary] }
            return print(Columns(header: ["SOURCE", "FLAGS", "EVENT"], rows: rows).render(style: .standardOutput))
        }
        var overrides = SampleEvents.Overrides()
        overrides.body = body
        overrides.method = method
        overrides.path = path
        overrides.bucket = bucket
        overrides.key = key
        overrides.source = eventSource
        overrides.detailType = detailType
        overrides.detail = detail
        overrides.region = region
        print(try SampleEvents.event(source!, overrides))
    }
}
