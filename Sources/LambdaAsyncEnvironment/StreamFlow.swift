import NIOConcurrencyHelpers

/// How fast a streamed response's reader takes it, told back to where it comes from: while the client
/// cannot take more, the runtime's `/response` upload is not read on, so TCP's own flow control holds
/// the function's writes, as a slow client slows a streaming function on Lambda. Without it, a client
/// that read slowly made the runner hold the whole stream (947 MB seen).
public final class StreamFlow: Sendable {
    private struct State {
        var blocked = false
        var whenReady: [@Sendable () -> Void] = []
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// The reader's side is full: the writer stops at its next chunk.
    public func block() { state.withLockedValue { $0.blocked = true } }

    /// The reader takes more (or is gone): whoever waits goes on.
    public func unblock() {
        let waiting = state.withLockedValue { state -> [@Sendable () -> Void] in
            state.blocked = false
            defer { state.whenReady = [] }
            return state.whenReady
        }
        waiting.forEach { $0() }
    }

    /// Runs `resume` once the reader takes more and returns true; false (and nothing kept) when it
    /// takes more already.
    func whenReady(_ resume: @escaping @Sendable () -> Void) -> Bool {
        state.withLockedValue { state in
            guard state.blocked else { return false }
            state.whenReady.append(resume)
            return true
        }
    }
}
