import Foundation
import LambdaAsyncCore
import LambdaAsyncProject
import LambdaAsyncResources
import LambdaAsyncService

/// Where the functions' calls to other AWS services go during `invoke` and `serve`, and the home of
/// the project's queues, tables, topics and buckets there:
/// - `--aws-endpoint-url URL`: that endpoint (LocalStack, a moto of your own); the resources are made in it;
/// - the template's functions use such resources: moto's server, started here and stopped with the run;
/// - neither: the calls come to the runner's own port and are refused at once, with what to do;
/// - `--aws-credentials` alone: your AWS account, as deployed code would reach it.
/// Nothing reaches a public endpoint unless `--aws-credentials` is given.
final class LocalAWSSession: Sendable {
    private let server: LocalAWS?
    let resources: ProjectResources?
    /// The project's folder, where the last run's contents are kept (`lambda-async resources`).
    private let project: URL?
    /// Said once at start: where the resources are.
    let startLine: String?

    static let snapshotPath = ".lambda-async/resources.json"
    static let livePath = ".lambda-async/local-aws.json"

    /// Starts moto when it is needed, makes the resources, and says where they are (or why they have no home).
    static func start(template: SAMTemplate?, aws: AWSAccessOptions, log: (String) -> Void) async -> LocalAWSSession {
        let declared = template?.localResources ?? []
        let project = template?.directory
        if let url = aws.awsEndpointUrl {
            let resources = ProjectResources(endpoint: url, resources: declared)
            await create(resources, at: url, log: log)
            return LocalAWSSession(server: nil, resources: resources, project: project,
                                   startLine: declared.isEmpty ? nil : "local AWS at \(url): \(list(declared))")
        }
        if aws.awsCredentials || declared.isEmpty {
            return LocalAWSSession(server: nil, resources: nil, project: project, startLine: nil)
        }
        do {
            let server = try LocalAWS()
            try await server.ready()
            let resources = ProjectResources(endpoint: server.endpoint, resources: declared)
            await create(resources, at: server.endpoint, log: log)
            return LocalAWSSession(server: server, resources: resources, project: project,
                                   startLine: "local AWS (moto's server, in memory: gone when this run ends) at \(server.endpoint): \(list(declared))")
        } catch {
            log("warning: \(list(declared)) have no local home: \(error); the functions' calls to them are refused at once. "
                + "Install it, or pass --aws-endpoint-url URL (LocalStack), or --aws-credentials to use your AWS account")
            return LocalAWSSession(server: nil, resources: nil, project: project, startLine: nil)
        }
    }

    private init(server: LocalAWS?, resources: ProjectResources?, project: URL?, startLine: String?) {
        self.server = server
        self.resources = resources
        self.project = project
        self.startLine = startLine
        // Moto's or --aws-endpoint-url's: `lambda-async resources` reads it live while this run lasts.
        if let resources, !resources.resources.isEmpty, let project { Self.writeLive(resources.endpoint, in: project) }
    }

    private static func create(_ resources: ProjectResources, at endpoint: String, log: (String) -> Void) async {
        guard !resources.resources.isEmpty else { return }
        do {
            try await resources.create()
        } catch {
            log("warning: could not make the project's resources at \(endpoint): \(error)")
        }
    }

    static func list(_ resources: [LocalResource]) -> String {
        resources.map { "\($0.logicalID) (\($0.kind.rawValue)\($0.name == $0.logicalID ? "" : " \($0.name)"))" }.joined(separator: ", ")
    }

    /// The functions' endpoint and the destination records' route.
    func apply(to options: inout LocalLambda.Options) {
        guard let resources else { return }
        options.endpointURL = resources.endpoint
        options.deliverToResource = { target, record in try? await resources.deliver(record, to: target) }
    }

    /// What landed where, said in a line per resource, kept for `lambda-async resources`; moto stops.
    func finish(log: (String) -> Void) async {
        defer {
            server?.stop()
            if let project, resources?.resources.isEmpty == false { try? FileManager.default.removeItem(at: project.appendingPathComponent(Self.livePath)) }
        }
        guard let resources, !resources.resources.isEmpty else { return }
        let contents = await resources.contents()
        let lines = ProjectResources.summary(contents)
        guard !lines.isEmpty else { return }
        var said = "local AWS: " + lines.joined(separator: "; ")
        if let project, Self.writeSnapshot(contents, in: project), contents.contains(where: { ($0.count ?? 0) > 0 }) {
            said += " (lambda-async resources shows them)"
        }
        log(said)
    }

    /// Where a running invoke's or serve's local AWS is, for `lambda-async resources` to read it live.
    private static func writeLive(_ endpoint: String, in project: URL) {
        let body: [String: Any] = ["endpoint": endpoint, "pid": Int(getpid())]
        guard let data = try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]) else { return }
        try? write(data, to: project.appendingPathComponent(livePath))
    }

    private static func writeSnapshot(_ contents: [ProjectResources.Content], in project: URL) -> Bool {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(Snapshot(takenAt: ISO8601DateFormatter().string(from: Date()), resources: contents)) else { return false }
        return (try? write(data, to: project.appendingPathComponent(snapshotPath))) != nil
    }

    /// Written beside, then renamed: a reader never sees half a file.
    private static func write(_ data: Data, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let partial = TemporaryFiles.beside(url)
        try data.write(to: partial)
        if rename(partial.path, url.path) != 0 {
            try? FileManager.default.removeItem(at: partial)
            throw CocoaError(.fileWriteUnknown)
        }
    }

    struct Snapshot: Codable {
        let takenAt: String
        let resources: [ProjectResources.Content]
    }
}
