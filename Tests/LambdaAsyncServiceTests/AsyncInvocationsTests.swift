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
}
