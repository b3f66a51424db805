import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LambdaAsyncEnvironment

/// Lambda's asynchronous invocation for one function: a queue kept on disk (a crash or `kill -9`
/// loses no event: they run after the restart, at least once), events run concurrently up to the
/// function's concurrency, failed events (function errors, timeouts, crashes) retried with Lambda's
/// delays scaled down and apart from new events, event age and retry limits, destination records.
actor AsyncInvocations {
    struct Event: Sendable, Codable {
        let requestId: String
        let payload: [UInt8]
        let received: Date
        /// Attempts started so far (counted before each runs: one cut off by a crash counts).
        var attempts = 0
    }

    /// Where a destination record goes: another function of the project, or a queue, topic or bucket
    /// of the project (in the local AWS when there is one; else the file stands in for it).
    enum Destination: Sendable {
        case function(String)
        case resource(String, file: URL)
    }

    let functionName: String
    let functionARN: String
    let maximumRetryAttempts: Int
    let maximumEventAge: TimeInterval
    let onSuccess: Destination?
    let onFailure: Destination?
    /// Lambda waits about 1 minute, then 2, between attempts; this scales both.
    let retryDelayScale: Double
    /// Events run at once at most (the function's concurrency).
    let concurrency: Int
    /// The queue on disk; nil keeps it in memory (a one-off `invoke`).
    let store: EventStore?
    /// Runs one attempt of an event: its payload and its request id, the same for every attempt.
    private let invoke: @Sendable ([UInt8], String) async throws -> (InvocationRecord, [UInt8])
    private let deliver: @Sendable (Destination, [UInt8]) async -> Void
    private let log: @Sendable (String) -> Void
    /// Events ready to run, oldest first.
    private var ready: [Event] = []
    private var running = 0
    /// Events waiting out a retry delay: they take no place in the queue meanwhile.
    private var waitingToRetry = 0
    private var stopped = false

    init(functionName: String, functionARN: String, maximumRetryAttempts: Int, maximumEventAge: TimeInterval,
         onSuccess: Destination?, onFailure: Destination?, retryDelayScale: Double, concurrency: Int = 1, store: EventStore? = nil,
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
        self.concurrency = max(1, concurrency)
        self.store = store
        self.invoke = invoke
        self.deliver = deliver
        self.log = log
    }

    /// Takes up the events an earlier run left on disk (it stopped or crashed); returns how many.
    func resumeStored() -> Int {
        guard let store else { return 0 }
        let found = store.load()
        ready += found
        pump()
        return found.count
    }

    /// Queues an event, on disk first (Lambda answers 202 once it holds the event), and returns its request id.
    func enqueue(_ payload: [UInt8]) -> String {
        let event = Event(requestId: UUID().uuidString.lowercased(), payload: payload, received: Date())
        store?.save(event)
        ready.append(event)
        pump()
        return event.requestId
    }

    var isBusy: Bool { running > 0 || waitingToRetry > 0 || !ready.isEmpty }

    /// Who waits for the queue to empty (`idle()`), resumed when the last event has been processed.
    private var idleWaiters: [UUID: CheckedContinuation<Void, Never>] = [:]

    /// Returns once no event is queued, running or waiting for a retry, or when the calling task is cancelled.
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

    /// Stops taking events; returns how many were not settled: queued, waiting for a retry, and (with a
    /// store) running, whose attempt the stop cuts off. With a store they stay on disk for the next run;
    /// without one they are dropped.
    func stop() -> Int {
        stopped = true
        let left = ready.count + waitingToRetry + (store == nil ? 0 : running)
        ready = []
        return left
    }

    /// Starts ready events while there is room.
    private func pump() {
        while !stopped, running < concurrency, !ready.isEmpty {
            let event = ready.removeFirst()
            running += 1
            Task { await self.attempt(event) }
        }
        if !isBusy {
            let waiters = idleWaiters.values
            idleWaiters = [:]
            waiters.forEach { $0.resume() }
        }
    }

    private func attempt(_ queued: Event) async {
        var event = queued
        event.attempts += 1
        store?.save(event)
        var record: InvocationRecord?
        var response: [UInt8] = []
        do {
            (record, response) = try await invoke(event.payload, event.requestId)
        } catch {
            log("\(functionName) async \(event.requestId): \(error)")
        }
        running -= 1
        // Stopped meanwhile (an invocation answered "the runner stopped"): it stays on disk, for the next run.
        if stopped { return pump() }
        await settle(event, record: record, response: response)
        pump()
    }

    /// After an attempt: a destination record and off the queue, or a retry after Lambda's delay.
    private func settle(_ event: Event, record: InvocationRecord?, response: [UInt8]) async {
        let failed = record?.error != nil || record == nil
        let attempt = event.attempts
        if !failed {
            await send(to: onSuccess, event: event, condition: "Success", attempts: attempt, record: record, response: response)
            store?.remove(event)
            return
        }
        let age = Date().timeIntervalSince(event.received)
        let delay = (attempt == 1 ? 60.0 : 120.0) * retryDelayScale
        if attempt > maximumRetryAttempts {
            log("\(functionName) async \(event.requestId): failed \(attempt) time(s), retries exhausted")
            await send(to: onFailure, event: event, condition: "RetriesExhausted", attempts: attempt, record: record, response: response)
            store?.remove(event)
            return
        }
        if age + delay > maximumEventAge {
            log("\(functionName) async \(event.requestId): older than MaximumEventAgeInSeconds, dropped")
            await send(to: onFailure, event: event, condition: "EventAgeExceeded", attempts: attempt, record: record, response: response)
            store?.remove(event)
            return
        }
        log("\(functionName) async \(event.requestId): attempt \(attempt) failed (\(record?.error ?? "error")), retrying in \(String(format: "%.2f", delay)) s")
        // The retry waits apart: the events behind it go on meanwhile.
        waitingToRetry += 1
        Task {
            try? await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
            self.retry(event)
        }
    }

    private func retry(_ event: Event) {
        waitingToRetry -= 1
        guard !stopped else { return }
        ready.append(event)
        pump()
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

/// One function's asynchronous queue on disk: a file per event (written to a temporary name, then
/// renamed), removed once the event is settled. Whatever ends the process, what was accepted is there.
struct EventStore: Sendable {
    let folder: URL

    init(folder: URL) { self.folder = folder }

    private func file(_ requestId: String) -> URL { folder.appendingPathComponent("\(requestId).json") }

    func save(_ event: AsyncInvocations.Event) {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let data = try JSONEncoder().encode(event)
            let temporary = folder.appendingPathComponent(".\(event.requestId).\(UUID().uuidString.prefix(8)).tmp")
            try data.write(to: temporary)
            guard rename(temporary.path, file(event.requestId).path) == 0 else {
                try? FileManager.default.removeItem(at: temporary)
                return
            }
        } catch {
            // A queue that cannot be written still runs its events; only a crash would lose them.
        }
    }

    func remove(_ event: AsyncInvocations.Event) {
        try? FileManager.default.removeItem(at: file(event.requestId))
    }

    /// The events left by an earlier run, oldest first (a file that does not parse is set aside as .bad).
    func load() -> [AsyncInvocations.Event] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var events: [AsyncInvocations.Event] = []
        for name in names {
            let url = folder.appendingPathComponent(name)
            if name.hasPrefix(".") && name.hasSuffix(".tmp") { try? FileManager.default.removeItem(at: url); continue }
            guard name.hasSuffix(".json") else { continue }
            if let data = try? Data(contentsOf: url), let event = try? JSONDecoder().decode(AsyncInvocations.Event.self, from: data) {
                events.append(event)
            } else {
                try? FileManager.default.moveItem(at: url, to: url.appendingPathExtension("bad"))
            }
        }
        return events.sorted { $0.received < $1.received }
    }
}
