import Foundation
import LambdaAsyncCore

/// Keys that sign requests, and where they came from (printed before a deploy changes anything).
public struct AWSCredentials: Sendable, Equatable {
    public let accessKeyID: String
    public let secretAccessKey: String
    public let sessionToken: String?
    public let expiration: Date?
    /// "environment", "profile dev (~/.aws/credentials)", "credential_process of profile ci", ...
    public let source: String

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil, source: String) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.source = source
    }
}

public enum CredentialsError: Error, CustomStringConvertible, Equatable {
    case none(tried: [String])
    case unusable(source: String, reason: String, fix: String)

    public var description: String {
        switch self {
        case .none(let tried):
            return "no AWS credentials found (tried: \(tried.joined(separator: ", "))). Set AWS_ACCESS_KEY_ID and "
                + "AWS_SECRET_ACCESS_KEY, or name a profile of ~/.aws/config with --profile or AWS_PROFILE (`aws configure`)"
        case .unusable(let source, let reason, let fix):
            return "\(source): \(reason). \(fix)"
        }
    }
}

/// The standard credential chain, in the SDKs' order: environment variables, a web identity token
/// (CI), the shared config and credentials files (a profile's keys, `credential_process`,
/// `role_arn` with `source_profile` or `credential_source`), then container credentials and the
/// instance's metadata service (IMDSv2).
public struct CredentialChain: Sendable {
    public var environment: [String: String]
    public var profile: String?
    /// Calls STS for roles; the chain resolves the credentials that sign those calls itself.
    public var assumeRole: @Sendable (_ roleARN: String, _ sessionName: String, _ with: AWSCredentials?, _ webIdentityToken: String?) async throws -> AWSCredentials
    /// Fetches a URL with headers (container credentials, IMDS): nil when nothing answers.
    public var fetch: @Sendable (_ method: String, _ url: URL, _ headers: [String: String], _ timeout: TimeInterval) async -> (Int, Data)?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, profile: String? = nil,
                assumeRole: @escaping @Sendable (String, String, AWSCredentials?, String?) async throws -> AWSCredentials,
                fetch: @escaping @Sendable (String, URL, [String: String], TimeInterval) async -> (Int, Data)? = HTTP.fetch) {
        self.environment = environment
        self.profile = profile
        self.assumeRole = assumeRole
        self.fetch = fetch
    }

    var profileName: String { profile ?? environment["AWS_PROFILE"] ?? environment["AWS_DEFAULT_PROFILE"] ?? "default" }

    public func resolve() async throws -> AWSCredentials {
        var tried: [String] = []
        // An explicit --profile outranks the environment's keys, as in the AWS CLI.
        if profile == nil, let id = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"], !id.isEmpty {
            return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"], source: "environment")
        }
        tried.append("environment")
        if profile == nil, let tokenFile = environment["AWS_WEB_IDENTITY_TOKEN_FILE"], let role = environment["AWS_ROLE_ARN"] {
            return try await webIdentity(tokenFile: tokenFile, role: role, session: environment["AWS_ROLE_SESSION_NAME"])
        }
        tried.append("web identity")
        let files = SharedConfig(environment: environment)
        if let section = files.profile(profileName) {
            return try await fromProfile(profileName, section, files: files, depth: 0)
        }
        if profile != nil || environment["AWS_PROFILE"] != nil {
            throw CredentialsError.unusable(source: "profile \(profileName)", reason: "it is in neither \(files.configPath) nor \(files.credentialsPath)",
                                            fix: "Create it with `aws configure --profile \(profileName)`, or name one that exists: \(files.profileNames.joined(separator: ", "))")
        }
        tried.append("profile default")
        if let creds = try await container() { return creds }
        tried.append("container")
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() != "true", let creds = try await instanceMetadata() { return creds }
        tried.append("instance metadata")
        throw CredentialsError.none(tried: tried)
    }

    func fromProfile(_ name: String, _ section: [String: String], files: SharedConfig, depth: Int) async throws -> AWSCredentials {
        let source = "profile \(name)"
        guard depth < 5 else {
            throw CredentialsError.unusable(source: source, reason: "source_profile chains more than 5 deep", fix: "Check the source_profile entries for a loop.")
        }
        if let role = section["role_arn"] {
            let session = section["role_session_name"] ?? "lambda-async-\(Int(Date().timeIntervalSince1970))"
            if let tokenFile = section["web_identity_token_file"] {
                return try await webIdentity(tokenFile: tokenFile, role: role, session: session)
            }
            var base: AWSCredentials
            if let sourceName = section["source_profile"] {
                guard let sourceSection = files.profile(sourceName) else {
                    throw CredentialsError.unusable(source: source, reason: "its source_profile \(sourceName) does not exist", fix: "Add [profile \(sourceName)] to \(files.configPath).")
                }
                // A source profile's own keys, even if it names a role too (as the CLI does for the first hop).
                if sourceName == name {
                    guard let keys = try staticKeys(sourceSection, source: "profile \(sourceName)") else {
                        throw CredentialsError.unusable(source: source, reason: "it is its own source_profile without keys",
                                                        fix: "Give it aws_access_key_id and aws_secret_access_key.")
                    }
                    base = keys
                } else {
                    base = try await fromProfile(sourceName, sourceSection, files: files, depth: depth + 1)
                }
            } else if let credentialSource = section["credential_source"] {
                switch credentialSource {
                case "Environment":
                    guard let id = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"] else {
                        throw CredentialsError.unusable(source: source, reason: "credential_source Environment, but AWS_ACCESS_KEY_ID is not set", fix: "Export the keys.")
                    }
                    base = AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"], source: "environment")
                case "EcsContainer":
                    guard let creds = try await container() else { throw CredentialsError.unusable(source: source, reason: "no container credentials here", fix: "Run in ECS, or use source_profile.") }
                    base = creds
                default:
                    guard let creds = try await instanceMetadata() else { throw CredentialsError.unusable(source: source, reason: "no instance metadata service answered", fix: "Run on EC2, or use source_profile.") }
                    base = creds
                }
            } else {
                throw CredentialsError.unusable(source: source, reason: "role_arn without source_profile or credential_source", fix: "Add source_profile = NAME (a profile with keys).")
            }
            let assumed = try await assumeRole(role, session, base, nil)
            return AWSCredentials(accessKeyID: assumed.accessKeyID, secretAccessKey: assumed.secretAccessKey, sessionToken: assumed.sessionToken,
                                  expiration: assumed.expiration, source: "\(source) (role \(role) from \(base.source))")
        }
        if section["sso_session"] != nil || section["sso_start_url"] != nil {
            throw CredentialsError.unusable(
                source: source, reason: "IAM Identity Center (SSO) profiles are not read directly",
                fix: "Sign in with `aws sso login --profile \(name)`, then add to the profile: "
                    + "credential_process = aws configure export-credentials --profile \(name) --format process (under another profile name), or export them: "
                    + "eval \"$(aws configure export-credentials --profile \(name) --format env)\"")
        }
        if let command = section["credential_process"] {
            return try CredentialProcess.run(command, source: "credential_process of \(source)")
        }
        if let keys = try staticKeys(section, source: source) { return keys }
        throw CredentialsError.unusable(source: source, reason: "it has no keys, role or credential_process",
                                        fix: "Run `aws configure --profile \(name)`.")
    }

    func staticKeys(_ section: [String: String], source: String) throws -> AWSCredentials? {
        guard let id = section["aws_access_key_id"] else { return nil }
        guard let secret = section["aws_secret_access_key"] else {
            throw CredentialsError.unusable(source: source, reason: "aws_access_key_id without aws_secret_access_key", fix: "Run `aws configure`.")
        }
        return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: section["aws_session_token"], source: source)
    }

    func webIdentity(tokenFile: String, role: String, session: String?) async throws -> AWSCredentials {
        guard let token = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
            throw CredentialsError.unusable(source: "web identity", reason: "cannot read the token file \(tokenFile)", fix: "Check AWS_WEB_IDENTITY_TOKEN_FILE.")
        }
        let assumed = try await assumeRole(role, session ?? "lambda-async-\(Int(Date().timeIntervalSince1970))", nil,
                                           token.trimmingCharacters(in: .whitespacesAndNewlines))
        return AWSCredentials(accessKeyID: assumed.accessKeyID, secretAccessKey: assumed.secretAccessKey, sessionToken: assumed.sessionToken,
                              expiration: assumed.expiration, source: "web identity (role \(role))")
    }

    /// ECS and EKS Pod Identity: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI.
    func container() async throws -> AWSCredentials? {
        let url: URL
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            url = URL(string: "http://169.254.170.2\(relative)")!
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"], let parsed = URL(string: full) {
            url = parsed
        } else {
            return nil
        }
        var headers: [String: String] = [:]
        if let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], let token = try? String(contentsOfFile: file, encoding: .utf8) {
            headers["Authorization"] = token.trimmingCharacters(in: .whitespacesAndNewlines)
        } else if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] {
            headers["Authorization"] = token
        }
        guard let (status, data) = await fetch("GET", url, headers, 2), status == 200 else {
            throw CredentialsError.unusable(source: "container credentials", reason: "\(url) did not answer", fix: "Check the task role, or set keys in the environment.")
        }
        return try Self.decodeTemporary(data, source: "container credentials")
    }

    /// IMDSv2: a session token first (PUT), then the role's keys; one second each, since off EC2 nothing answers.
    func instanceMetadata() async throws -> AWSCredentials? {
        let base = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? "http://169.254.169.254"
        guard let (status, tokenData) = await fetch("PUT", URL(string: "\(base)/latest/api/token")!, ["X-aws-ec2-metadata-token-ttl-seconds": "300"], 1),
              status == 200 else { return nil }
        let token = ["X-aws-ec2-metadata-token": String(decoding: tokenData, as: UTF8.self)]
        let rolesURL = URL(string: "\(base)/latest/meta-data/iam/security-credentials/")!
        guard let (_, roles) = await fetch("GET", rolesURL, token, 1),
              let role = String(decoding: roles, as: UTF8.self).split(separator: "\n").first,
              let (credsStatus, data) = await fetch("GET", rolesURL.appendingPathComponent(String(role)), token, 1), credsStatus == 200 else {
            return nil
        }
        return try Self.decodeTemporary(data, source: "instance metadata (role \(role))")
    }

    static func decodeTemporary(_ data: Data, source: String) throws -> AWSCredentials {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let id = object["AccessKeyId"] as? String, let secret = object["SecretAccessKey"] as? String else {
            throw CredentialsError.unusable(source: source, reason: "its answer has no AccessKeyId", fix: "Set keys in the environment.")
        }
        let expiration = (object["Expiration"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) }
        return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: object["Token"] as? String ?? object["SessionToken"] as? String,
                              expiration: expiration, source: source)
    }
}

