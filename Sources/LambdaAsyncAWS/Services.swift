import Foundation

/// The calls `deploy` makes, each a thin typed wrapper over `AWSClient`.
public struct STS: Sendable {
    public let client: AWSClient
    public init(_ client: AWSClient) { self.client = client }

    public struct Identity: Sendable, Equatable {
        public let account: String
        public let arn: String
        public let userID: String
    }

    public func callerIdentity() async throws -> Identity {
        let xml = try await client.query("sts", "GetCallerIdentity", version: "2011-06-15", [:])
        let result = xml.first("GetCallerIdentityResult")
        return Identity(account: result?["Account"] ?? "", arn: result?["Arn"] ?? "", userID: result?["UserId"] ?? "")
    }

    /// AssumeRole signed with `base`, or AssumeRoleWithWebIdentity (unsigned) with a token.
    public static func assumeRole(region: String, environment: [String: String], role: String, session: String,
                                  base: AWSCredentials?, webIdentityToken: String?) async throws -> AWSCredentials {
        let client = AWSClient(region: region, environment: environment) {
            guard let base else { throw CredentialsError.unusable(source: "STS", reason: "no credentials to assume \(role) with", fix: "Name a source_profile.") }
            return base
        }
        var parameters = ["RoleArn": role, "RoleSessionName": session, "DurationSeconds": "3600"]
        let action = webIdentityToken == nil ? "AssumeRole" : "AssumeRoleWithWebIdentity"
        if let token = webIdentityToken { parameters["WebIdentityToken"] = token }
        let xml = try await client.query("sts", action, version: "2011-06-15", parameters, unsigned: webIdentityToken != nil)
        guard let creds = xml.first("\(action)Result/Credentials"), let id = creds["AccessKeyId"], let secret = creds["SecretAccessKey"] else {
            throw AWSError(service: "sts", action: action, status: 200, code: "UnreadableAnswer", message: "no Credentials")
        }
        return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: creds["SessionToken"],
                              expiration: creds["Expiration"].flatMap { ISO8601DateFormatter().date(from: $0) }, source: "STS")
    }
}

public struct S3: Sendable {
    public let client: AWSClient
    public init(_ client: AWSClient) { self.client = client }

    /// Path-style on a custom endpoint (moto, LocalStack); virtual-hosted on AWS.
    func url(_ bucket: String, _ key: String? = nil, query: String? = nil) -> URL {
        let (base, custom) = client.endpoint("s3")
        let path = key.map { "/" + $0.split(separator: "/", omittingEmptySubsequences: false).map { SigV4.encode(String($0)) }.joined(separator: "/") } ?? "/"
        var text: String
        if custom {
            text = base.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/\(bucket)" + (key == nil ? "" : path)
        } else {
            let domain = client.region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
            text = "https://\(bucket).s3.\(client.region).\(domain)\(path)"
        }
        if let query { text += "?\(query)" }
        return URL(string: text)!
    }

    /// The object's URL as CloudFormation reads it (TemplateURL).
    public func objectURL(_ bucket: String, _ key: String) -> URL { url(bucket, key) }

    public func bucketExists(_ bucket: String) async throws -> Bool {
        do {
            _ = try await client.send("s3", action: "HeadBucket", method: "HEAD", url: url(bucket))
            return true
        } catch let error as AWSError where error.status == 404 {
            return false
        }
    }

    /// A private bucket: created in the client's region, public access blocked.
    public func createPrivateBucket(_ bucket: String) async throws {
        let region = client.region
        let body = region == "us-east-1" ? Data() : Data("""
            <CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>\(region)</LocationConstraint></CreateBucketConfiguration>
            """.utf8)
        _ = try await client.send("s3", action: "CreateBucket", method: "PUT", url: url(bucket), body: body)
        let block = Data("""
            <PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>
            """.utf8)
        _ = try await client.send("s3", action: "PutPublicAccessBlock", method: "PUT", url: url(bucket, query: "publicAccessBlock="), body: block)
    }

    public func objectExists(_ bucket: String, _ key: String) async throws -> Bool {
        do {
            _ = try await client.send("s3", action: "HeadObject", method: "HEAD", url: url(bucket, key))
            return true
        } catch let error as AWSError where error.status == 404 {
            return false
        }
    }

    public func put(_ bucket: String, _ key: String, _ body: Data, contentType: String = "application/octet-stream") async throws {
        _ = try await client.send("s3", action: "PutObject", method: "PUT", url: url(bucket, key),
                                  headers: ["Content-Type": contentType, "Content-Length": String(body.count)], body: body)
    }
}

public struct LambdaAPI: Sendable {
    public let client: AWSClient
    public init(_ client: AWSClient) { self.client = client }

    /// `GetFunction`'s `Configuration.CodeSha256`: the base64 SHA-256 of the code Lambda runs.
    public func codeSha256(_ function: String) async throws -> String? {
        let url = client.endpoint("lambda").url.appendingPathComponent("2015-03-31/functions/\(function)")
        let response = try await client.send("lambda", action: "GetFunction", method: "GET", url: url)
        let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        return (object?["Configuration"] as? [String: Any])?["CodeSha256"] as? String
    }
}
