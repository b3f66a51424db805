import Foundation
import LambdaAsyncArchive
import LambdaAsyncAWS
import LambdaAsyncCore
import LambdaAsyncProject

/// What `deploy` was asked for.
public struct DeployOptions: Sendable {
    public var stackName: String?
    public var region: String?
    public var profile: String?
    public var parameters: [String: String] = [:]
    public var tags: [String: String] = [:]
    public var bucket: String?
    /// Execute without asking, even when resources are removed or replaced, or IAM changes.
    public var yes = false
    /// Leave the change set for review.
    public var noExecute = false
    /// rollback (CloudFormation's default), delete (a new stack that fails is deleted), keep (no rollback).
    public var onFailure = "rollback"
    /// Delete a stack in ROLLBACK_COMPLETE, then create it again.
    public var replaceFailed = false
    /// Hand the packaged, uploaded template to `sam deploy` or `aws cloudformation deploy` instead.
    public var via: String?
    /// On a terminal: ask before executing risky changes.
    public var interactive = false
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    /// How long to wait for CloudFormation, and how often to look.
    public var timeout: TimeInterval = 3600
    public var pollInterval: TimeInterval = 2
    public init() {}
}

public enum DeployError: Error, CustomStringConvertible {
    case refused(String)
    case failed(String)
    case changeSetLeft(String)

    public var description: String {
        switch self {
        case .refused(let message), .failed(let message), .changeSetLeft(let message): return message
        }
    }
}

/// The outcome, for `--format json` and the tests.
public struct DeployResult: Sendable, Codable {
    public var schemaVersion = 1
    public var stackName: String
    public var region: String
    public var account: String
    public var caller: String
    public var credentials: String
    public var bucket: String
    public var uploaded: [String] = []
    public var reused: [String] = []
    @NullEncoded public var changeSet: String?
    public var changes: [ChangeRow] = []
    public var status: String
    public var noChanges = false
    public var outputs: [OutputRow] = []
    public var codeVerified: [String] = []
    public var retained: [String] = []

    public struct ChangeRow: Sendable, Codable, Equatable {
        public let action: String
        public let logicalID: String
        public let type: String
        @NullEncoded public var replacement: String?
        public let iam: Bool
    }

    public struct OutputRow: Sendable, Codable, Equatable {
        public let key: String
        public let value: String
        @NullEncoded public var description: String?
    }
}

/// `lambda-async deploy`: the packaged project to CloudFormation, through a change set, verified.
public final class Deployer: Sendable {
    let project: URL
    let options: DeployOptions
    let say: @Sendable (String) -> Void
    let ask: @Sendable (String) -> Bool
    static let bodyLimit = 51_200

    public init(project: URL, options: DeployOptions, say: @escaping @Sendable (String) -> Void,
                ask: @escaping @Sendable (String) -> Bool = { _ in false }) {
        self.project = project
        self.options = options
        self.say = say
        self.ask = ask
    }

    /// The region: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`.
    func region() throws -> String {
        if let region = options.region ?? options.environment["AWS_REGION"] ?? options.environment["AWS_DEFAULT_REGION"], !region.isEmpty {
            return region
        }
        let profile = options.profile ?? options.environment["AWS_PROFILE"] ?? "default"
        if let region = SharedConfigReader.value("region", profile: profile, environment: options.environment) { return region }
        throw DeployError.refused("no AWS region: pass --region (for example --region eu-west-1), set AWS_REGION, or add region = ... to profile \(profile) in ~/.aws/config")
    }

    func client(region: String) -> AWSClient {
        let environment = options.environment
        let chain = CredentialChain(environment: environment, profile: options.profile) { role, session, base, token in
            try await STS.assumeRole(region: region, environment: environment, role: role, session: session, base: base, webIdentityToken: token)
        }
        return AWSClient(region: region, environment: environment) { try await chain.resolve() }
    }

    /// The client, who it acts as (said before anything changes), and the result that names both.
    func connect() async throws -> (AWSClient, STS.Identity, DeployResult) {
        let region = try region()
        let aws = client(region: region)
        let credentials = try await aws.credentials()
        let identity = try await STS(aws).callerIdentity()
        let result = DeployResult(stackName: stackName, region: region, account: identity.account, caller: identity.arn,
                                  credentials: credentials.source, bucket: options.bucket ?? "", status: "")
        return (aws, identity, result)
    }