/// `credential_process`: a command that prints `{"Version": 1, "AccessKeyId": ..., ...}`.
enum CredentialProcess {
    static func run(_ command: String, source: String) throws -> AWSCredentials {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch {
            throw CredentialsError.unusable(source: source, reason: "`\(command)` could not start: \(error)", fix: "Check the command in ~/.aws/config.")
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CredentialsError.unusable(source: source, reason: "`\(command)` exited \(process.terminationStatus): \(errors.trimmingCharacters(in: .whitespacesAndNewlines))",
                                            fix: "Run the command yourself to see why.")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], (object["Version"] as? Int) == 1 else {
            throw CredentialsError.unusable(source: source, reason: "`\(command)` did not print a JSON object with \"Version\": 1", fix: "See the AWS CLI's credential_process format.")
        }
        return try CredentialChain.decodeTemporary(data, source: source)
    }
}

/// ~/.aws/config (`[profile NAME]`, `[default]`) and ~/.aws/credentials (`[NAME]`), as the CLI reads them.
struct SharedConfig {
    let configPath: String
    let credentialsPath: String
    private let config: [String: [String: String]]
    private let credentials: [String: [String: String]]

    init(environment: [String: String]) {
        let home = environment["HOME"] ?? NSHomeDirectory()
        configPath = environment["AWS_CONFIG_FILE"] ?? "\(home)/.aws/config"
        credentialsPath = environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "\(home)/.aws/credentials"
        config = Self.parse(configPath, profilePrefix: true)
        credentials = Self.parse(credentialsPath, profilePrefix: false)
    }

