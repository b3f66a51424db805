import Foundation
import LambdaAsyncCore
import NIOCore
import NIOEmbedded
import Testing
@testable import LambdaAsyncEnvironment

/// The small parts a sandbox coordinates, each on its own, without processes or sockets.
@Suite struct ExtensionRegistryTests {
    let loop = EmbeddedEventLoop()

    /// The JSON object an answered `/event/next` carries.
    func event(_ promise: EventLoopPromise<APIResponse>) throws -> [String: Any]? {
        let answer = Box()
        promise.futureResult.whenSuccess { answer.response = $0 }
        loop.run()
        guard let answer = answer.response else { return nil }
        return try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any]
    }

    @Test func registrationRefusalsAreLambdas() throws {
        var registry = ExtensionRegistry()
        registry.startOver(expecting: ["external"])
        #expect(registry.register(name: nil, events: []).failureType == "Extension.InvalidName")
        #expect(registry.register(name: "", events: []).failureType == "Extension.InvalidName")
        // Only external extensions may subscribe to SHUTDOWN; nobody to anything else.
        #expect(registry.register(name: "internal", events: ["SHUTDOWN"]).failureType == "Extension.InvalidEventType")
        #expect(registry.register(name: "external", events: ["INVOKE", "RESTORE"]).failureType == "Extension.InvalidEventType")
        let external = try registry.register(name: "external", events: ["INVOKE", "SHUTDOWN"]).get()
        #expect(!external.isInternal)
        #expect(registry.register(name: "external", events: []).failureType == "Extension.AlreadyRegistered")
        let internalOne = try registry.register(name: "internal", events: ["INVOKE"]).get()
        #expect(internalOne.isInternal)
        for index in 0..<(LambdaQuotas.extensionsPerFunction - 2) {
            _ = try registry.register(name: "more\(index)", events: []).get()
        }
        #expect(registry.register(name: "one-too-many", events: []).failureType == "Extension.TooManyExtensions")
        registry.registrationOpen = false
        #expect(registry.register(name: "late", events: []).failureType == "Extension.RegistrationClosed")
        registry.startOver()
        #expect(registry.isEmpty && registry.registrationOpen)
    }

    @Test func initWaitsForEveryExternalToRegisterAndAsk() throws {
        var registry = ExtensionRegistry()
        registry.startOver(expecting: ["a", "b"])
        let a = try registry.register(name: "a", events: ["INVOKE"]).get()
        #expect(!registry.allExpectedRegistered)
        let b = try registry.register(name: "b", events: ["SHUTDOWN"]).get()
        #expect(registry.allExpectedRegistered && !registry.allReady)
        #expect(registry.next(id: a.id, answer: loop.makePromise(), at: 1) == true)
        #expect(!registry.allReady)
        #expect(registry.next(id: b.id, answer: loop.makePromise(), at: 1) == true)
        #expect(registry.allReady)
        let unknown = loop.makePromise(of: APIResponse.self)
        #expect(registry.next(id: "unknown", answer: unknown, at: 1) == nil)
        #expect(try event(unknown)?["errorType"] as? String == "Extension.InvalidExtensionIdentifier")
        registry.deliver("SHUTDOWN", ["eventType": "SHUTDOWN"])  // answers b's waiting call
        registry.deliver("INVOKE", ["eventType": "INVOKE"])  // answers a's
    }

    @Test func anInvokeMakesSubscribersBusyUntilTheirNextCall() throws {
        var registry = ExtensionRegistry()
        let invoke = try registry.register(name: "watcher", events: ["INVOKE"]).get()
        let shutdownOnly = try registry.register(name: "closer", events: []).get()
        let first = loop.makePromise(of: APIResponse.self)
        _ = registry.next(id: invoke.id, answer: first, at: 10)
        let idle = loop.makePromise(of: APIResponse.self)
        _ = registry.next(id: shutdownOnly.id, answer: idle, at: 10)
        registry.deliver("INVOKE", ["eventType": "INVOKE", "requestId": "r1"])
        #expect(try event(first)?["requestId"] as? String == "r1")
        #expect(registry.anyBusy)
        // A SHUTDOWN for a busy member waits in its queue: it reads it at its next call, which also ends its invocation.
        registry.deliver("SHUTDOWN", ["eventType": "SHUTDOWN"])
        let second = loop.makePromise(of: APIResponse.self)
        #expect(registry.next(id: invoke.id, answer: second, at: 2_000_010) == false)
        #expect(!registry.anyBusy)
        #expect(try event(second) == nil)  // it did not subscribe to SHUTDOWN
        #expect(registry.doneTimes(since: 10) == ["watcher": 2])
        #expect(registry.doneTimes(since: 3_000_000).isEmpty)
        #expect(try event(idle) == nil)  // subscribed to nothing: it waits
        for promise in [second, idle] { promise.succeed(.json(.ok, [:])) }
    }
}