    /// The stack's name: --stack-name, else the project folder's name.
    var stackName: String { options.stackName ?? project.lastPathComponent }

    public func deploy() async throws -> DeployResult {
        let template = try SAMTemplate.load(from: project, parameters: options.parameters)
        let outcome = try ProjectPackager(template: template, output: nil, excludes: [], options: PackagingOptions(force: false)).package()
        let (aws, identity, start) = try await connect()
        let region = start.region
        say("Deploying stack \(stackName) to account \(identity.account), region \(region), as \(identity.arn) (credentials: \(start.credentials))")
        let bucket = options.bucket ?? "lambda-async-artifacts-\(identity.account)-\(region)"
        var result = start
        result.bucket = bucket
        let s3 = S3(aws)
        if options.bucket == nil, try await !s3.bucketExists(bucket) {
            try await s3.createPrivateBucket(bucket)
            say("Created the artifacts bucket \(bucket) (public access blocked)")
        }
        // Content-addressed keys: a zip already there is the same bytes, and is not sent again.
        var keys: [String: String] = [:]
        for artifact in outcome.artifacts {
            let key = "lambda-async/\(artifact.sha256).zip"
            keys[artifact.name] = key
            if try await s3.objectExists(bucket, key) {
                result.reused.append(artifact.name)
            } else {
                try await s3.put(bucket, key, try Data(contentsOf: URL(fileURLWithPath: artifact.path)), contentType: "application/zip")
                result.uploaded.append(artifact.name)
            }
        }
        say("Artifacts: \(result.uploaded.isEmpty ? "none uploaded" : "uploaded \(result.uploaded.joined(separator: ", "))")"
            + (result.reused.isEmpty ? "" : "; unchanged \(result.reused.joined(separator: ", "))") + " (s3://\(bucket)/lambda-async/)")
        let body = try pointedTemplate(outcome.template, bucket: bucket, keys: keys)
        var templateURL: String?
        if body.utf8.count > Self.bodyLimit {
            let key = "lambda-async/templates/\(SigV4.sha256Hex(Data(body.utf8))).yaml"
            try await s3.put(bucket, key, Data(body.utf8), contentType: "text/yaml")
            templateURL = s3.objectURL(bucket, key).absoluteString
        }

        let cloudFormation = CloudFormation(aws)
        if let via = options.via {
            try handOver(to: via, body: body, region: region, bucket: bucket)
            say("\(via) finished; checking the result")
            return try await finish(result, cloudFormation, aws: aws, artifacts: outcome.artifacts)
        }
        let status = try await settledStack(cloudFormation)?.status
        var type = "CREATE"
        switch DeployDecisions.action(forStack: stackName, status: status, replaceFailed: options.replaceFailed) {
        case .create:
            break
        case .update:
            type = "UPDATE"
        case .replace:
            say("Stack \(stackName) is in \(status ?? ""): deleting it first (--replace-failed)")
            try await cloudFormation.deleteStack(stackName)
            _ = try await waitForStack(cloudFormation, printing: false)
        case .refuse(let reason):
            throw DeployError.refused(reason)
        }

        let name = DeployDecisions.changeSetName()
        let changeSetID: String
        do {
            changeSetID = try await cloudFormation.createChangeSet(
                stack: stackName, name: name, type: type, templateBody: templateURL == nil ? body : nil, templateURL: templateURL,
                parameters: options.parameters, tags: options.tags, capabilities: ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
                onStackFailure: ["delete": "DELETE", "keep": "DO_NOTHING"][options.onFailure] ?? "ROLLBACK")
        } catch let error as AWSError where error.code == "InsufficientCapabilitiesException" || error.code == "ValidationError" {
            throw DeployError.failed("CloudFormation refused the change set: \(error.message)")
        }
        result.changeSet = changeSetID
        let changeSet = try await waitForChangeSet(cloudFormation, changeSetID)
        if changeSet.status == "FAILED" {
            let reason = changeSet.statusReason ?? ""
            if DeployDecisions.meansNoChanges(reason) {
                try? await cloudFormation.deleteChangeSet(changeSetID, stack: stackName)
                if type == "CREATE" { try? await cloudFormation.deleteStack(stackName) }
                result.noChanges = true
                result.changeSet = nil
                say("No changes: stack \(stackName) is up to date.")
                return try await finish(result, cloudFormation, aws: aws, artifacts: outcome.artifacts)
            }
            throw DeployError.failed("the change set failed: \(reason)")
        }
        result.changes = changeSet.changes.map {
            .init(action: $0.action, logicalID: $0.logicalID, type: $0.type, replacement: $0.replacement, iam: $0.type.hasPrefix("AWS::IAM::"))
        }
        say(Self.changeTable(result.changes))
        let risky = DeployDecisions.risky(result.changes)
        if options.noExecute {
            throw DeployError.changeSetLeft("change set \(name) left for review (--no-execute): execute it with "
                + "`aws cloudformation execute-change-set --change-set-name \(changeSetID)`, or delete it")
        }
        if options.interactive, !options.yes, !risky.isEmpty {
            let what = risky.map { "\($0.logicalID) (\($0.action == "Remove" ? "removed" : $0.iam ? "IAM" : "replaced"))" }.joined(separator: ", ")
            guard ask("This removes, replaces or changes IAM resources: \(what). Execute? [y/N] ") else {
                try? await cloudFormation.deleteChangeSet(changeSetID, stack: stackName)
                // A new stack would stay behind empty, in REVIEW_IN_PROGRESS.
                if type == "CREATE" { try? await cloudFormation.deleteStack(stackName) }
                throw DeployError.refused("not executed; the change set was deleted")
            }
        }
        let before = Set(((try? await cloudFormation.events(stackName)) ?? []).map(\.id))
        try await cloudFormation.executeChangeSet(changeSetID, stack: stackName, disableRollback: options.onFailure == "keep")
        let final = try await waitForStack(cloudFormation, seen: before, printing: true, executing: true)
        result.status = final?.status ?? "DELETE_COMPLETE"
        guard let status = final?.status, status == "CREATE_COMPLETE" || status == "UPDATE_COMPLETE" else {
            let reasons = try await failureReasons(cloudFormation)
            throw DeployError.failed("stack \(stackName) ended in \(result.status)" + (reasons.isEmpty ? "" : ":\n" + reasons.map { "  \($0)" }.joined(separator: "\n")))
        }
        return try await finish(result, cloudFormation, aws: aws, artifacts: outcome.artifacts)
    }

