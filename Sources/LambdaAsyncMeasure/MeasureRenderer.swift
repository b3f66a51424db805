import Foundation
import LambdaAsyncCore

/// Prints a measurement beside the qualitative comparison's cost facts.
public struct MeasureRenderer: Sendable {
    public let report: MeasureReport

    public init(_ report: MeasureReport) { self.report = report }

    static func ms(_ value: Double) -> String { String(format: "%.0f ms", value) }

    var header: [String] {
        ["STRATEGY", "LANG", "CLIENT P50", "P95", "BILLED/CALL", "REQUESTS", "AFTER RESPONSE", "COLD INIT", "$ PER 1M CALLS", "+$ PER 1M COLD"]
    }

    var rows: [[String]] {
        report.rows.map { row in
            [row.id, row.language, Self.ms(row.latencyP50Ms), Self.ms(row.latencyP95Ms), Self.ms(row.billedMsPerCall),
             String(format: "%.0f", row.requestsPerCall), Self.ms(row.postResponseMs), row.coldInitMs.map(Self.ms) ?? "-",
             String(format: "%.2f", row.costPerMillionCalls), row.coldInitCostPerMillion.map { String(format: "%.2f", $0) } ?? "-"]
        }
    }

    var footer: [String] {
        let w = report.workload
        var lines = ["Workload: \(w.syncMs) ms before the response, \(w.taskMs) ms task after it; \(w.invocations) calls per strategy "
                     + "(p50/p95 and per-call figures over the warm calls); \(w.memoryMB) MB \(w.architecture.rawValue), \(w.region)."]
        for row in report.rows {
            if let before = row.taskBeforeFreezePercent, let delayed = row.taskDelayedPercent, let lost = row.taskLostPercent {
                lines.append(String(format: "%@: %.0f%% of the task ran before the freeze, %.0f%% only when the next call thawed it, %.0f%% never.",
                                    row.id, before, delayed, lost))
            }
            if let note = row.note, row.taskBeforeFreezePercent == nil { lines.append("\(row.id): \(note).") }
            // A stream's point: the client reads its first bytes long before the end.
            if row.latencyP50Ms - row.firstByteP50Ms >= 1 {
                lines.append(String(format: "%@: time to first byte p50 %.0f ms, p95 %.0f ms (the whole response: p50 %.0f ms).",
                                    row.id, row.firstByteP50Ms, row.firstByteP95Ms, row.latencyP50Ms))
            }
        }
        if report.rows.contains(where: { $0.id == Strategy.durable.rawValue }) {
            lines.append("durable: each call is the API's invocation and the execution's replays (before and after its wait); "
                         + "Lambda also bills the durable operations and the data they write and keep, not priced here.")
        }
        lines.append("+$ PER 1M COLD: the cold call's INIT, billed for every function since 1 August 2025 (managed runtimes too), "
                     + "added to the call's cost once per cold start.")
        lines.append(String(format: "Prices as of %@: $%.2f per million requests, $%.10f per GB-second (%@).",
                            report.pricesAsOf, report.perRequestUSD * 1_000_000, report.perGBSecondUSD, report.workload.architecture.rawValue))
        return lines
    }

    public func render(_ format: OutputFormat, style: TextStyle) -> String {
        switch format {
        case .json:
            return JSONOutput.encode(Document(measured: report, comparison: ComparisonRenderer(dimensions: [.cost, .taskStart]).document))
        case .markdown:
            var lines = ["| " + header.joined(separator: " | ") + " |", "|" + header.map { _ in "---|" }.joined()]
            lines += rows.map { "| " + $0.joined(separator: " | ") + " |" }
            return (lines + [""] + footer + ["", ComparisonRenderer(dimensions: [.cost]).markdown()]).joined(separator: "\n")
        case .table:
            let table = Columns(header: header, rows: rows, rightAligned: Set(2...8)).render(style: style)
            let notes = footer.flatMap { TextWrap.lines($0, width: style.width) }
            let qualitative = ComparisonRenderer(dimensions: [.cost]).table(style: style)
            return ([table, ""] + notes + ["", "What the comparison says:", qualitative]).joined(separator: "\n")
        }
    }

    /// `compare --measure --format json`: the measurement with its raw samples, and the comparison's facts.
    struct Document: Encodable {
        let schemaVersion = 1
        let measured: MeasureReport
        let comparison: ComparisonRenderer.Document
    }
}
