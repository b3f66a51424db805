import Foundation
import LambdaAsyncCore
import LambdaAsyncResources
import LambdaAsyncService

/// The durable executions of a project with durable functions, for `serve` and `invoke`: their control
/// plane started behind the runner's own port, kept in the project's `.lambda-async/durable/`, and
/// stopped at the end (what is running stays on disk and goes on at the next start).
struct DurableSession {
    let plane: DurableControlPlane?
    let startLine: String?

    /// `kept`: serve's store, in the project, resumed at the next start; else `invoke`'s, in its scratch
    /// folder, gone with the run.
    static func start(lambda: LocalLambda, store: URL, kept: Bool, log: (String) -> Void) async -> DurableSession {
        guard lambda.hasDurableFunctions else { return DurableSession(plane: nil, startLine: nil) }
        let durable = lambda.durableSettings.compactMap { $0.value == nil ? nil : $0.key }.sorted()
        do {
            let plane = try DurableControlPlane(lambdaEndpoint: "http://127.0.0.1:\(lambda.port)", store: store, functions: lambda.durableSettings)
            try await plane.ready()
            lambda.serveDurableExecutions(with: plane)
            return DurableSession(plane: plane, startLine: kept
                ? "durable executions of \(durable.joined(separator: ", ")): kept in \(DisplayPath.relative(store.path)) "
                    + "(a restart resumes them); history, callbacks and stop through the Lambda API at this port"
                : "durable executions of \(durable.joined(separator: ", ")): this run's only, followed to their end (serve keeps them across restarts)")
        } catch {
            log("note: durable executions are not served: \(error); calls to \(durable.joined(separator: ", ")) are refused")
            return DurableSession(plane: nil, startLine: nil)
        }
    }

    func finish() {
        plane?.stop()
    }

    /// Waits for the run's durable executions to end (15 minutes at most, a synchronous start's limit),
    /// says once how to answer each callback one waits for, then prints each one's timeline.
    func follow(_ lambda: LocalLambda, replays: Locked<[String: (durationMs: Double, billedMs: Int)]>,
                sizes: [String: (memoryMB: Int, architecture: Architecture)],
                log: @escaping @Sendable (String) -> Void) async -> [(function: String, status: String, result: [UInt8]?)] {
        let deadline = Date().addingTimeInterval(TimeInterval(LambdaQuotas.timeoutSeconds.upperBound))
        var told: Set<String> = []
        var executions = await lambda.durableExecutions()
        while executions.contains(where: { $0.status == "RUNNING" }), Date() < deadline {
            for execution in executions where execution.status == "RUNNING" {
                for callback in await lambda.pendingCallbacks(execution.arn) where told.insert(callback.id).inserted {
                    log("\(execution.function): execution \(execution.name) waits for its callback \(callback.name); answer it (invoke waits up to 15 minutes):\n"
                        + "  aws lambda send-durable-execution-callback-success --endpoint-url http://127.0.0.1:\(lambda.port) --callback-id \(callback.id) --result '{}'")
                }
            }
            try? await Task.sleep(nanoseconds: 200_000_000)
            executions = await lambda.durableExecutions()
        }
        await lambda.waitUntilIdle(timeout: 30)
        let billed = replays.withLock { $0 }
        var ended: [(function: String, status: String, result: [UInt8]?)] = []
        for execution in executions {
            let events = await lambda.durableHistory(execution.arn)
            var lines = ["--- \(execution.function) durable execution \(execution.name): \(execution.status) (ms from its start) ---"]
            lines += DurableTimeline.lines(execution, events: events, billed: billed)
            let size = sizes[execution.function] ?? (memoryMB: 128, architecture: .x86_64)
            if let rate = Pricing.rate(region: "us-east-1", architecture: size.architecture) {
                let totals = DurableTimeline.replays(events, billed: billed)
                let perMillion = Pricing.costPerMillionCalls(requests: Double(totals.count), billedMs: Double(totals.billedMs), memoryMB: size.memoryMB, rate: rate)
                lines.append(String(format: "cost: $%.2f per million such executions (%d requests, %d ms billed at %d MB %@, us-east-1 prices of %@); "
                                    + "Lambda bills the durable operations and the data they write and keep besides, not priced here",
                                    perMillion, totals.count, totals.billedMs, size.memoryMB, size.architecture.rawValue, Pricing.asOf))
            }
            if execution.status == "RUNNING" { lines.append("still running after 15 minutes: it ends with this run (serve keeps executions across restarts)") }
            FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            ended.append((execution.function, execution.status, await lambda.durableOutcome(execution.arn)))
        }
        return ended
    }
}
