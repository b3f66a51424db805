import Foundation
import Testing
import TestSupport
@testable import LambdaAsyncEnvironment
#if canImport(Glibc)
import Glibc
#endif

/// The Telemetry API's subscriptions and batches, without an environment: a listening socket of the
/// test stands in for the extension's HTTP listener.
@Suite(.timeLimit(.minutes(1))) struct TelemetryTests {
    /// A one-request HTTP listener on loopback: what the first POST carried.
    final class Listener: Sendable {
        private let socket: LoopbackListener
        var port: Int { socket.port }
        private var fd: Int32 { socket.fd }

        init() throws { socket = try LoopbackListener() }

        /// The body of the first request, once it has all arrived (its Content-Length), answered 200.
        func firstBody() async -> String {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async { [fd] in
                    let client = accept(fd, nil, nil)
                    var received: [UInt8] = []
                    var buffer = [UInt8](repeating: 0, count: 65_536)
                    while true {
                        let got = recv(client, &buffer, buffer.count, 0)
                        if got <= 0 { break }
                        received += buffer[0..<got]
                        let text = String(decoding: received, as: UTF8.self)
                        if let split = text.range(of: "\r\n\r\n"),
                           let length = text[..<split.lowerBound].split(separator: "\r\n")
                               .first(where: { $0.lowercased().hasPrefix("content-length:") })
                               .flatMap({ Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }),
                           text.utf8.count - text[..<split.upperBound].utf8.count >= length {
                            let answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            _ = answer.withCString { send(client, $0, strlen($0), 0) }
                            close(client)
                            continuation.resume(returning: String(text[split.upperBound...]))
                            return
                        }
                    }
                    close(client)
                    continuation.resume(returning: "")
                }
            }
        }

    }

    static func subscription(_ uri: String, types: [String] = ["platform", "function"], buffering: String = "") -> [UInt8] {
        Array(#"{"destination": {"protocol": "HTTP", "URI": "\#(uri)"}, "types": \#(types)\#(buffering)}"#.utf8)
    }

    @Test func aSubscriptionIsCheckedAsLambdaChecksIt() {
        let telemetry = Telemetry()
        #expect(telemetry.subscribe(extensionId: "a", body: Array("{}".utf8))?.contains("needs {\"destination\"") == true)
        #expect(telemetry.subscribe(extensionId: "a", body: Array(#"{"destination": {"protocol": "TCP", "URI": "x"}}"#.utf8)) != nil)
        #expect(telemetry.subscribe(extensionId: "a", body: Self.subscription("not a url")) == "'not a url' is not an http://HOST:PORT URL")
        #expect(telemetry.subscribe(extensionId: "a", body: Self.subscription("http://sandbox.localdomain:1234/t", buffering: #", "buffering": {"timeoutMs": 10}"#))
                == "buffering.timeoutMs must be a whole number from 25 to 30000; got 10")
        #expect(telemetry.subscribe(extensionId: "a", body: Self.subscription("http://sandbox.localdomain:1234/t", buffering: #", "buffering": {"maxItems": 1000}"#)) == nil)
    }

    @Test func eventsOfTheSubscribedTypesReachTheListenerAsOneJSONBatch() async throws {
        let listener = try Listener()
        let telemetry = Telemetry()
        #expect(telemetry.subscribe(extensionId: "ext", body: Self.subscription("http://sandbox.localdomain:\(listener.port)/telemetry", types: ["platform"])) == nil)
        telemetry.record("platform.start", ["requestId": "r-1"])
        telemetry.record("function", "a log line, not subscribed")
        telemetry.record("platform.report", ["requestId": "r-1", "metrics": ["durationMs": 1.5]])
        telemetry.flush(all: true)
        let body = await listener.firstBody()
        let events = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]], "\(body)")
        #expect(events.map { $0["type"] as? String } == ["platform.start", "platform.report"])
        #expect((events.first?["record"] as? [String: Any])?["requestId"] as? String == "r-1")
        #expect(events.allSatisfy { ($0["time"] as? String)?.hasSuffix("Z") == true })
    }

    @Test func initEventsReachASubscriptionMadeDuringInit() async throws {
        let listener = try Listener()
        let telemetry = Telemetry()
        telemetry.initPhase(true)
        telemetry.record("platform.initStart", ["phase": "init"])
        #expect(telemetry.subscribe(extensionId: "late", body: Self.subscription("http://127.0.0.1:\(listener.port)/", types: ["platform"])) == nil)
        telemetry.initPhase(false)
        telemetry.flush(all: true)
        let events = try JSONSerialization.jsonObject(with: Data(await listener.firstBody().utf8)) as? [[String: Any]]
        #expect(events?.first?["type"] as? String == "platform.initStart")
    }
}
