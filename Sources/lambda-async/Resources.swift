import ArgumentParser
import Foundation
import LambdaAsyncProject
import LambdaAsyncResources

struct Resources: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what a project's queues, tables, topics and buckets hold in the local AWS of invoke and serve.",
        discussion: """
            While `lambda-async serve` (or invoke) runs, its local AWS (moto's server, or --aws-endpoint-url's) is read live; otherwise this shows what \
            the last `invoke` or `serve` left (.lambda-async/resources.json): the messages of each queue, the items \
            of each table, the keys of each bucket (the first 10 of each).

            Examples:
              lambda-async resources orders-api
              lambda-async resources --format json
            """
    )

    @Argument(help: ArgumentHelp("A SAM project folder (default: the current one).", valueName: "project-dir"), completion: .directory)
    var projectDirectory: String?

    @Option(help: "Output format: table (for people) or json (for scripts).")
    var format: ReportFormat = .table

    func run() async throws {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let folder = URL(fileURLWithPath: projectDirectory ?? ".", relativeTo: cwd).standardizedFileURL
        let template = try SAMTemplate.load(from: folder)
        guard !template.localResources.isEmpty else {
            throw CommandError.badInput("the functions of \(template.url.path) use no queue, table, topic or bucket of the template: nothing to show")
        }
        let project = template.directory
        let snapshot: LocalAWSSession.Snapshot
        let source: String
        if let live = Self.liveEndpoint(in: project) {
            let contents = await ProjectResources(endpoint: live.endpoint, resources: template.localResources).contents()
            snapshot = LocalAWSSession.Snapshot(takenAt: ISO8601DateFormatter().string(from: Date()), resources: contents)
            source = "live, from the local AWS of a running lambda-async (pid \(live.pid)) at \(live.endpoint)"
        } else if let data = FileManager.default.contents(atPath: project.appendingPathComponent(LocalAWSSession.snapshotPath).path),
                  let saved = try? JSONDecoder().decode(LocalAWSSession.Snapshot.self, from: data) {
            snapshot = saved
            source = "as the last invoke or serve left them (\(saved.takenAt))"
        } else {
            throw CommandError.badInput("no local run of \(template.url.path) has left anything yet: run lambda-async invoke or lambda-async serve first")
        }
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(snapshot), as: UTF8.self))
        case .table:
            var lines = ["\(template.localResources.count) resource(s), \(source):"]
            for content in snapshot.resources {
                let count = content.amount.map { ": \($0)" } ?? (content.kind == .topic ? ": what was published is not kept" : ": could not be read")
                lines.append("  \(content.logicalID) (\(content.kind.rawValue)\(content.name == content.logicalID ? "" : " " + content.name))\(count)")
                for record in content.records { lines.append("    \(record)") }
            }
            print(lines.joined(separator: "\n"))
        }
    }

    /// A running serve's local AWS, when its process is alive and its server answers.
    static func liveEndpoint(in project: URL) -> (endpoint: String, pid: Int)? {
        guard let data = FileManager.default.contents(atPath: project.appendingPathComponent(LocalAWSSession.livePath).path),
              let live = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let endpoint = live["endpoint"] as? String, let pid = live["pid"] as? Int,
              kill(pid_t(pid), 0) == 0 || errno == EPERM else { return nil }
        return (endpoint, pid)
    }
}
