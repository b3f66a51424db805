import Foundation
import LambdaAsyncArchive
import LambdaAsyncCore
import LambdaAsyncProject
import LambdaAsyncEnvironment
import LambdaAsyncService
import LambdaAsyncResources
import LambdaAsyncScaffold
import NIOConcurrencyHelpers

public enum MeasureError: Error, CustomStringConvertible {
    case unknownRegion(String)
    case unsupportedLanguage(String)
    case failed(String, String)

    public var description: String {
        switch self {
        case .unknownRegion(let region):
            return "no prices for region \(region); use one of: \(Pricing.regions.joined(separator: ", "))"
        case .unsupportedLanguage(let language):
            return "--measure generates python or node projects, not \(language)"
        case .failed(let strategy, let reason):
            return "measuring \(strategy) failed: \(reason)"
        }
    }
}

/// `compare --measure`: generates each strategy's project, runs it in the local runner with the
/// workload (through the SYNC_MS and TASK_MS variables every template reads), and measures what the
/// client waited for and what Lambda would bill.
public struct Measurer: Sendable {
    public let workload: Workload
    public let progress: @Sendable (String, Int, Int) -> Void

    public init(workload: Workload, progress: @escaping @Sendable (String, Int, Int) -> Void = { _, _, _ in }) {
        self.workload = workload
        self.progress = progress
    }

    /// The row the naive approach gets.
    public static let brokenID = "background-thread"

    public func run() async throws -> MeasureReport {
        guard let rate = Pricing.rate(region: workload.region, architecture: workload.architecture) else {
            throw MeasureError.unknownRegion(workload.region)
        }
        guard let language = ProjectLanguage(rawValue: workload.language) else { throw MeasureError.unsupportedLanguage(workload.language) }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("lambda-async-measure-\(UUID().uuidString.prefix(8))")
        // An interrupt removes the generated projects too (the command's handler removes what is tracked).
        TemporaryFiles.track(work)
        defer {
            try? FileManager.default.removeItem(at: work)
            TemporaryFiles.untrack(work)
        }
        var rows: [StrategyMeasurement] = []
        for strategy in Strategy.allCases {
            let (chosen, note) = Self.language(for: strategy, requested: language)
            rows.append(try await measure(strategy: strategy, language: chosen, note: note, in: work, rate: rate))
        }
        rows.append(try await measureBroken(in: work, rate: rate))
        return MeasureReport(schemaVersion: 1, workload: workload, pricesAsOf: Pricing.asOf,
                             perRequestUSD: rate.perRequest, perGBSecondUSD: rate.perGBSecond, rows: rows)
    }

    /// A strategy runs in the requested language when it can run there locally, otherwise in the other.
    static func language(for strategy: Strategy, requested: ProjectLanguage) -> (ProjectLanguage, String?) {
        switch (strategy, requested) {
        case (.streaming, .python):
            return (.node, "measured in node: Python has no native response streaming")
        case (.durable, .node):
            return (.python, "measured in python: lambda-async generates durable projects in Python only")
        default:
            return (requested, nil)
        }
    }

    private var environment: [String: String] {
        // The durable worker's follow-up wait at its shortest (1 s): a wait bills no compute, it only
        // delays the execution's end.
        ["SYNC_MS": String(workload.syncMs), "TASK_MS": String(workload.taskMs), "FOLLOW_UP_DELAY_SECONDS": "1"]
    }

    private func measure(strategy: Strategy, language: ProjectLanguage, note: String?, in work: URL,
                         rate: Pricing.Rate) async throws -> StrategyMeasurement {
        let folder = work.appendingPathComponent(strategy.rawValue)
        let generator = try ProjectGenerator(options: ProjectOptions(
            name: "measure-\(strategy.rawValue)", language: language, strategy: strategy,
            architecture: workload.architecture, memoryMB: workload.memoryMB, timeoutSeconds: 60))
        _ = try generator.write(to: folder, force: false)
        let template = try SAMTemplate.load(from: folder)
        // Every function as invoke and serve run it: what ships, with its destinations, URL and routes.
        let functions = try template.functions.map {
            try ProjectFunctions.served($0, of: template, scratch: folder.appendingPathComponent(".lambda-async/scratch"), environment: environment)
        }
        let samples = try await run(functions, label: strategy.rawValue, destinations: folder.appendingPathComponent(".lambda-async"))
        return summarize(id: strategy.rawValue, title: strategy.title, language: language.rawValue, note: note, samples: samples, rate: rate)
    }

