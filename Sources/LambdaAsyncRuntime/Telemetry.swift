import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Telemetry API (and the older Logs API) subscriptions: events are buffered and sent as JSON arrays
/// to each subscriber's HTTP destination while the environment runs. A frozen extension cannot read
/// them, so what happens at the end of an invocation (its platform.report) is sent when the next
/// invocation thaws the environment, or before SHUTDOWN, as Lambda does.
final class Telemetry: @unchecked Sendable {
    struct Subscriber {
        let delivery: Delivery
        let types: Set<String>
    }

    /// One subscriber's destination. Batches go one at a time, in order, as Lambda sends them: a
    /// batch is posted only when the destination has answered the one before.
    final class Delivery: @unchecked Sendable {
        private let destination: URL
        private let session: URLSession
        private let lock = NSLock()
        private var waiting: [Data] = []
        private var sending = false

        init(destination: URL, session: URLSession) {
            self.destination = destination
            self.session = session
        }

        func send(_ batch: Data) {
            let first: Data? = lock.withLock {
                waiting.append(batch)
                guard !sending else { return nil }
                sending = true
                return waiting.removeFirst()
            }
            if let first { post(first) }
        }

        private func post(_ batch: Data) {
            var request = URLRequest(url: destination)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = batch
            session.dataTask(with: request) { [self] _, _, _ in
                // A destination that fails or times out loses that batch, not the ones after it.
                let next: Data? = lock.withLock {
                    guard !waiting.isEmpty else { sending = false; return nil }
                    return waiting.removeFirst()
                }
                if let next { post(next) }
            }.resume()
        }
    }

    private var subscribers: [String: Subscriber] = [:]
    private var buffer: [(type: String, record: [String: Any])] = []
    private let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 2
        return URLSession(configuration: configuration)
    }()
    private let formatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()

    var isEmpty: Bool { subscribers.isEmpty }

    /// `PUT /2022-07-01/telemetry` or `/2020-08-15/logs`: `{"destination": {"protocol": "HTTP", "URI": ...}, "types": [...]}`.
    func subscribe(extensionId: String, body: [UInt8]) -> String? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
              let destination = object["destination"] as? [String: Any],
              let uri = (destination["URI"] ?? destination["uri"]) as? String,
              (destination["protocol"] as? String)?.uppercased() == "HTTP" else {
            return "the subscription needs {\"destination\": {\"protocol\": \"HTTP\", \"URI\": ...}}; only HTTP destinations are served locally"
        }
        // sandbox.localdomain is the execution environment's own name for itself.
        guard let url = URL(string: uri.replacingOccurrences(of: "sandbox.localdomain", with: "127.0.0.1")) else {
            return "'\(uri)' is not a URL"
        }
        let types = Set((object["types"] as? [String]) ?? ["platform", "function"])
        subscribers[extensionId] = Subscriber(delivery: Delivery(destination: url, session: session), types: types)
        return nil
    }

    func record(_ type: String, _ record: [String: Any]) {
        guard !subscribers.isEmpty else { return }
        buffer.append((type, record))
    }

    /// Sends what is buffered to every subscriber of each event's category.
    func flush() {
        guard !subscribers.isEmpty, !buffer.isEmpty else { return }
        let events = buffer
        buffer = []
        for subscriber in subscribers.values {
            let selected = events.filter { subscriber.types.contains(String($0.type.split(separator: ".").first ?? "")) }
                .map { ["time": formatter.string(from: Date()), "type": $0.type, "record": $0.record] as [String: Any] }
            guard !selected.isEmpty, let data = try? JSONSerialization.data(withJSONObject: selected) else { continue }
            subscriber.delivery.send(data)
        }
    }

    func reset() {
        subscribers = [:]
        buffer = []
    }
}
