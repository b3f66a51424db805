import Foundation

/// How an invocation is measured and billed, from the moments the sandbox saw. Pure: the rules
/// (duration to the later of runtime and extensions, the timeout's cap, init billed on a cold call)
/// are unit-tested without processes.
struct Metering {
    var requestId: String
    /// When the invocation's clock started: the event's delivery, or a suppressed init's retry.
    var start: UInt64
    /// When the caller asked for the invocation.
    var clientStart: UInt64
    var responseAt: UInt64?
    /// The first byte the client got (a stream's first chunk); nil: when the response was complete.
    var firstByteAt: UInt64? = nil
    var runtimeDoneAt: UInt64?
    /// Per INVOKE-subscribed extension, ms from `start` to its next `/event/next`.
    var extensionDoneMs: [String: Double] = [:]
    var timedOut = false
    var timeoutMs: Double
    /// Set on the cold call of an environment.
    var initDurationMs: Double?
    var memorySizeMB: Int
    var maxMemoryUsedMB: Int
    var error: String?

    var record: InvocationRecord {
        let runtimeDone = runtimeDoneAt.map { milliseconds(from: start, to: $0) }
        let end = timedOut ? timeoutMs : max(runtimeDone ?? 0, extensionDoneMs.values.max() ?? 0)
        let duration = min(end, timeoutMs)
        // A cold invocation is billed for its init too: Lambda bills init for every on-demand function
        // since 1 August 2025 (custom runtimes always were).
        let billedDuration = billed(duration + (initDurationMs ?? 0))
        return InvocationRecord(
            requestId: requestId, initDurationMs: initDurationMs,
            responseMs: responseAt.map { milliseconds(from: start, to: $0) },
            firstByteMs: (firstByteAt ?? responseAt).map { milliseconds(from: start, to: $0) },
            runtimeDoneMs: runtimeDone, extensionsDoneMs: extensionDoneMs.values.max(), extensionDoneMs: extensionDoneMs,
            durationMs: duration, billedDurationMs: billedDuration, memorySizeMB: memorySizeMB, maxMemoryUsedMB: maxMemoryUsedMB,
            frozen: false, error: error,
            clientLatencyMs: responseAt.map { milliseconds(from: clientStart, to: $0) })
    }

    /// The `platform.report` metrics the Telemetry API sends for the same invocation.
    static func reportMetrics(_ record: InvocationRecord) -> [String: Any] {
        var metrics: [String: Any] = ["durationMs": record.durationMs, "billedDurationMs": record.billedDurationMs,
                                      "memorySizeMB": record.memorySizeMB, "maxMemoryUsedMB": record.maxMemoryUsedMB]
        if let initDurationMs = record.initDurationMs { metrics["initDurationMs"] = initDurationMs }
        return metrics
    }
}
