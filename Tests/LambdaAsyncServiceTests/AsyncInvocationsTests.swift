import Foundation
import NIOConcurrencyHelpers
import Testing
@testable import LambdaAsyncService
@testable import LambdaAsyncEnvironment

/// Lambda's asynchronous invocation, without processes: the attempts a function sees, the records
/// its destinations get, and when the queue is idle.
@Suite(.timeLimit(.minutes(1))) struct AsyncInvocationsTests {
    /// What the queue did: each attempt (payload and request id) and each destination record.
    final class Seen: Sendable {
        let attempts = NIOLockedValueBox<[(payload: String, requestId: String)]>([])
        let deliveries = NIOLockedValueBox<[(destination: String, body: [UInt8])]>([])

        /// Each destination record, parsed.
        var delivered: [(destination: String, record: [String: Any])] {
            deliveries.withLockedValue { $0 }.map { ($0.destination, (try? JSONSerialization.jsonObject(with: Data($0.body))) as? [String: Any] ?? [:]) }
        }
    }

    static func record(_ requestId: String, error: String?) -> InvocationRecord {
        InvocationRecord(requestId: requestId, initDurationMs: nil, responseMs: 1, firstByteMs: 1, runtimeDoneMs: 1, extensionsDoneMs: nil,
                         extensionDoneMs: [:], durationMs: 1, billedDurationMs: 1, memorySizeMB: 128, maxMemoryUsedMB: 20,
                         frozen: true, error: error, clientLatencyMs: 1)
    }

    /// A queue whose function fails its first `failures` attempts of every event.
    static func queue(failures: Int, retries: Int = 2, maximumEventAge: TimeInterval = 21_600, seen: Seen) -> AsyncInvocations {
        AsyncInvocations(
            functionName: "Worker", functionARN: "arn:aws:lambda:us-east-1:123456789012:function:Worker",
            maximumRetryAttempts: retries, maximumEventAge: maximumEventAge,
            onSuccess: .function("OnSuccess"), onFailure: .function("OnFailure"), retryDelayScale: 0.0001,
            invoke: { payload, requestId in
                let attempt = seen.attempts.withLockedValue { attempts in
                    attempts.append((String(decoding: payload, as: UTF8.self), requestId))
                    return attempts.filter { $0.requestId == requestId }.count
                }
                let failed = attempt <= failures
                return (record(requestId, error: failed ? "Unhandled" : nil), Array(failed ? #"{"errorMessage":"boom"}"#.utf8 : #""done""#.utf8))
            },
            deliver: { destination, body in
                guard case .function(let name) = destination else { return }
                seen.deliveries.withLockedValue { $0.append((name, body)) }
            },
            log: { _ in })
    }

    @Test func aFailingEventIsTriedThreeTimesWithOneRequestIdThenGoesToOnFailure() async {
        let seen = Seen()
        let queue = Self.queue(failures: 5, seen: seen)
        let id = await queue.enqueue(Array(#"{"orderId": "o-1"}"#.utf8))
        await queue.idle()
        let attempts = seen.attempts.withLockedValue { $0 }
        #expect(attempts.count == 3)
        #expect(attempts.allSatisfy { $0.requestId == id && $0.payload == #"{"orderId": "o-1"}"# })
        let delivered = seen.delivered
        #expect(delivered.map(\.destination) == ["OnFailure"])
        let context = delivered.first?.record["requestContext"] as? [String: Any]
        #expect(context?["condition"] as? String == "RetriesExhausted")
        #expect(context?["approximateInvokeCount"] as? Int == 3)
        #expect(context?["requestId"] as? String == id)
        #expect((delivered.first?.record["requestPayload"] as? [String: Any])?["orderId"] as? String == "o-1")
        #expect((delivered.first?.record["responseContext"] as? [String: Any])?["functionError"] as? String == "Unhandled")
        #expect(!(await queue.isBusy))
    }

    @Test func anEventThatSucceedsOnItsRetryGoesToOnSuccessWithItsResponse() async {
        let seen = Seen()
        let queue = Self.queue(failures: 1, seen: seen)
        _ = await queue.enqueue(Array("{}".utf8))
        await queue.idle()
        #expect(seen.attempts.withLockedValue { $0.count } == 2)
        let delivered = seen.delivered
        #expect(delivered.map(\.destination) == ["OnSuccess"])
        #expect(delivered.first?.record["responsePayload"] as? String == "done")
        #expect((delivered.first?.record["requestContext"] as? [String: Any])?["condition"] as? String == "Success")
    }

    @Test func maximumRetryAttemptsZeroTriesOnce() async {
        let seen = Seen()
        let queue = Self.queue(failures: 5, retries: 0, seen: seen)
        _ = await queue.enqueue(Array("{}".utf8))
        await queue.idle()
        #expect(seen.attempts.withLockedValue { $0.count } == 1)
        #expect(seen.delivered.map(\.destination) == ["OnFailure"])
    }

    @Test func anEventTooOldForItsNextRetryIsDroppedAsEventAgeExceeded() async {
        let seen = Seen()
        // The first retry would come 60 s (scaled) after the event arrived: past a 0-second maximum age.
        let queue = Self.queue(failures: 5, maximumEventAge: 0, seen: seen)
        _ = await queue.enqueue(Array("{}".utf8))
        await queue.idle()
        #expect(seen.attempts.withLockedValue { $0.count } == 1)
        let condition = (seen.delivered.first?.record["requestContext"] as? [String: Any])?["condition"] as? String
        #expect(condition == "EventAgeExceeded")
    }

    @Test func eventsRunInOrderAndIdleWaitsForTheLast() async {
        let seen = Seen()
        let queue = Self.queue(failures: 0, seen: seen)
        for index in 0..<5 { _ = await queue.enqueue(Array("\(index)".utf8)) }
        await queue.idle()
        #expect(seen.attempts.withLockedValue { $0.map(\.payload) } == ["0", "1", "2", "3", "4"])
        #expect(seen.delivered.count == 5)
        // Idle already: returns at once.
        await queue.idle()
    }

    @Test func aCancelledWaitForIdleReturns() async {
        let queue = AsyncInvocations(
            functionName: "Slow", functionARN: "arn", maximumRetryAttempts: 0, maximumEventAge: 60, onSuccess: nil, onFailure: nil,
            retryDelayScale: 1, invoke: { _, id in
                try await Task.sleep(nanoseconds: 30_000_000_000)
                return (Self.record(id, error: nil), [])
            }, deliver: { _, _ in }, log: { _ in })
        _ = await queue.enqueue([])
        let waiter = Task { await queue.idle() }
        try? await Task.sleep(nanoseconds: 50_000_000)
        waiter.cancel()
        await waiter.value
        #expect(await queue.isBusy)
        #expect(await queue.stop() == 0)
    }

    /// A queue whose function takes `milliseconds` per attempt and fails the payloads in `failing` once.
    static func timedQueue(concurrency: Int, milliseconds: UInt64, failing: Set<String> = [], retryDelayScale: Double = 0.0001,
                           store: EventStore? = nil, seen: Seen, running: NIOLockedValueBox<(now: Int, peak: Int)>) -> AsyncInvocations {
        AsyncInvocations(
            functionName: "Worker", functionARN: "arn", maximumRetryAttempts: 2, maximumEventAge: 21_600, onSuccess: nil, onFailure: nil,
            retryDelayScale: retryDelayScale, concurrency: concurrency, store: store,
            invoke: { payload, requestId in
                let text = String(decoding: payload, as: UTF8.self)
                let attempt = seen.attempts.withLockedValue { attempts in
                    attempts.append((text, requestId))
                    return attempts.filter { $0.requestId == requestId }.count
                }
                running.withLockedValue { $0.now += 1; $0.peak = max($0.peak, $0.now) }
                try? await Task.sleep(nanoseconds: milliseconds * 1_000_000)
                running.withLockedValue { $0.now -= 1 }
                return (record(requestId, error: failing.contains(text) && attempt == 1 ? "Unhandled" : nil), [])
            },
            deliver: { _, _ in }, log: { _ in })
    }

    @Test func eventsRunConcurrentlyUpToTheFunctionsConcurrency() async throws {
        let seen = Seen(), running = NIOLockedValueBox((now: 0, peak: 0)), released = NIOLockedValueBox(false)
        let queue = AsyncInvocations(
            functionName: "Worker", functionARN: "arn", maximumRetryAttempts: 0, maximumEventAge: 60, onSuccess: nil, onFailure: nil,
            retryDelayScale: 1, concurrency: 3,
            invoke: { payload, requestId in
                seen.attempts.withLockedValue { $0.append((String(decoding: payload, as: UTF8.self), requestId)) }
                running.withLockedValue { $0.now += 1; $0.peak = max($0.peak, $0.now) }
                // Held until the test has seen how many run at once.
                while !released.withLockedValue({ $0 }) { try? await Task.sleep(nanoseconds: 5_000_000) }
                running.withLockedValue { $0.now -= 1 }
                return (Self.record(requestId, error: nil), [])
            }, deliver: { _, _ in }, log: { _ in })
        for index in 0..<9 { _ = await queue.enqueue(Array("\(index)".utf8)) }
        let deadline = Date().addingTimeInterval(20)
        while running.withLockedValue({ $0.now }) < 3, Date() < deadline { try await Task.sleep(nanoseconds: 5_000_000) }
        try await Task.sleep(nanoseconds: 100_000_000)
        #expect(running.withLockedValue { $0.now } == 3, "three at once, no more")
        released.withLockedValue { $0 = true }
        await queue.idle()
        #expect(seen.attempts.withLockedValue { $0.count } == 9)
        #expect(running.withLockedValue { $0.peak } == 3)
    }

    /// A failed event waits for its retry apart: the events behind it run meanwhile.
    @Test func aRetryDoesNotHoldTheQueueBack() async {
        let seen = Seen(), running = NIOLockedValueBox((now: 0, peak: 0))
        // The first retry comes 60 s × 0.02 = 1.2 s after the failure; the queue held back, b would wait for it.
        let queue = Self.timedQueue(concurrency: 1, milliseconds: 1, failing: ["a"], retryDelayScale: 0.02, seen: seen, running: running)
        _ = await queue.enqueue(Array("a".utf8))
        _ = await queue.enqueue(Array("b".utf8))
        await queue.idle()
        #expect(seen.attempts.withLockedValue { $0.map(\.payload) } == ["a", "b", "a"])
    }

    /// With a store, what a stop leaves unsettled is on disk, and the next queue runs it.
    @Test func aStoredQueueKeepsWhatAStopLeaves() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("la-queue-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        let seen = Seen(), running = RunningCounter()
        let slow = Self.timedQueue(concurrency: 1, milliseconds: 5_000, store: EventStore(folder: folder), seen: seen, running: running.box)
        let ids = [await slow.enqueue(Array("x".utf8)), await slow.enqueue(Array("y".utf8))]
        #expect(await slow.stop() == 2)
        #expect(Set(EventStore(folder: folder).load().map(\.requestId)) == Set(ids))

        let again = Seen()
        let next = Self.timedQueue(concurrency: 2, milliseconds: 1, store: EventStore(folder: folder), seen: again, running: running.box)
        #expect(await next.resumeStored() == 2)
        await next.idle()
        #expect(Set(again.attempts.withLockedValue { $0.map(\.requestId) }) == Set(ids))
        #expect(EventStore(folder: folder).load().isEmpty)
    }

    final class RunningCounter: Sendable {
        let box = NIOLockedValueBox((now: 0, peak: 0))
    }
}