    /// Outputs (function URLs first) and each function's live CodeSha256 against the local zip.
    func finish(_ result: DeployResult, _ cloudFormation: CloudFormation, aws: AWSClient, artifacts: [ArtifactResult]) async throws -> DeployResult {
        var result = result
        guard let stack = try await cloudFormation.stack(stackName) else { return result }
        result.status = stack.status
        result.outputs = stack.outputs.map { .init(key: $0.key, value: $0.value, description: $0.description) }
            .sorted { ($0.value.contains(".lambda-url.") ? 0 : 1, $0.key) < ($1.value.contains(".lambda-url.") ? 0 : 1, $1.key) }
        if !result.outputs.isEmpty {
            say("Outputs:\n" + result.outputs.map { "  \($0.key): \($0.value)" }.joined(separator: "\n"))
        }
        let resources = try await cloudFormation.resources(stackName)
        let lambda = LambdaAPI(aws)
        for artifact in artifacts where artifact.kind == .function {
            guard let physical = resources.first(where: { $0.logicalID == artifact.name && $0.type == "AWS::Lambda::Function" })?.physicalID else { continue }
            let live = try await lambda.codeSha256(physical)
            guard live == artifact.codeSha256 else {
                throw DeployError.failed("\(artifact.name) (\(physical)) runs code with CodeSha256 \(live ?? "none"), not the zip's \(artifact.codeSha256): "
                    + "another deploy may have changed it; deploy again")
            }
            result.codeVerified.append(artifact.name)
        }
        if !result.codeVerified.isEmpty {
            say("Verified: \(result.codeVerified.joined(separator: ", ")) run\(result.codeVerified.count == 1 ? "s" : "") the code packaged here (CodeSha256).")
        }
        return result
    }