    /// The trap, measured: a thread the handler starts and nothing waits for.
    private func measureBroken(in work: URL, rate: Pricing.Rate) async throws -> StrategyMeasurement {
        let folder = work.appendingPathComponent(Self.brokenID)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let node = workload.language == ProjectLanguage.node.rawValue
        if node {
            try """
                import { setTimeout as sleep } from "node:timers/promises";

                export const handler = async (event, context) => {
                  await sleep(Number(process.env.SYNC_MS));
                  const steps = Math.max(1, Math.floor(Number(process.env.TASK_MS) / 10));
                  // The trap: a promise nothing awaits, left pending when the handler returns.
                  (async () => {
                    for (let step = 0; step < steps; step++) {
                      await sleep(10);
                      process.stdout.write(`TICK ${context.awsRequestId} ${step} ${Date.now() / 1000}\\n`);
                    }
                  })();
                  return { statusCode: 202, body: "accepted" };
                };
                """.write(to: folder.appendingPathComponent("app.mjs"), atomically: true, encoding: .utf8)
        } else {
            try """
                import os, threading, time

                def handler(event, context):
                    time.sleep(int(os.environ["SYNC_MS"]) / 1000)
                    request_id, steps = context.aws_request_id, max(1, int(os.environ["TASK_MS"]) // 10)

                    def task():  # the trap: nothing keeps the environment running for it
                        for step in range(steps):
                            time.sleep(0.01)
                            print(f"TICK {request_id} {step} {time.time()}", flush=True)

                    threading.Thread(target=task).start()
                    return {"statusCode": 202, "body": "accepted"}
                """.write(to: folder.appendingPathComponent("app.py"), atomically: true, encoding: .utf8)
        }
        let config = FunctionConfig(name: "ApiFunction", runtime: node ? .defaultNode : .defaultPython, handler: "app.handler", code: folder,
                                    memoryMB: workload.memoryMB, timeoutSeconds: 60, environment: environment)
        var ends: [String: Double] = [:]
        // The task reports each tick in its log, stamped by its own clock: the sandbox cannot write
        // to this machine's files.
        let ticks = RecordLog()
        let samples = try await run([LocalLambda.Function(config: config)], label: Self.brokenID, destinations: folder, ended: { id in
            ends[id] = Date().timeIntervalSince1970
        }, log: { line in
            if line.hasPrefix("TICK ") { ticks.addLine(String(line.dropFirst(5))) }
        })
        // Each tick is 10 ms of the task: done before its invocation froze, later (thawed by the next
        // invocation), or never (the environment was shut down with the thread still frozen).
        let steps = max(1, workload.taskMs / 10)
        var before = 0, later = 0
        for line in ticks.lines {
            let parts = line.split(separator: " ")
            guard parts.count == 3, let end = ends[String(parts[0])], let time = Double(parts[2]) else { continue }
            if time <= end { before += 1 } else { later += 1 }
        }
        let expected = Double(steps * samples.count)
        let row = summarize(id: Self.brokenID, title: "Background thread (broken)", language: node ? "node" : "python",
                            note: node ? "a promise nothing awaits: frozen with the environment" : "a thread without an extension: frozen with the environment",
                            samples: samples, rate: rate)
        return StrategyMeasurement(
            id: row.id, title: row.title, language: row.language, note: row.note, samples: row.samples,
            latencyP50Ms: row.latencyP50Ms, latencyP95Ms: row.latencyP95Ms,
            firstByteP50Ms: row.firstByteP50Ms, firstByteP95Ms: row.firstByteP95Ms, billedMsPerCall: row.billedMsPerCall,
            requestsPerCall: row.requestsPerCall, postResponseMs: row.postResponseMs, coldInitMs: row.coldInitMs,
            costPerMillionCalls: row.costPerMillionCalls, coldInitCostPerMillion: row.coldInitCostPerMillion,
            taskBeforeFreezePercent: 100 * Double(before) / expected, taskDelayedPercent: 100 * Double(later) / expected,
            taskLostPercent: max(0, 100 * (expected - Double(before + later)) / expected))
    }