    var profileNames: [String] { Array(Set(config.keys).union(credentials.keys)).sorted() }

    /// The profile's settings: the credentials file's keys over the config file's.
    func profile(_ name: String) -> [String: String]? {
        guard config[name] != nil || credentials[name] != nil else { return nil }
        return (config[name] ?? [:]).merging(credentials[name] ?? [:]) { $1 }
    }

    /// Sections and `key = value` lines; nested (indented) values are skipped.
    static func parse(_ path: String, profilePrefix: Bool) -> [String: [String: String]] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        var sections: [String: [String: String]] = [:]
        var current: String?
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                var name = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                if profilePrefix {
                    if name.hasPrefix("profile ") { name = String(name.dropFirst(8)).trimmingCharacters(in: .whitespaces) }
                    else if name != "default" { current = nil; continue }  // [sso-session x], [services x]
                }
                current = name
                sections[name, default: [:]] = sections[name] ?? [:]
                continue
            }
            guard let section = current, raw.first?.isWhitespace != true, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[section]?[key] = value
        }
        return sections
    }
}

/// A setting of a profile in ~/.aws/config (the region, for one).
public enum SharedConfigReader {
    public static func value(_ key: String, profile: String, environment: [String: String]) -> String? {
        SharedConfig(environment: environment).profile(profile)?[key]
    }
}

extension CredentialsError: UserFacingError {
    public var kind: FailureKind { .failed }
}
