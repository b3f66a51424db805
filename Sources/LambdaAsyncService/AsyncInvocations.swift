import Foundation
import LambdaAsyncEnvironment

/// Lambda's asynchronous invocation for one function: a queue, retries of failed events (function
/// errors, timeouts, crashes) with Lambda's delays scaled down, and destination records.
actor AsyncInvocations {
    struct Event: Sendable {
        let requestId: String
        let payload: [UInt8]
        let received: Date
    }

    /// Where a destination record goes: another function of the project, or a file.
    enum Destination: Sendable {
        case function(String)
        case file(URL)
    }

    let functionName: String
    let functionARN: String
    let maximumRetryAttempts: Int
    let maximumEventAge: TimeInterval
    let onSuccess: Destination?
    let onFailure: Destination?
    /// Lambda waits about 1 minute, then 2, between attempts; this scales both.
    let retryDelayScale: Double
    /// Runs one attempt of an event: its payload and its request id, the same for every attempt.
    private let invoke: @Sendable ([UInt8], String) async throws -> (InvocationRecord, [UInt8])
    private let deliver: @Sendable (Destination, [UInt8]) async -> Void
    private let log: @Sendable (String) -> Void
    private var queue: [Event] = []
    private var running = false
    private var stopped = false
    /// An event between two attempts: at a stop it is dropped, like the queued ones.
    private var waitingToRetry = false

    init(functionName: String, functionARN: String, maximumRetryAttempts: Int, maximumEventAge: TimeInterval,
         onSuccess: Destination?, onFailure: Destination?, retryDelayScale: Double,
         invoke: @escaping @Sendable ([UInt8], String) async throws -> (InvocationRecord, [UInt8]),
         deliver: @escaping @Sendable (Destination, [UInt8]) async -> Void,
         log: @escaping @Sendable (String) -> Void) {
        self.functionName = functionName
        self.functionARN = functionARN
        self.maximumRetryAttempts = maximumRetryAttempts
        self.maximumEventAge = maximumEventAge
        self.onSuccess = onSuccess
        self.onFailure = onFailure
        self.retryDelayScale = retryDelayScale
        self.invoke = invoke
        self.deliver = deliver
        self.log = log
    }

    /// Queues an event (Lambda answers 202 at once) and returns its request id.
    func enqueue(_ payload: [UInt8]) -> String {
        let event = Event(requestId: UUID().uuidString.lowercased(), payload: payload, received: Date())
        queue.append(event)
        if !running {
            running = true
            Task { await drain() }
        }
        return event.requestId
    }

    var isBusy: Bool { running || !queue.isEmpty }

    /// Who waits for the queue to empty (`idle()`), resumed when the last event has been processed.
    private var idleWaiters: [UUID: CheckedContinuation<Void, Never>] = [:]

    /// Returns once no event is queued or running, or when the calling task is cancelled.
    func idle() async {
        guard isBusy else { return }
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled { return continuation.resume() }
                idleWaiters[id] = continuation
            }
        } onCancel: {
            // Runs on the actor after the continuation above is registered.
            Task { await self.stopWaiting(id) }
        }
    }

    private func stopWaiting(_ id: UUID) { idleWaiters.removeValue(forKey: id)?.resume() }

    /// Stops taking events; returns how many were still queued or waiting for a retry, and so dropped.
    func stop() -> Int {
        stopped = true
        let dropped = queue.count + (waitingToRetry ? 1 : 0)
        queue = []
        return dropped
    }

    private func drain() async {
        while !stopped, !queue.isEmpty {
            let event = queue.removeFirst()
            await process(event)
        }
        running = false
        let waiters = idleWaiters.values
        idleWaiters = [:]
        waiters.forEach { $0.resume() }
    }

    private func process(_ event: Event) async {
        var attempt = 0
        while true {
            // Stopped while it waited for a retry: dropped (counted by stop), never run on a pool
            // that is shutting down, nor reported as exhausted.
            if attempt > 0, stopped { return }
            attempt += 1
            var record: InvocationRecord?
            var response: [UInt8] = []
            do {
                (record, response) = try await invoke(event.payload, event.requestId)
            } catch {
                log("\(functionName) async \(event.requestId): \(error)")
            }
            let failed = record?.error != nil || record == nil
            if !failed {
                await send(to: onSuccess, event: event, condition: "Success", attempts: attempt, record: record, response: response)
                return
            }
            let age = Date().timeIntervalSince(event.received)
            let delay = (attempt == 1 ? 60.0 : 120.0) * retryDelayScale
            if attempt > maximumRetryAttempts {
                log("\(functionName) async \(event.requestId): failed \(attempt) time(s), retries exhausted")
                await send(to: onFailure, event: event, condition: "RetriesExhausted", attempts: attempt, record: record, response: response)
                return
            }
            if age + delay > maximumEventAge {
                log("\(functionName) async \(event.requestId): older than MaximumEventAgeInSeconds, dropped")
                await send(to: onFailure, event: event, condition: "EventAgeExceeded", attempts: attempt, record: record, response: response)
                return
            }
            log("\(functionName) async \(event.requestId): attempt \(attempt) failed (\(record?.error ?? "error")), retrying in \(String(format: "%.2f", delay)) s")
            if stopped { return }
            waitingToRetry = true
            try? await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
            waitingToRetry = false
        }
    }

    /// A destination record in Lambda's shape.
    private func send(to destination: Destination?, event: Event, condition: String, attempts: Int,
                      record: InvocationRecord?, response: [UInt8]) async {
        guard let destination else { return }
        let payload = (try? JSONSerialization.jsonObject(with: Data(event.payload), options: [.fragmentsAllowed])) ?? NSNull()
        let result = (try? JSONSerialization.jsonObject(with: Data(response), options: [.fragmentsAllowed])) ?? NSNull()
        var responseContext: [String: Any] = ["statusCode": 200, "executedVersion": "$LATEST"]
        if condition != "Success" { responseContext["functionError"] = record?.error == "Unhandled" ? "Unhandled" : (record?.error ?? "Unhandled") }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let body: [String: Any] = [
            "version": "1.0",
            "timestamp": formatter.string(from: Date()),
            "requestContext": [
                "requestId": event.requestId, "functionArn": "\(functionARN):$LATEST",
                "condition": condition, "approximateInvokeCount": attempts,
            ],
            "requestPayload": payload,
            "responseContext": responseContext,
            "responsePayload": result,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        await deliver(destination, Array(data))
    }
}