    /// Calls ApiFunction `invocations` times, one after another, each call measured until every
    /// invocation it caused (an asynchronous worker included) has ended.
    private func run(_ functions: [LocalLambda.Function], label: String, destinations: URL,
                     ended: (String) -> Void = { _ in }, log: @escaping @Sendable (String) -> Void = { _ in }) async throws -> [Sample] {
        let records = RecordLog()
        var options = LocalLambda.Options(destinations: destinations)
        options.retryDelayScale = 0.001
        options.log = log
        // Each environment as Lambda's (isolation as far as this machine allows, CPU in proportion to memory).
        options.environment.isolation = .auto
        options.onRecord = { name, record in records.add(name, record) }
        let lambda = try LocalLambda(functions: functions, options: options)
        // A durable project's executions, with serve's control plane: each replay is an invocation measured here.
        var plane: DurableControlPlane?
        if lambda.hasDurableFunctions {
            do {
                let started = try DurableControlPlane(lambdaEndpoint: "http://127.0.0.1:\(lambda.port)", store: destinations.appendingPathComponent("durable"),
                                                      functions: lambda.durableSettings)
                plane = started
                try await started.ready()
                lambda.serveDurableExecutions(with: started)
            } catch {
                plane?.stop()
                _ = await lambda.stop()
                throw MeasureError.failed(label, "\(error)")
            }
        }
        defer { plane?.stop() }
        var samples: [Sample] = []
        do {
            for index in 0..<workload.invocations {
                progress(label, index + 1, workload.invocations)
                records.reset()
                let payload = Array(#"{"orderId": "measure-\#(index)"}"#.utf8)
                let api = try await lambda.invoke("ApiFunction", payload: payload)
                ended(api.requestId)
                await lambda.waitUntilIdle()
                if plane != nil {
                    // The call's work ends with its durable execution (replays, retries, the wait).
                    let deadline = Date().addingTimeInterval(120)
                    while await lambda.durableExecutions().contains(where: { $0.status == "RUNNING" }), Date() < deadline {
                        try await Task.sleep(nanoseconds: 50_000_000)
                    }
                    await lambda.waitUntilIdle()
                }
                await records.waitFor(api.requestId)
                let all = records.all
                guard api.error == nil else { throw MeasureError.failed(label, "ApiFunction answered \(api.error!)") }
                let responseMs = api.responseMs ?? api.durationMs
                let clientLatency = api.clientLatencyMs ?? responseMs
                samples.append(Sample(
                    clientLatencyMs: clientLatency,
                    clientFirstByteMs: clientLatency - (responseMs - (api.firstByteMs ?? responseMs)),
                    billedMs: all.reduce(0) { $0 + $1.billedDurationMs },
                    requests: all.count,
                    postResponseMs: all.reduce(0) { $0 + $1.durationMs } - responseMs,
                    initMs: all.compactMap(\.initDurationMs).isEmpty ? nil : all.compactMap(\.initDurationMs).reduce(0, +)))
            }
        } catch {
            _ = await lambda.stop()
            throw error
        }
        _ = await lambda.stop()
        return samples
    }

    private func summarize(id: String, title: String, language: String, note: String?, samples: [Sample],
                           rate: Pricing.Rate) -> StrategyMeasurement {
        // The first call is cold; the rest describe the steady state.
        let warm = samples.count > 1 ? Array(samples.dropFirst()) : samples
        let latencies = warm.map(\.clientLatencyMs)
        let billedMs = Statistics.mean(warm.map { Double($0.billedMs) })
        let requests = Statistics.mean(warm.map { Double($0.requests) })
        return StrategyMeasurement(
            id: id, title: title, language: language, note: note, samples: samples,
            latencyP50Ms: Statistics.percentile(latencies, 50), latencyP95Ms: Statistics.percentile(latencies, 95),
            firstByteP50Ms: Statistics.percentile(warm.map(\.clientFirstByteMs), 50),
            firstByteP95Ms: Statistics.percentile(warm.map(\.clientFirstByteMs), 95),
            billedMsPerCall: billedMs, requestsPerCall: requests,
            postResponseMs: Statistics.mean(warm.map(\.postResponseMs)), coldInitMs: samples.first?.initMs,
            costPerMillionCalls: Pricing.costPerMillionCalls(requests: requests, billedMs: billedMs, memoryMB: workload.memoryMB, rate: rate),
            coldInitCostPerMillion: samples.first?.initMs.map {
                Pricing.costPerMillionCalls(requests: 0, billedMs: $0, memoryMB: workload.memoryMB, rate: rate)
            },
            taskBeforeFreezePercent: nil, taskDelayedPercent: nil, taskLostPercent: nil)
    }
}

/// The records of the invocations of one call, and the log lines of the run.
final class RecordLog: Sendable {
    private struct State {
        var records: [InvocationRecord] = []
        var logLines: [String] = []
        /// Who waits for a request id's record (`record(of:)`).
        var waiters: [(requestId: String, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = NIOLockedValueBox(State())

    func addLine(_ line: String) {
        state.withLockedValue { $0.logLines.append(line) }
    }

    var lines: [String] { state.withLockedValue { $0.logLines } }

    func add(_ name: String, _ record: InvocationRecord) {
        let arrived = state.withLockedValue { state in
            state.records.append(record)
            let (done, waiting) = (state.waiters.filter { $0.requestId == record.requestId }, state.waiters.filter { $0.requestId != record.requestId })
            state.waiters = waiting
            return done
        }
        arrived.forEach { $0.continuation.resume() }
    }

    func reset() {
        state.withLockedValue { $0.records = [] }
    }

    var all: [InvocationRecord] { state.withLockedValue { $0.records } }

    /// The record of an invocation is reported just after the invocation returns: wait for it, 2 s at most.
    func waitFor(_ requestId: String) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let present = state.withLockedValue { state in
                if state.records.contains(where: { $0.requestId == requestId }) { return true }
                state.waiters.append((requestId, continuation))
                return false
            }
            if present { return continuation.resume() }
            DispatchQueue.global().asyncAfter(deadline: .now() + 2) { [state] in
                let late = state.withLockedValue { state in
                    defer { state.waiters.removeAll { $0.requestId == requestId } }
                    return state.waiters.filter { $0.requestId == requestId }
                }
                late.forEach { $0.continuation.resume() }
            }
        }
    }
}
