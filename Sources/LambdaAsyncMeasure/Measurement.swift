import Foundation
import LambdaAsyncCore

/// The workload `compare --measure` runs each strategy with.
public struct Workload: Sendable, Codable {
    public var language: String
    /// Work before the response, and the task after it.
    public var syncMs: Int
    public var taskMs: Int
    public var memoryMB: Int
    public var architecture: Architecture
    public var invocations: Int
    public var region: String

    public init(language: String = "python", syncMs: Int = 50, taskMs: Int = 200, memoryMB: Int = 256,
                architecture: Architecture = .arm64, invocations: Int = 20, region: String = "us-east-1") {
        self.language = language
        self.syncMs = syncMs
        self.taskMs = taskMs
        self.memoryMB = memoryMB
        self.architecture = architecture
        self.invocations = invocations
        self.region = region
    }
}

/// One call of a strategy: what the client waited for and what every function it involved billed.
public struct Sample: Sendable, Codable {
    public let clientLatencyMs: Double
    /// Until the client had the first byte: earlier than the whole response only for a stream.
    public let clientFirstByteMs: Double
    public let billedMs: Int
    public let requests: Int
    /// How long the call's invocations ran after the client had its response.
    public let postResponseMs: Double
    @NullEncoded public var initMs: Double?
}

/// The measured row of one strategy (or of the broken background thread).
public struct StrategyMeasurement: Sendable, Codable {
    public let id: String
    public let title: String
    /// The language the row was measured in (it can differ from the requested one; see `note`).
    public let language: String
    @NullEncoded public var note: String?
    public let samples: [Sample]
    public let latencyP50Ms: Double
    public let latencyP95Ms: Double
    /// Time to first byte: what a streamed response is for (equal to the latency when buffered).
    public let firstByteP50Ms: Double
    public let firstByteP95Ms: Double
    public let billedMsPerCall: Double
    public let requestsPerCall: Double
    public let postResponseMs: Double
    @NullEncoded public var coldInitMs: Double?
    public let costPerMillionCalls: Double
    /// What the INIT of a cold call costs, per million cold starts: billed for every function since
    /// 1 August 2025 (managed runtimes included), on top of the call's own cost. Nil when no call was cold.
    @NullEncoded public var coldInitCostPerMillion: Double?
    /// For the background thread: shares of the task done before the freeze, later, and never.
    @NullEncoded public var taskBeforeFreezePercent: Double?
    @NullEncoded public var taskDelayedPercent: Double?
    @NullEncoded public var taskLostPercent: Double?
}

public struct MeasureReport: Sendable, Codable {
    public let schemaVersion: Int
    public let workload: Workload
    public let pricesAsOf: String
    public let perRequestUSD: Double
    public let perGBSecondUSD: Double
    public let rows: [StrategyMeasurement]
}

enum Statistics {
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    static func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
}
