import ArgumentParser
import Foundation
import LambdaAsyncAWS
import LambdaAsyncCore
import LambdaAsyncDeploy
import LambdaAsyncProject

/// `lambda-async deploy`: package, upload what is missing, a CloudFormation change set, execute,
/// wait, outputs, and each function's live code checked against the local zip.
struct Deploy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deploy the project to AWS through a CloudFormation change set, and verify the code it runs.",
        discussion: """
            Packages the project (up to date in a fraction of a second when nothing changed), says which \
            account, region and identity it acts as, uploads the zips S3 does not have yet (content-addressed \
            keys in one private bucket per account and region), and runs a change set with CAPABILITY_IAM. \
            "No changes" exits 0. Credentials come from the standard chain (environment, web identity, \
            profiles with keys, roles or credential_process, containers, EC2); AWS_ENDPOINT_URL and \
            AWS_ENDPOINT_URL_<SERVICE> point it elsewhere (moto, LocalStack).

            Examples:
              lambda-async deploy orders-api --region eu-west-1
              lambda-async deploy --stack-name orders-dev --parameter LogLevel=DEBUG --yes
              lambda-async deploy --profile prod --tag team=orders --no-execute
              lambda-async deploy --stage prod --yes
              lambda-async deploy orders-api --delete
            """)

    @Argument(help: "The project folder (its template.yaml); the current folder when omitted.", completion: .directory)
    var projectDirectory: String?

    @Option(help: ArgumentHelp("A stage of the project's lambda-async.yaml: its stack (default PROJECT-STAGE), region, profile, "
                             + "bucket, parameters and tags; the options given here win.", valueName: "name"))
    var stage: String?

    @Option(help: "The stack's name (default: the project folder's name, or PROJECT-STAGE with --stage).")
    var stackName: String?

    @Option(help: "The AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile's region).")
    var region: String?

    @Option(help: "A profile of ~/.aws/config and ~/.aws/credentials.")
    var profile: String?

    @Option(help: ArgumentHelp("A template parameter's value, KEY=VALUE (repeatable).", valueName: "key=value"))
    var parameter: [String] = []

    @Option(help: ArgumentHelp("A tag for the stack and its resources, KEY=VALUE (repeatable).", valueName: "key=value"))
    var tag: [String] = []

    @Option(help: "The S3 bucket for the zips (default: lambda-async-artifacts-ACCOUNT-REGION, created once, private).")
    var bucket: String?

    @Flag(help: "Execute without asking, even when resources are removed or replaced or IAM changes.")
    var yes = false

    @Flag(help: "Create the change set and leave it for review (exit 2).")
    var noExecute = false

    @Option(help: "When a new stack fails: rollback (CloudFormation's default), delete, or keep what was made.")
    var onFailure: String = "rollback"

    @Flag(help: "A stack in ROLLBACK_COMPLETE (its creation failed) is deleted, then created again.")
    var replaceFailed = false

    @Option(help: ArgumentHelp("Hand the same packaged, uploaded template to `sam deploy` or `aws cloudformation deploy`; "
                             + "lambda-async still checks the live code afterwards.", valueName: "sam|aws"))
    var via: String?

    @Flag(help: "Delete the stack instead, wait, and name what CloudFormation kept.")
    var delete = false

    @Option(help: "Output format: table (for people) or json (for scripts).")
    var format: ReportFormat = .table

    func validate() throws {
        guard ["rollback", "delete", "keep"].contains(onFailure) else {
            throw ValidationError("--on-failure takes rollback, delete or keep; got \(onFailure)")
        }
        if let via, via != "sam", via != "aws" { throw ValidationError("--via takes sam or aws; got \(via)") }
        for pair in parameter + tag where !pair.contains("=") {
            throw ValidationError("\(pair): write KEY=VALUE")
        }
    }

    func run() async throws {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let project = URL(fileURLWithPath: projectDirectory ?? ".", relativeTo: cwd).standardizedFileURL
        guard FileManager.default.fileExists(atPath: project.appendingPathComponent("template.yaml").path) || delete else {
            throw ProjectError.noTemplate(project.path)
        }
        var options = DeployOptions()
        options.stackName = stackName
        options.region = region
        options.profile = profile
        options.parameters = KeyValuePairs.parse(parameter)
        options.tags = KeyValuePairs.parse(tag)
        options.bucket = bucket
        options.yes = yes
        options.noExecute = noExecute
        options.onFailure = onFailure
        options.replaceFailed = replaceFailed
        options.via = via
        options.interactive = isatty(STDIN_FILENO) == 1
        let json = format == .json
        if let stage { options = try Stage.load(stage, project: project).applied(to: options, name: stage, project: project) }
        // Progress goes to stderr with --format json, so stdout is the JSON document alone.
        // Each progress line is written as it happens (no stdio buffer off a terminal): a deploy that
        // waits, or is stopped, has said how far it got.
        let deployer = Deployer(project: project, options: options, say: { line in
            (json ? FileHandle.standardError : FileHandle.standardOutput).write(Data((line + "\n").utf8))
        }, ask: { question in
            FileHandle.standardError.write(Data(question.utf8))
            return (readLine() ?? "").lowercased().hasPrefix("y")
        })
        let result = delete ? try await deployer.delete() : try await deployer.deploy()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        }
    }
}
