import Foundation
import Testing
import TestSupport

/// `compare --measure` on a small workload: the relations the comparison states, measured.
@Suite(.timeLimit(.minutes(10))) struct MeasureTests {
    @Test func theMeasuredComparisonHoldsTheRelationsItStates() async throws {
        let result = try await TestSupport.run(Binary.url.path, ["compare", "--measure", "--invocations", "3", "--sync-ms", "40",
                                                            "--task-ms", "300", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        let measured = document["measured"] as! [String: Any]
        #expect(measured["pricesAsOf"] as? String != nil)
        let rows = Dictionary(uniqueKeysWithValues: (measured["rows"] as! [[String: Any]]).map { ($0["id"] as! String, $0) })
        #expect(Set(rows.keys) == ["async-invoke", "streaming", "extension", "custom-runtime", "durable", "background-thread"])
        func number(_ row: String, _ key: String) -> Double { (rows[row]?[key] as? NSNumber)?.doubleValue ?? -1 }

        for strategy in ["async-invoke", "streaming", "extension", "custom-runtime", "durable"] {
            // The client waits for the synchronous part (40 ms), not for the task (300 ms)...
            #expect(number(strategy, "latencyP50Ms") >= 40 && number(strategy, "latencyP50Ms") < 240, "\(strategy): \(rows[strategy]!)")
            // ...yet every strategy is billed for both.
            // (A durable call bills its replays too, whose SDK start-up a loaded machine stretches.)
            #expect(number(strategy, "billedMsPerCall") >= 340 && number(strategy, "billedMsPerCall") < (strategy == "durable" ? 1500 : 600),
                    "\(strategy): \(rows[strategy]!)")
            #expect(number(strategy, "postResponseMs") >= 280, "\(strategy)")
            #expect((rows[strategy]?["samples"] as? [Any])?.count == 3)
        }
        // Two functions, two requests: the highest cost per call.
        #expect(number("async-invoke", "requestsPerCall") == 2)
        for strategy in ["streaming", "extension", "custom-runtime"] {
            #expect(number(strategy, "requestsPerCall") == 1)
            #expect(number("async-invoke", "costPerMillionCalls") > number(strategy, "costPerMillionCalls"))
        }
        // The durable execution: the API's request and one replay before the wait, one after; the most
        // expensive per call, before its durable operations are even counted.
        #expect(number("durable", "requestsPerCall") == 3, "\(rows["durable"]!)")
        for strategy in ["async-invoke", "streaming", "extension", "custom-runtime"] {
            #expect(number("durable", "costPerMillionCalls") > number(strategy, "costPerMillionCalls"), "\(strategy)")
        }
        // The naive thread: cheap and quick because its task does not run before the freeze.
        #expect(number("background-thread", "taskBeforeFreezePercent") < 20, "\(rows["background-thread"]!)")
        #expect(number("background-thread", "taskLostPercent") > 0)
        #expect(number("background-thread", "billedMsPerCall") < 200, "\(rows["background-thread"]!)")
        #expect(rows["streaming"]?["language"] as? String == "node")
        #expect((document["comparison"] as? [String: Any])?["strategies"] != nil)
    }

    @Test func nodeRunsEveryRowItself() async throws {
        let result = try await TestSupport.run(Binary.url.path, ["compare", "--measure", "--language", "node", "--invocations", "2",
                                                            "--sync-ms", "20", "--task-ms", "200", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let measured = (try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any])["measured"] as! [String: Any]
        let rows = measured["rows"] as! [[String: Any]]
        // Durable projects are generated in Python only: that row says so.
        #expect(rows.allSatisfy { $0["language"] as? String == ($0["id"] as? String == "durable" ? "python" : "node") }, "\(rows.map { $0["language"] ?? "" })")
        let asyncInvoke = rows.first { $0["id"] as? String == "async-invoke" }
        #expect((asyncInvoke?["requestsPerCall"] as? NSNumber)?.doubleValue == 2)
        let broken = rows.first { $0["id"] as? String == "background-thread" }
        #expect(((broken?["taskBeforeFreezePercent"] as? NSNumber)?.doubleValue ?? 100) < 30)
    }

    /// Ctrl-C in the middle of a measurement: exit 130, and its generated projects are gone.
    @Test func anInterruptLeavesNoProjectBehind() async throws {
        // A temporary folder of its own: the suite's other measurements make projects beside it meanwhile.
        let tmp = try makeTemporaryDirectory("lambda-async-interrupted")
        defer { try? FileManager.default.removeItem(at: tmp) }
        func projects() -> Set<String> {
            Set(((try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? []).filter { $0.hasPrefix("lambda-async-measure-") })
        }
        let before = projects()
        let run = Process()
        run.executableURL = Binary.url
        run.arguments = ["compare", "--measure", "--invocations", "200", "--sync-ms", "1", "--task-ms", "1"]
        run.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": tmp.path]) { $1 }
        run.standardOutput = FileHandle.nullDevice
        run.standardError = FileHandle.nullDevice
        try run.run()
        let deadline = Date().addingTimeInterval(30)
        while projects().subtracting(before).isEmpty, run.isRunning, Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
        let made = projects().subtracting(before)
        #expect(!made.isEmpty, "no project was generated")
        try await Task.sleep(nanoseconds: 300_000_000)
        kill(run.processIdentifier, SIGINT)
        run.waitUntilExit()
        #expect(run.terminationStatus == 130)
        #expect(projects().intersection(made).isEmpty, "left behind: \(projects().intersection(made))")
    }

    @Test func badMeasureOptionsAreRefused() async throws {
        for (arguments, expected) in [
            (["compare", "--measure", "--region", "mars-north-1"], "no prices for region mars-north-1"),
            (["compare", "--measure", "--strategy", "extension"], "drop --strategy"),
            (["compare", "--measure", "--language", "rust"], "python or node"),
            (["compare", "--measure", "--invocations", "0"], "between 1 and 1000"),
        ] {
            let result = try await TestSupport.run(Binary.url.path, arguments)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
        }
    }
}
