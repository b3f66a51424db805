import Crypto
import Foundation

/// Checks a SigV4-signed request as an AWS service does, against credentials this process holds:
/// the access key must be one of them, the signature must be the one its secret gives for this very
/// request (method, path, query, the signed headers, the body's SHA-256), and its time within 15
/// minutes of now. What an `AWS_IAM` function URL or API route of `serve` asks of its callers.
public struct SigV4Verifier: Sendable {
    /// Secret access keys by access key id.
    let secrets: [String: String]

    public init(credentials: [AWSCredentials]) {
        secrets = Dictionary(credentials.map { ($0.accessKeyID, $0.secretAccessKey) }, uniquingKeysWith: { first, _ in first })
    }

    /// The keys of the shell that runs the command, without any network: AWS_ACCESS_KEY_ID and
    /// AWS_SECRET_ACCESS_KEY, else the static keys of the profile (AWS_PROFILE or default) in
    /// ~/.aws/credentials and ~/.aws/config. Nil when neither has keys.
    public static func shellCredentials(environment: [String: String] = ProcessInfo.processInfo.environment) -> AWSCredentials? {
        if let id = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"], !id.isEmpty {
            return AWSCredentials(accessKeyID: id, secretAccessKey: secret, source: "environment")
        }
        let name = environment["AWS_PROFILE"] ?? environment["AWS_DEFAULT_PROFILE"] ?? "default"
        guard let profile = SharedConfig(environment: environment).profile(name),
              let id = profile["aws_access_key_id"], let secret = profile["aws_secret_access_key"] else { return nil }
        return AWSCredentials(accessKeyID: id, secretAccessKey: secret, source: "profile \(name)")
    }

    public enum Outcome: Equatable, Sendable {
        /// Signed by this access key.
        case valid(accessKey: String)
        /// Not signed with SigV4 for the service at all.
        case unsigned
        /// Signed, but not so that the service would take it: why, for the log.
        case refused(String)
    }

    /// How far a request's X-Amz-Date may be from now, as AWS allows.
    public static let clockSkew: TimeInterval = 15 * 60

    public func verify(method: String, path: String, query: String, headers: [(String, String)], body: [UInt8],
                       service: String, now: Date = Date()) -> Outcome {
        func header(_ name: String) -> [String] { headers.filter { $0.0.lowercased() == name }.map(\.1) }
        guard let authorization = header("authorization").first, authorization.hasPrefix("AWS4-HMAC-SHA256 ") else {
            return query.contains("X-Amz-Signature=") ? .refused("presigned URLs are not checked here: sign with the Authorization header") : .unsigned
        }
        var fields: [String: String] = [:]
        for part in authorization.dropFirst("AWS4-HMAC-SHA256 ".count).split(separator: ",") {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2 { fields[pair[0]] = pair[1] }
        }
        guard let credential = fields["Credential"], let signedList = fields["SignedHeaders"], let signature = fields["Signature"] else {
            return .refused("the Authorization header lacks Credential, SignedHeaders or Signature")
        }
        let scope = credential.split(separator: "/").map(String.init)
        guard scope.count == 5, scope[4] == "aws4_request" else { return .refused("the credential scope \(credential) is not AKID/date/region/service/aws4_request") }
        guard scope[3] == service else { return .unsigned }
        let accessKey = scope[0]
        guard !secrets.isEmpty else {
            return .refused("serve has no AWS credentials to check signatures with: start it in a shell with AWS_ACCESS_KEY_ID and "
                            + "AWS_SECRET_ACCESS_KEY set (any values do locally) and sign with the same")
        }
        guard let secret = secrets[accessKey] else {
            return .refused("access key \(accessKey) is not the one serve was given (the shell's AWS_ACCESS_KEY_ID or profile): sign with those credentials")
        }
        guard let amzDate = header("x-amz-date").first, let date = Self.date(amzDate) else {
            return .refused("no X-Amz-Date header")
        }
        guard abs(date.timeIntervalSince(now)) <= Self.clockSkew else {
            return .refused("signed at \(amzDate), more than 15 minutes from now (Signature expired)")
        }
        guard amzDate.hasPrefix(scope[1]) else { return .refused("the credential's date \(scope[1]) is not X-Amz-Date's day") }
        let names = signedList.split(separator: ";").map { String($0) }
        guard names.contains("host") else { return .refused("Host is not among the signed headers") }
        var signedHeaders: [String: String] = [:]
        for name in names {
            let values = header(name)
            guard !values.isEmpty else { return .refused("the signed header \(name) is not in the request") }
            signedHeaders[name] = values.joined(separator: ",")
        }
        // The body is what was sent: a declared hash that is not its hash is a tampered request.
        let bodyHash = SigV4.sha256Hex(Data(body))
        if let declared = header("x-amz-content-sha256").first, declared != "UNSIGNED-PAYLOAD", declared != bodyHash {
            return .refused("X-Amz-Content-Sha256 is not the body's SHA-256")
        }
        guard let url = URL(string: "http://" + (signedHeaders["host"] ?? "localhost") + path + (query.isEmpty ? "" : "?" + query)) else {
            return .refused("the request's path cannot be read")
        }
        // The signer writes X-Amz-Date itself, from the same date.
        signedHeaders["x-amz-date"] = nil
        let signer = SigV4(credentials: AWSCredentials(accessKeyID: accessKey, secretAccessKey: secret, source: "serve"),
                           region: scope[2], service: service)
        let expected = signer.sign(method: method, url: url, headers: signedHeaders, body: Data(body), date: date)["Authorization"] ?? ""
        guard let computed = expected.range(of: "Signature=").map({ String(expected[$0.upperBound...]) }),
              Self.constantTimeEqual(computed, signature) else {
            return .refused("the signature is not the one \(accessKey)'s secret gives for this request (wrong secret, or a request changed after signing)")
        }
        return .valid(accessKey: accessKey)
    }

    static func date(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.date(from: text)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
