import Foundation
import LambdaAsyncCore

/// What one invocation did, measured: the runner's timeline and Lambda's REPORT line.
public struct InvocationRecord: Sendable, Codable, Equatable {
    /// The JSON shape (`invoke --report`, schemas/invoke-report.schema.json): bumped on any breaking change.
    public var schemaVersion = 1
    public var requestId: String
    /// Set on a cold start: runtime and extensions started until all asked for their first event.
    @NullEncoded public var initDurationMs: Double?
    /// Invoke delivered to the runtime until the response was complete: what the client waited for
    /// after the start of the invocation.
    @NullEncoded public var responseMs: Double?
    /// When the client got the first byte: a stream's first chunk (its time to first byte), or the
    /// whole response when it was buffered.
    @NullEncoded public var firstByteMs: Double?
    /// Until the runtime asked for its next event.
    @NullEncoded public var runtimeDoneMs: Double?
    /// Until the last INVOKE-subscribed extension asked for its next event (nil without any).
    @NullEncoded public var extensionsDoneMs: Double?
    /// Per extension, until it asked for its next event.
    public var extensionDoneMs: [String: Double]
    /// Billed time: until the later of the runtime and the extensions, capped at the timeout.
    public var durationMs: Double
    public var billedDurationMs: Int
    public var memorySizeMB: Int
    public var maxMemoryUsedMB: Int
    /// The environment was frozen (SIGSTOP) when the invocation ended.
    public var frozen: Bool
    /// Lambda's error type (`Unhandled`, `Runtime.ExitError`, `Sandbox.Timedout`, ...), or nil.
    @NullEncoded public var error: String?
    /// Time from the start of the command's invoke to the response, init included.
    @NullEncoded public var clientLatencyMs: Double?
    /// START, the invocation's log lines, END and REPORT, when the caller asked for them
    /// (`X-Amz-Log-Type: Tail`); nil otherwise.
    @NullEncoded public var executionLog: String?
    /// The client had its answer, but the work after it was cut off: the environment was ended (a stop,
    /// a reload, an idle reclaim) before the runtime and every extension asked for more.
    public var interrupted = false

    /// On Lambda Managed Instances: the environment's concurrency, how many other invocations ran in it
    /// when this one was delivered, and whether it ran past its timeout (answered, not stopped).
    public struct ManagedInstances: Sendable, Codable, Equatable {
        public var maxConcurrency: Int
        public var overlapping: Int
        public var timeoutNotEnforced: Bool
    }
    /// Nil on Lambda's default platform.
    @NullEncoded public var managedInstances: ManagedInstances?

    enum CodingKeys: String, CodingKey {
        case schemaVersion, requestId, initDurationMs, responseMs, firstByteMs, runtimeDoneMs, extensionsDoneMs
        // Per extension: not to be mistaken for `extensionsDoneMs`, the last of them.
        case extensionDoneMs = "doneMsByExtension"
        case durationMs, billedDurationMs, memorySizeMB, maxMemoryUsedMB, frozen, error, clientLatencyMs, executionLog, interrupted
        case managedInstances
    }

    /// `REPORT RequestId: … Duration: x.xx ms Billed Duration: n ms Memory Size: m MB Max Memory Used: k MB`.
    public var reportLine: String {
        // Managed Instances bill the instance (EC2 price, a management fee, requests), not GB-seconds.
        let billing = managedInstances == nil ? "Billed Duration: \(billedDurationMs) ms" : "Billing: per instance"
        var line = "REPORT RequestId: \(requestId)\tDuration: \(String(format: "%.2f", durationMs)) ms\t\(billing)\tMemory Size: \(memorySizeMB) MB\tMax Memory Used: \(maxMemoryUsedMB) MB"
        if let initDurationMs { line += "\tInit Duration: \(String(format: "%.2f", initDurationMs)) ms" }
        if let error {
            line += "\tStatus: \(error == "Sandbox.Timedout" ? "timeout" : "error")"
        } else if interrupted {
            line += "\tStatus: interrupted"
        }
        return line
    }

    /// The timeline, one line per event, in milliseconds since the invoke was delivered.
    public var timelineLines: [String] {
        var events: [(Double, String)] = []
        events.append((0, "invoke delivered to the runtime"))
        // A stream's first byte reaches the client long before its end: the number a stream is for.
        if let firstByteMs, let responseMs, responseMs - firstByteMs >= 0.05 {
            events.append((firstByteMs, "first byte of the stream: the client starts reading"))
        }
        if let responseMs { events.append((responseMs, "response complete: the client has it")) }
        if let runtimeDoneMs { events.append((runtimeDoneMs, "runtime asked for its next event")) }
        for (name, ms) in extensionDoneMs { events.append((ms, "extension \(name) asked for its next event")) }
        if frozen { events.append((durationMs, "environment frozen")) }
        if let managed = managedInstances {
            if managed.overlapping > 0 {
                events.append((0, "\(managed.overlapping) other invocation(s) running in this environment (Managed Instances: up to \(managed.maxConcurrency) at once)"))
            }
            if managed.timeoutNotEnforced {
                events.append((durationMs, "timed out: the caller got Sandbox.Timedout; the code runs on (Managed Instances do not enforce timeouts)"))
            } else {
                events.append((durationMs, "done; the environment is never frozen (Managed Instances)"))
            }
        } else if let error, error == "Sandbox.Timedout" { events.append((durationMs, "timed out: environment reset")) }
        if interrupted { events.append((durationMs, "interrupted: the environment ended before the work after the response did")) }
        return events.sorted { $0.0 < $1.0 }.map { String(format: "%9.1f ms  ", $0.0) + $0.1 }
    }
}

/// Lambda bills whole milliseconds, rounded up.
func billed(_ milliseconds: Double) -> Int { Int(milliseconds.rounded(.up)) }