@Suite struct MeteringTests {
    let ms: UInt64 = 1_000_000

    func metering(runtimeDone: UInt64?, extensions: [String: Double] = [:], timedOut: Bool = false, initMs: Double? = nil) -> Metering {
        Metering(requestId: "r", start: 100 * ms, clientStart: 90 * ms, responseAt: 150 * ms, runtimeDoneAt: runtimeDone,
                 extensionDoneMs: extensions, timedOut: timedOut, timeoutMs: 3000, initDurationMs: initMs,
                 memorySizeMB: 128, maxMemoryUsedMB: 40, error: timedOut ? "Sandbox.Timedout" : nil)
    }

    @Test func durationRunsToTheLaterOfRuntimeAndExtensions() {
        let record = metering(runtimeDone: 160 * ms, extensions: ["log-shipper": 800.5]).record
        #expect(record.responseMs == 50 && record.runtimeDoneMs == 60 && record.clientLatencyMs == 60)
        #expect(record.extensionsDoneMs == 800.5 && record.durationMs == 800.5 && record.billedDurationMs == 801)
    }

    @Test func aColdCallIsBilledForItsInit() {
        let record = metering(runtimeDone: 160 * ms, initMs: 120.7).record
        #expect(record.durationMs == 60 && record.billedDurationMs == 181 && record.initDurationMs == 120.7)
        let metrics = Metering.reportMetrics(record)
        #expect(metrics["initDurationMs"] as? Double == 120.7 && metrics["billedDurationMs"] as? Int == 181)
        #expect(Metering.reportMetrics(metering(runtimeDone: 160 * ms).record)["initDurationMs"] == nil)
    }

    @Test func aTimeoutIsBilledToTheTimeoutAndNoFurther() {
        #expect(metering(runtimeDone: nil, timedOut: true).record.durationMs == 3000)
        #expect(metering(runtimeDone: 100 * ms, extensions: ["slow": 9000]).record.durationMs == 3000)
    }
}

@Suite struct InvocationQueueTests {
    @Test func oneAtATimeInOrderAndDrainedAtStop() {
        var queue = InvocationQueue<String>()
        #expect(queue.next() == nil)
        queue.append("a")
        queue.append("b")
        queue.append("c")
        #expect(queue.next() == "a")
        #expect(queue.next() == nil && queue.busy)  // "a" still runs
        queue.ended()
        #expect(queue.next() == "b")
        #expect(queue.drain() == ["c"])
        queue.ended()
        #expect(queue.next() == nil && queue.isEmpty)
    }
}

extension Result where Failure == APIError {
    var failureType: String? {
        if case .failure(let error) = self { return error.type }
        return nil
    }
}

/// What a promise answered, read back on the embedded loop's thread.
/// @unchecked Sendable: written and read on the test's thread only (the embedded loop runs there).
final class Box: @unchecked Sendable {
    var response: APIResponse?
}

/// Output cut into lines: newlines anywhere in the reads, a line past the limit in pieces, the end.
@Suite struct LineSplitterTests {
    func split(_ reads: [String], limit: Int = 8) -> [String] {
        var splitter = LineSplitter(limit: limit)
        var lines: [String] = []
        for read in reads { splitter.append(Array(read.utf8)) { lines.append($0) } }
        splitter.finish { lines.append($0) }
        return lines
    }

    @Test func linesAcrossReads() {
        #expect(split(["ab", "c\nde", "f\n\ng"]) == ["abc", "def", "", "g"])
        #expect(split(["\n"]) == [""])
        #expect(split([]) == [])
    }

    @Test func aLongLineGoesOnInPiecesOfTheLimit() {
        #expect(split(["0123456789ABCDEF01\n"]) == ["01234567", "89ABCDEF", "01"])
        // Exactly the limit, then its newline: one line, not an empty one after it.
        #expect(split(["01234567", "\nx"]) == ["01234567", "x"])
        #expect(split(["0123456789ABCDEF"]) == ["01234567", "89ABCDEF"])
    }

    /// 20 MB in one line, in 64 KiB reads: pieces of 256 KiB, in linear time (the quadratic code took
    /// minutes; this is well under a second even in a debug build).
    @Test func twentyMegabytesWithoutANewline() {
        var splitter = LineSplitter()
        let read = [UInt8](repeating: 0x61, count: 65_536)
        var pieces = 0, bytes = 0
        for _ in 0..<320 { splitter.append(read) { pieces += 1; bytes += $0.utf8.count } }
        splitter.finish { pieces += 1; bytes += $0.utf8.count }
        #expect(pieces == 80 && bytes == 20 * 1_048_576)
    }
}
