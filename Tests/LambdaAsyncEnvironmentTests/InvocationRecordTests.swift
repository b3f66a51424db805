import Foundation
import Testing
@testable import LambdaAsyncEnvironment

@Suite struct InvocationRecordTests {
    let record = InvocationRecord(
        requestId: "8f3e", initDurationMs: 85.204, responseMs: 1.5, firstByteMs: 1.5, runtimeDoneMs: 2.25, extensionsDoneMs: 402.4,
        extensionDoneMs: ["tasks": 402.4], durationMs: 402.4, billedDurationMs: billed(402.4), memorySizeMB: 256,
        maxMemoryUsedMB: 31, frozen: true, error: nil, clientLatencyMs: 90)

    @Test func reportLineIsLambdas() {
        #expect(record.reportLine == "REPORT RequestId: 8f3e\tDuration: 402.40 ms\tBilled Duration: 403 ms\tMemory Size: 256 MB\tMax Memory Used: 31 MB\tInit Duration: 85.20 ms")
        var timedOut = record
        timedOut.initDurationMs = nil
        timedOut.error = "Sandbox.Timedout"
        #expect(timedOut.reportLine.hasSuffix("Max Memory Used: 31 MB\tStatus: timeout"))
    }

    @Test func billingRoundsUpToTheMillisecond() {
        #expect(billed(0.2) == 1)
        #expect(billed(402.0) == 402)
        #expect(billed(402.01) == 403)
    }

    @Test func timelineIsInTimeOrder() {
        let lines = record.timelineLines
        #expect(lines.count == 5)
        #expect(lines[0].hasSuffix("invoke delivered to the runtime"))
        #expect(lines[1].hasSuffix("response complete: the client has it"))
        #expect(lines[2].hasSuffix("runtime asked for its next event"))
        #expect(lines[3].hasSuffix("extension tasks asked for its next event"))
        #expect(lines[4].hasSuffix("environment frozen"))
    }

    @Test func exitStatusesReadAsLambdaWordsThem() {
        #expect(SandboxProcess.describe(3 << 8) == "exit status 3")
        #expect(SandboxProcess.describe(9) == "signal: killed")
    }

    @Test func theEmbeddedRuntimeClientsAreInstalled() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ric-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try RuntimeClients.install(into: dir.appendingPathComponent("runtime"), modules: dir)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("runtime/python_ric.py").path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("runtime/node_ric.mjs").path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("node_modules/@aws-sdk/client-lambda/index.mjs").path))
    }
}
