import Foundation
import NIOCore

/// Telemetry API (and the older Logs API) subscriptions. Each subscriber's events are buffered and
/// sent as JSON arrays to its HTTP destination as its `buffering` asks: when `timeoutMs` has passed
/// since the oldest one, or `maxItems` or `maxBytes` is reached. A frozen extension cannot read
/// them, so nothing is sent while the environment is frozen; what is due goes when the next
/// invocation thaws it, and everything before SHUTDOWN, as Lambda does.
/// @unchecked Sendable: used only on its sandbox's event loop, like the sandbox's other state.
final class Telemetry: @unchecked Sendable {
    /// `buffering` of a subscription: Lambda's defaults and allowed ranges.
    struct Buffering: Equatable {
        var maxItems = 10_000
        var maxBytes = 262_144
        var timeoutMs = 1_000
        static let ranges = (maxItems: 1_000...10_000, maxBytes: 262_144...1_048_576, timeoutMs: 25...30_000)
    }

    struct Subscriber {
        let delivery: TelemetryDelivery
        let types: Set<String>
        let buffering: Buffering
        var pending: [[String: Any]] = []
        var pendingBytes = 0
        var oldest: Date?

        func isDue(at now: Date) -> Bool {
            guard let oldest else { return false }
            return pending.count >= buffering.maxItems || pendingBytes >= buffering.maxBytes
                || now.timeIntervalSince(oldest) * 1000 >= Double(buffering.timeoutMs)
        }
    }

    private var subscribers: [String: Subscriber] = [:]
    /// The init phase's events: a subscription made during init receives those from before it, as
    /// Lambda delivers `platform.initStart` to extensions that subscribe after it happened.
    private var initEvents: [(category: String, event: [String: Any], size: Int)] = []
    private var inInit = false
    private var timer: RepeatedTask?
    /// The environment's own network, where subscribers listen; nil when it shares the host's.
    var network: EnvironmentNetwork?
    private let formatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()

    /// `PUT /2022-07-01/telemetry` or `/2020-08-15/logs`: `{"destination": {"protocol": "HTTP", "URI": ...}, "types": [...]}`.
    func subscribe(extensionId: String, body: [UInt8]) -> String? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
              let destination = object["destination"] as? [String: Any],
              let uri = (destination["URI"] ?? destination["uri"]) as? String,
              (destination["protocol"] as? String)?.uppercased() == "HTTP" else {
            return "the subscription needs {\"destination\": {\"protocol\": \"HTTP\", \"URI\": ...}}; only HTTP destinations are served locally"
        }
        // sandbox.localdomain is the execution environment's own name for itself.
        guard let url = URLComponents(string: uri.replacingOccurrences(of: "sandbox.localdomain", with: "127.0.0.1")),
              url.scheme?.lowercased() == "http", let host = url.host, let port = url.port else {
            return "'\(uri)' is not an http://HOST:PORT URL"
        }
        let types = Set((object["types"] as? [String]) ?? ["platform", "function"])
        var buffering = Buffering()
        if let asked = object["buffering"] as? [String: Any] {
            for (key, range, field) in [("maxItems", Buffering.ranges.maxItems, \Buffering.maxItems),
                                        ("maxBytes", Buffering.ranges.maxBytes, \Buffering.maxBytes),
                                        ("timeoutMs", Buffering.ranges.timeoutMs, \Buffering.timeoutMs)] {
                guard let value = asked[key] else { continue }
                guard let number = value as? Int, range.contains(number) else {
                    return "buffering.\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound); got \(value)"
                }
                buffering[keyPath: field] = number
            }
        }
        var subscriber = Subscriber(delivery: TelemetryDelivery(host: host, port: port, path: url.percentEncodedPath.isEmpty ? "/" : url.percentEncodedPath,
                                                                  network: network),
                                    types: types, buffering: buffering)
        for early in initEvents where types.contains(early.category) {
            subscriber.pending.append(early.event)
            subscriber.pendingBytes += early.size
            subscriber.oldest = subscriber.oldest ?? Date()
        }
        subscribers[extensionId] = subscriber
        return nil
    }

    /// The init phase starts (a cold start) or ends: its events are kept for late subscribers until then.
    func initPhase(_ running: Bool) {
        inInit = running
        if !running { initEvents = [] }
    }

    /// An event, stamped now, for every subscriber of its category (`platform`, `function`,
    /// `extension`). `record` is an object for platform events and the log line itself (a string)
    /// for `function` and `extension` events in the text log format, as Lambda sends them.
    func record(_ type: String, _ record: Any) {
        guard !subscribers.isEmpty || inInit else { return }
        let now = Date()
        let event: [String: Any] = ["time": formatter.string(from: now), "type": type, "record": record]
        let size = (try? JSONSerialization.data(withJSONObject: event, options: [.withoutEscapingSlashes]).count) ?? 0
        let category = String(type.split(separator: ".").first ?? "")
        if inInit { initEvents.append((category, event, size)) }
        for id in subscribers.keys where subscribers[id]!.types.contains(category) {
            subscribers[id]!.pending.append(event)
            subscribers[id]!.pendingBytes += size
            if subscribers[id]!.oldest == nil { subscribers[id]!.oldest = now }
        }
    }

    /// Sends each subscriber its batch when its buffering says so, or every batch when `all`.
    func flush(all: Bool = false) {
        let now = Date()
        for id in subscribers.keys where all ? subscribers[id]!.oldest != nil : subscribers[id]!.isDue(at: now) {
            let events = subscribers[id]!.pending
            subscribers[id]!.pending = []
            subscribers[id]!.pendingBytes = 0
            subscribers[id]!.oldest = nil
            if let data = try? JSONSerialization.data(withJSONObject: events, options: [.withoutEscapingSlashes]) { subscribers[id]!.delivery.send(data) }
        }
    }

    /// While invocations run, batches go when their buffering says: checked every 25 ms (the
    /// smallest timeoutMs Lambda allows), never while the environment is frozen.
    func startFlushing(on eventLoop: EventLoop, unless frozen: @escaping @Sendable () -> Bool) {
        guard !subscribers.isEmpty, timer == nil else { return }
        timer = eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(25), delay: .milliseconds(25)) { [weak self] _ in
            guard let self, !frozen() else { return }
            flush()
        }
    }

    /// The environment ends: what is pending goes now (before SHUTDOWN), and the timer stops.
    func flushAndStop() {
        flush(all: true)
        timer?.cancel()
        timer = nil
    }

    func reset() {
        subscribers = [:]
        initEvents = []
        inInit = false
    }
}
