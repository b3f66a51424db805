import Foundation
import LambdaAsyncCore
import LambdaAsyncEnvironment

/// What `invoke` shows of durable executions: it starts one (when the chosen function is durable),
/// follows those the run started until they end, says how to answer a callback one waits for, and
/// prints each execution's timeline from its history, with its replays and what they billed.
public struct DurableExecutionSummary: Sendable {
    public let arn: String
    public let name: String
    public let function: String
    public let status: String
}

extension LocalLambda {
    /// Starts an execution of `function` as a caller's Invoke would; its ARN.
    public func startDurableExecution(_ function: String, payload: [UInt8], name: String? = nil) async throws -> String {
        guard let backend = durableBackend.current, let settings = functions[function]?.durable else {
            throw RunnerError.cannotStart(function, Self.durableNotServed(function))
        }
        switch try await backend.start(function: function, settings: settings, name: name, payload: payload, tenantId: nil) {
        case .started(let arn), .existing(let arn): return arn
        case .conflict(let message): throw RunnerError.cannotStart(function, message)
        }
    }

    /// Every execution of the project's durable functions the control plane holds.
    public func durableExecutions() async -> [DurableExecutionSummary] {
        guard let backend = durableBackend.current else { return [] }
        var found: [DurableExecutionSummary] = []
        for function in functions.keys.sorted() where isDurable(function) {
            guard let answer = try? await backend.forward(method: "GET", path: "/2025-12-01/functions/\(function)/durable-executions", headers: [], body: []),
                  answer.status == 200,
                  let object = (try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [String: Any] else { continue }
            for execution in object["DurableExecutions"] as? [[String: Any]] ?? [] {
                guard let arn = execution["DurableExecutionArn"] as? String else { continue }
                found.append(DurableExecutionSummary(arn: arn, name: execution["DurableExecutionName"] as? String ?? arn,
                                                     function: function, status: execution["Status"] as? String ?? "RUNNING"))
            }
        }
        return found
    }

    /// The execution's whole history, oldest first: every page (a long execution's history comes in
    /// several, and its last events, a callback's start among them, would otherwise be missed).
    public func durableHistory(_ arn: String) async -> [[String: Any]] {
        guard let backend = durableBackend.current else { return [] }
        let path = "/2025-12-01/durable-executions/" + (arn.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? arn) + "/history"
        var events: [[String: Any]] = [], marker: String?
        repeat {
            let page = path + (marker.map { "?Marker=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? "")
            guard let answer = try? await backend.forward(method: "GET", path: page, headers: [], body: []), answer.status == 200,
                  let object = (try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [String: Any] else { break }
            events += object["Events"] as? [[String: Any]] ?? []
            let next = object["NextMarker"] as? String
            marker = next == marker ? nil : next
        } while marker != nil
        return events
    }

    /// An ended execution's result (or its error as a function error's body); nil while it runs.
    public func durableOutcome(_ arn: String) async -> [UInt8]? {
        guard let backend = durableBackend.current else { return nil }
        return await Self.endedExecution(arn, backend)?.body
    }

    /// The callbacks an execution waits for now (started, not yet answered or timed out).
    public func pendingCallbacks(_ arn: String) async -> [(id: String, name: String)] {
        DurableTimeline.pendingCallbacks(await durableHistory(arn))
    }
}

/// An execution's history as `invoke` prints it.
public enum DurableTimeline {
    static func timestamp(_ event: [String: Any]) -> Date? {
        if let seconds = event["EventTimestamp"] as? Double { return Date(timeIntervalSince1970: seconds) }
        if let text = event["EventTimestamp"] as? String {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text)
        }
        return nil
    }

    static func pendingCallbacks(_ events: [[String: Any]]) -> [(id: String, name: String)] {
        var pending: [String: (id: String, name: String)] = [:]
        var order: [String] = []
        for event in events {
            guard let type = event["EventType"] as? String, let id = event["Id"] as? String else { continue }
            if type == "CallbackStarted", let callback = (event["CallbackStartedDetails"] as? [String: Any])?["CallbackId"] as? String {
                pending[id] = (callback, event["Name"] as? String ?? id)
                order.append(id)
            } else if type.hasPrefix("Callback") {
                pending[id] = nil
            }
        }
        return order.compactMap { pending[$0] }
    }

    /// The durable operations an execution started (steps, waits, callbacks, chained invokes, child
    /// contexts): what Lambda bills as durable operations, by type.
    public static func operations(_ events: [[String: Any]]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for event in events {
            guard let type = event["EventType"] as? String, type.hasSuffix("Started"), type != "ExecutionStarted" else { continue }
            let kind = type.dropLast("Started".count).lowercased()
            counts[kind == "chainedinvoke" ? "chained invoke" : (kind == "context" ? "child context" : kind), default: 0] += 1
        }
        return counts
    }

    /// The execution's replay invocations, and what those the runner recorded billed.
    public static func replays(_ events: [[String: Any]], billed: [String: (durationMs: Double, billedMs: Int)]) -> (count: Int, billedMs: Int) {
        let completed = events.filter { $0["EventType"] as? String == "InvocationCompleted" }
        let billedMs = completed.compactMap { (($0["InvocationCompletedDetails"] as? [String: Any])?["RequestId"] as? String).flatMap { billed[$0]?.billedMs } }
        return (completed.count, billedMs.reduce(0, +))
    }

    /// One line per event, in ms from the execution's start, then the replays and operations counted.
    /// `billed` maps a replay's request id to what its invocation billed (from the runner's records).
    public static func lines(_ execution: DurableExecutionSummary, events: [[String: Any]], billed: [String: (durationMs: Double, billedMs: Int)]) -> [String] {
        let start = events.first.flatMap(timestamp) ?? Date()
        var lines: [String] = []
        var replay = 0
        for event in events {
            guard let type = event["EventType"] as? String else { continue }
            let at = timestamp(event).map { $0.timeIntervalSince(start) * 1000 } ?? 0
            var text = type + ((event["Name"] as? String).map { " \($0)" } ?? "")
            switch type {
            case "InvocationCompleted":
                replay += 1
                let details = event["InvocationCompletedDetails"] as? [String: Any] ?? [:]
                if let request = details["RequestId"] as? String, let bill = billed[request] {
                    text = String(format: "replay %d ended: %.1f ms, billed %d ms", replay, bill.durationMs, bill.billedMs)
                } else {
                    text = "replay \(replay) ended"
                }
                if let error = details["Error"] as? [String: Any], let payload = error["Payload"] as? [String: Any] ?? error["Error"] as? [String: Any] {
                    text += " (error: \(payload["ErrorType"] as? String ?? "unknown"))"
                }
            case "StepFailed":
                let details = event["StepFailedDetails"] as? [String: Any] ?? [:]
                let error = (details["Error"] as? [String: Any])?["Payload"] as? [String: Any]
                if let message = error?["ErrorMessage"] as? String { text += ": \(message)" }
                if let retry = details["RetryDetails"] as? [String: Any], let delay = retry["NextAttemptDelaySeconds"] as? Int, delay > 0 {
                    text += " (retry in \(delay) s)"
                }
            case "WaitStarted":
                if let seconds = (event["WaitStartedDetails"] as? [String: Any])?["Duration"] as? Int { text += " (\(seconds) s, no compute billed)" }
            case "CallbackStarted":
                if let id = (event["CallbackStartedDetails"] as? [String: Any])?["CallbackId"] as? String { text += " (callback id \(id))" }
            default:
                break
            }
            lines.append(String(format: "%9.1f ms  ", at) + text)
        }
        let totals = replays(events, billed: billed)
        let counts = operations(events)
        let listed = counts.keys.sorted().map { "\(counts[$0]!) \($0)" }.joined(separator: ", ")
        lines.append("\(totals.count) replay invocation\(totals.count == 1 ? "" : "s") (\(totals.billedMs) ms billed); \(counts.values.reduce(0, +)) durable operations started, retries included (\(listed.isEmpty ? "none" : listed))")
        return lines
    }
}
