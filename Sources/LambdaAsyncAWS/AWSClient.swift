import Foundation
import LambdaAsyncCore

/// An error AWS answered (or the network gave), with what a user can do about it.
public struct AWSError: Error, CustomStringConvertible, Sendable {
    public let service: String
    public let action: String
    public let status: Int
    public let code: String
    public let message: String

    public var description: String { "\(service) \(action): \(code)\(message.isEmpty ? "" : ": \(message)") (HTTP \(status))" }
}

/// Signs and sends requests to AWS services: the endpoint (with AWS_ENDPOINT_URL and
/// AWS_ENDPOINT_URL_<SERVICE> honoured, as the SDKs do), SigV4, retries with backoff and full
/// jitter on throttling, 5xx and network errors, and one retry after correcting the clock skew.
public actor AWSClient {
    public let region: String
    let environment: [String: String]
    let credentialsProvider: @Sendable () async throws -> AWSCredentials
    private var cached: AWSCredentials?
    /// Server time minus local time, learnt from a skew error's Date header.
    private var clockSkew: TimeInterval = 0
    public var maxAttempts = 5
    public func setMaxAttempts(_ attempts: Int) { maxAttempts = attempts }

    public init(region: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                credentials: @escaping @Sendable () async throws -> AWSCredentials) {
        self.region = region
        self.environment = environment
        credentialsProvider = credentials
    }

    public func credentials() async throws -> AWSCredentials {
        if let cached, cached.expiration.map({ $0.timeIntervalSinceNow > 300 }) ?? true { return cached }
        let fresh = try await credentialsProvider()
        cached = fresh
        return fresh
    }

    /// The service's endpoint: AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL, else AWS's.
    public nonisolated func endpoint(_ service: String) -> (url: URL, custom: Bool) {
        if environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() != "true" {
            let key = "AWS_ENDPOINT_URL_" + Self.serviceID(service)
            if let value = environment[key] ?? environment["AWS_ENDPOINT_URL"], let url = URL(string: value), url.scheme != nil {
                return (url, true)
            }
        }
        let domain = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return (URL(string: "https://\(service).\(region).\(domain)")!, false)
    }

    static func serviceID(_ service: String) -> String {
        ["cloudformation": "CLOUDFORMATION", "s3": "S3", "sts": "STS", "lambda": "LAMBDA", "iam": "IAM"][service] ?? service.uppercased()
    }

    /// A query-protocol call (CloudFormation, STS): form-encoded POST, XML answer. `unsigned` for
    /// the calls that carry their own proof (AssumeRoleWithWebIdentity).
    public func query(_ service: String, _ action: String, version: String, _ parameters: [String: String],
                      unsigned: Bool = false) async throws -> XMLElement {
        var form = parameters
        form["Action"] = action
        form["Version"] = version
        let body = Data(form.sorted { $0.key < $1.key }.map { "\(SigV4.encode($0.key))=\(SigV4.encode($0.value))" }.joined(separator: "&").utf8)
        let response = try await send(service, action: action, method: "POST", url: endpoint(service).url,
                                      headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"], body: body,
                                      unsigned: unsigned)
        guard let xml = XMLElement.parse(response.body) else {
            throw AWSError(service: service, action: action, status: response.status, code: "UnreadableAnswer", message: String(decoding: response.body.prefix(200), as: UTF8.self))
        }
        return xml
    }

    /// Signs and sends one request, retrying what may succeed later. Errors (status >= 300) throw.
    public func send(_ service: String, action: String, method: String, url: URL, headers: [String: String] = [:], body: Data = Data(),
                     unsigned: Bool = false) async throws -> HTTP.Response {
        var attempt = 0
        var skewCorrected = false
        while true {
            attempt += 1
            let date = Date().addingTimeInterval(clockSkew)
            var signed = headers
            if !unsigned {
                signed = SigV4(credentials: try await credentials(), region: region, service: service)
                    .sign(method: method, url: url, headers: headers, body: body, date: date)
            }
            let response: HTTP.Response
            do {
                response = try await HTTP.send(method: method, url: url, headers: signed, body: body)
            } catch {
                if attempt < maxAttempts { try await backoff(attempt); continue }
                throw AWSError(service: service, action: action, status: 0, code: "NetworkError", message: "\(url.host ?? url.absoluteString): \(error.localizedDescription)")
            }
            if response.status < 300 { return response }
            let error = Self.error(service: service, action: action, response)
            if !skewCorrected, ["RequestTimeTooSkewed", "RequestExpired", "InvalidSignatureException", "SignatureDoesNotMatch"].contains(error.code)
                || error.message.contains("Signature expired"),
               let serverDate = response.header("Date").flatMap(Self.httpDate), abs(serverDate.timeIntervalSinceNow - clockSkew) > 60 {
                clockSkew = serverDate.timeIntervalSinceNow
                skewCorrected = true
                continue
            }
            let retryable = response.status == 429 || response.status >= 500
                || ["Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException", "SlowDown",
                    "RequestTimeout", "ProvisionedThroughputExceededException", "PriorRequestNotComplete"].contains(error.code)
            if retryable, attempt < maxAttempts {
                try await backoff(attempt)
                continue
            }
            throw error
        }
    }

    /// Exponential backoff with full jitter: up to 0.1 s, 0.2 s, 0.4 s... capped at 5 s.
    func backoff(_ attempt: Int) async throws {
        let cap = min(5.0, 0.1 * pow(2.0, Double(attempt - 1)))
        try await Task.sleep(nanoseconds: UInt64(Double.random(in: 0...cap) * 1_000_000_000))
    }

    static func error(service: String, action: String, _ response: HTTP.Response) -> AWSError {
        var code = response.header("x-amzn-ErrorType").map { String($0.split(separator: ":").first ?? "") } ?? ""
        var message = ""
        if let xml = XMLElement.parse(response.body) {
            // <ErrorResponse><Error>, S3's <Error>, EC2-style <Response><Errors><Error>: the first Code.
            code = (xml.name == "Code" ? xml.text : xml.descendant("Code")?.text) ?? code
            message = (xml.name == "Message" ? xml.text : xml.descendant("Message")?.text) ?? ""
        } else if let json = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] {
            code = code.isEmpty ? String((json["__type"] as? String ?? "").split(separator: "#").last ?? "") : code
            message = json["message"] as? String ?? json["Message"] as? String ?? ""
        }
        if code.isEmpty { code = response.status == 404 ? "NotFound" : response.status == 403 ? "AccessDenied" : "HTTP\(response.status)" }
        return AWSError(service: service, action: action, status: response.status, code: code, message: message)
    }

    /// An HTTP date (`Tue, 01 Dec 2026 00:55:00 GMT`), as servers send in `Date`.
    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss 'GMT'", "EEE, dd MMM yyyy HH:mm:ss zzz"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}

extension AWSError: UserFacingError {
    public var kind: FailureKind { .failed }

    /// The error and what to do about it.
    public var userMessage: String {
        switch code {
        case "InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "InvalidAccessKeyId":
            return "\(self)\nThe credentials were refused: check the keys, the profile (--profile) or the session's expiry."
        case "ExpiredToken", "ExpiredTokenException":
            return "\(self)\nThe session expired: sign in again (aws sso login, or new keys)."
        case "AccessDenied", "AccessDeniedException":
            return "\(self)\nThe identity may not do this: it needs cloudformation:*, s3 on the artifacts bucket, iam:PassRole and lambda:GetFunction."
        case "NetworkError":
            return "\(self)\nNo answer from AWS: check the network, the region, or AWS_ENDPOINT_URL."
        default:
            return "\(self)"
        }
    }
}