    /// The packaged template with each CodeUri/ContentUri pointed at its zip in S3.
    func pointedTemplate(_ packaged: URL, bucket: String, keys: [String: String]) throws -> String {
        let template = try SAMTemplate.load(from: packaged)
        var rewriter = TemplateRewriter(template)
        for function in template.functions {
            if let key = keys[function.logicalID], let location = function.codeURILocation {
                rewriter.replaceValue(at: location, with: "s3://\(bucket)/\(key)")
            }
        }
        for layer in template.layers {
            if let key = keys[layer.logicalID], let location = layer.contentURILocation {
                rewriter.replaceValue(at: location, with: "s3://\(bucket)/\(key)")
            }
        }
        return rewriter.text
    }

    /// The stack once no operation is in progress on it (waiting for one that is).
    func settledStack(_ cloudFormation: CloudFormation) async throws -> CloudFormation.Stack? {
        var stack = try await cloudFormation.stack(stackName)
        if let status = stack?.status, status.hasSuffix("_IN_PROGRESS"), status != "REVIEW_IN_PROGRESS" {
            say("Stack \(stackName) is \(status): waiting for it to finish")
            stack = try await waitForStack(cloudFormation, printing: false)
        }
        return stack
    }

    func waitForChangeSet(_ cloudFormation: CloudFormation, _ id: String) async throws -> CloudFormation.ChangeSet {
        let deadline = Date().addingTimeInterval(options.timeout)
        while true {
            let changeSet = try await cloudFormation.changeSet(id, stack: stackName)
            if changeSet.status == "CREATE_COMPLETE" || changeSet.status == "FAILED" { return changeSet }
            guard Date() < deadline else { throw DeployError.failed("change set \(id) is still \(changeSet.status) after \(Int(options.timeout)) s") }
            try await Task.sleep(nanoseconds: UInt64(options.pollInterval * 1e9))
        }
    }

    /// Polls until the stack is in a final state, printing its events not `seen` before, oldest
    /// first; nil once deleted.
    /// `executing`: a change set was just executed, so REVIEW_IN_PROGRESS (a new stack before
    /// CloudFormation starts on it) is not an end.
    func waitForStack(_ cloudFormation: CloudFormation, seen: Set<String> = [], printing: Bool,
                      executing: Bool = false) async throws -> CloudFormation.Stack? {
        var seen = seen
        let deadline = Date().addingTimeInterval(options.timeout)
        while true {
            if printing {
                let events = (try? await cloudFormation.events(stackName)) ?? []
                for event in events.reversed() where !seen.contains(event.id) {
                    seen.insert(event.id)
                    say("  \(event.status.padding(toLength: 20, withPad: " ", startingAt: 0)) \(event.logicalID) (\(event.type))"
                        + (event.reason.map { ": \($0)" } ?? ""))
                }
            }
            guard let stack = try await cloudFormation.stack(stackName) else { return nil }
            if !stack.status.hasSuffix("_IN_PROGRESS") || (stack.status == "REVIEW_IN_PROGRESS" && !executing) {
                return stack.status == "DELETE_COMPLETE" ? nil : stack
            }
            guard Date() < deadline else { throw DeployError.failed("stack \(stackName) is still \(stack.status) after \(Int(options.timeout)) s") }
            try await Task.sleep(nanoseconds: UInt64(options.pollInterval * 1e9))
        }
    }

    /// The first *_FAILED reasons, oldest first: the cause, not the cascade.
    func failureReasons(_ cloudFormation: CloudFormation) async throws -> [String] {
        let events = (try? await cloudFormation.events(stackName)) ?? []
        return events.reversed().filter { $0.status.hasSuffix("_FAILED") && $0.reason != nil && !($0.reason ?? "").contains("Resource creation cancelled") }
            .prefix(3).map { "\($0.logicalID) (\($0.type)): \($0.reason ?? "")" }
    }
}

extension DeployError: UserFacingError {
    public var kind: FailureKind {
        switch self {
        case .refused: return .badInput
        case .failed: return .failed
        case .changeSetLeft: return .leftForReview
        }
    }
}
