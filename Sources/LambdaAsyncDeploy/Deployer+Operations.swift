import Foundation
import LambdaAsyncAWS
import LambdaAsyncProject

/// The parts of a deploy beside the change set itself: `--delete`, `--via`, and the change table.
extension Deployer {
    /// `deploy --delete`: deletes the stack, waits, names what CloudFormation kept (DeletionPolicy Retain).
    public func delete() async throws -> DeployResult {
        let (aws, identity, start) = try await connect()
        let region = start.region
        var result = start
        let cloudFormation = CloudFormation(aws)
        guard let stack = try await cloudFormation.stack(stackName) else {
            throw DeployError.refused("there is no stack \(stackName) in account \(identity.account), region \(region): nothing to delete")
        }
        say("Deleting stack \(stackName) (\(stack.status)) from account \(identity.account), region \(region)")
        let retainedIDs = Set((try? SAMTemplate.load(from: project))?.retained ?? [])
        let resources = (try? await cloudFormation.resources(stackName)) ?? []
        let before = Set(((try? await cloudFormation.events(stackName)) ?? []).map(\.id))
        try await cloudFormation.deleteStack(stackName)
        let final = try await waitForStack(cloudFormation, seen: before, printing: true)
        if let final {
            throw DeployError.failed("stack \(stackName) ended in \(final.status): " + (try await failureReasons(cloudFormation)).joined(separator: "; "))
        }
        result.status = "DELETE_COMPLETE"
        result.retained = resources.filter { retainedIDs.contains($0.logicalID) }.map { "\($0.logicalID) (\($0.type)): \($0.physicalID)" }
        say("Deleted." + (result.retained.isEmpty ? "" : " Kept (DeletionPolicy Retain):\n" + result.retained.map { "  \($0)" }.joined(separator: "\n")))
        return result
    }

    /// `--via sam|aws`: the same bytes (zips already in S3, the template pointed at them) through
    /// the other tool's deploy; its output is the user's to read, its failure ours to report.
    func handOver(to tool: String, body: String, region: String, bucket: String) throws {
        let template = project.appendingPathComponent(".lambda-async/build/deploy-template.yaml")
        try Data(body.utf8).write(to: template, options: .atomic)
        var arguments = tool == "sam"
            ? ["sam", "deploy", "--template-file", template.path, "--stack-name", stackName, "--s3-bucket", bucket, "--region", region,
               "--capabilities", "CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND", "--no-fail-on-empty-changeset",
               "--no-confirm-changeset"]
            : ["aws", "cloudformation", "deploy", "--template-file", template.path, "--stack-name", stackName, "--region", region,
               "--capabilities", "CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND", "--no-fail-on-empty-changeset"]
        if let profile = options.profile { arguments += ["--profile", profile] }
        if !options.parameters.isEmpty {
            arguments += ["--parameter-overrides"] + options.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        }
        if !options.tags.isEmpty { arguments += ["--tags"] + options.tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } }
        say("$ " + arguments.joined(separator: " "))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = options.environment
        do { try process.run() } catch {
            throw DeployError.refused("--via \(tool): `\(arguments[0])` could not start (\(error)); install it, or deploy without --via")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw DeployError.failed("--via \(tool): `\(arguments.prefix(3).joined(separator: " "))` exited \(process.terminationStatus)")
        }
    }

    static func changeTable(_ changes: [DeployResult.ChangeRow]) -> String {
        guard !changes.isEmpty else { return "Changes: none listed" }
        let width = max(12, changes.map(\.logicalID.count).max() ?? 0)
        var lines = ["Changes:", "  ACTION   " + "RESOURCE".padding(toLength: width, withPad: " ", startingAt: 0) + "  TYPE"]
        for change in changes {
            var flags: [String] = []
            if change.replacement == "True" { flags.append("REPLACED") }
            if change.replacement == "Conditional" { flags.append("may be replaced") }
            if change.iam { flags.append("IAM") }
            lines.append("  " + change.action.padding(toLength: 8, withPad: " ", startingAt: 0) + " "
                + change.logicalID.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + change.type
                + (flags.isEmpty ? "" : "  [" + flags.joined(separator: ", ") + "]"))
        }
        return lines.joined(separator: "\n")
    }
}
