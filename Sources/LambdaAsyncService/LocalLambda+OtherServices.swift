import Foundation
import NIOHTTP1

/// A function's call to another AWS service that came here (AWS_ENDPOINT_URL is the runner's own port
/// when there is no local AWS): refused at once, with what to do, rather than sent to AWS.
extension LocalLambda {
    /// The service a SigV4 Authorization header's credential scope names (`.../us-east-1/sqs/aws4_request`).
    static func signedService(_ headers: HTTPHeaders) -> String? {
        guard let authorization = headers.first(name: "Authorization"), authorization.hasPrefix("AWS4-HMAC-SHA256"),
              let credential = authorization.range(of: "Credential=") else { return nil }
        let scope = authorization[credential.upperBound...].prefix { $0 != "," && $0 != " " }.split(separator: "/")
        return scope.count >= 5 ? String(scope[scope.count - 2]) : nil
    }

    /// 400 in the shape the caller's SDK reads (XML for query-protocol services, JSON otherwise), so the
    /// function's log shows the reason; SDKs do not retry it.
    func refuseService(_ service: String, headers: HTTPHeaders, writer: ResponseWriter) {
        let message = "lambda-async: this run has no local \(service) (the template declares no queue, table, topic or bucket the function uses, "
            + "or moto's server could not start), and calls to AWS stay on this machine; pass --aws-endpoint-url URL (moto's server, LocalStack), "
            + "or --aws-credentials to reach your AWS account"
        options.log("\(service) call refused: no local AWS for it in this run (--aws-endpoint-url or --aws-credentials)")
        let escaped = message.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        let error = "<Error><Type>Sender</Type><Code>NoLocalEndpoint</Code><Message>\(escaped)</Message></Error>"
        if service == "s3" {
            // REST-XML: the error alone.
            writer.send(400, [("Content-Type", "application/xml")], Array(error.utf8))
        } else if headers.first(name: "Content-Type")?.hasPrefix("application/x-www-form-urlencoded") == true {
            // The query protocol (SNS, and SQS's older clients): wrapped in ErrorResponse.
            writer.send(400, [("Content-Type", "text/xml")], Array("<ErrorResponse>\(error)<RequestId>local</RequestId></ErrorResponse>".utf8))
        } else {
            refuse(writer, .badRequest, "NoLocalEndpoint", message)
        }
    }
}
