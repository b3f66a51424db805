import Foundation
import LambdaAsyncEnvironment
import NIOConcurrencyHelpers

/// Bytes of a response, gathered from the sandbox's callbacks.
final class Collected: Sendable {
    private let storage = NIOLockedValueBox<[UInt8]>([])

    func add(_ event: ResponseEvent) {
        storage.withLockedValue { storage in
            switch event {
            case .chunk(let bytes), .complete(let bytes): storage += bytes
            case .error(_, let body): storage = body
            }
        }
    }

    var bytes: [UInt8] { storage.withLockedValue { $0 } }
}

/// A streamed function URL response: the prelude first (status, headers), then the body as it comes.
final class URLResponseState: Sendable {
    private struct State {
        var pending: [UInt8] = []
        var buffered: [UInt8] = []
        var started = false
        var finished = false
    }

    /// What the URL does to the function's headers (its CORS).
    private let decorate: @Sendable ([(String, String)]) -> [(String, String)]
    private let state = NIOLockedValueBox(State())

    init(decorate: @escaping @Sendable ([(String, String)]) -> [(String, String)]) {
        self.decorate = decorate
    }

    var buffered: [UInt8] { state.withLockedValue { $0.buffered } }
    var started: Bool { state.withLockedValue { $0.started } }

    func buffer(_ bytes: [UInt8]) {
        state.withLockedValue { $0.buffered += bytes }
    }

    /// Writes happen under the lock: the writer keeps their order.
    func stream(_ bytes: [UInt8], to writer: ResponseWriter) {
        state.withLockedValue { state in
            if state.started { return writer.chunk(bytes) }
            state.pending += bytes
            guard let (answer, rest) = FunctionURL.prelude(in: state.pending) else { return }
            state.started = true
            writer.head(answer.status, decorate(answer.headers))
            writer.chunk(rest)
            state.pending = []
        }
    }

    func finish(_ writer: ResponseWriter) {
        state.withLockedValue { state in
            guard !state.finished else { return }
            state.finished = true
            if !state.started {
                // A stream with no prelude and no bytes.
                writer.head(200, decorate([("Content-Type", "application/octet-stream")]))
                writer.chunk(state.pending)
            }
            writer.end()
        }
    }
}
