import Foundation

/// Bytes of a response, gathered from the sandbox's callbacks.
/// @unchecked Sendable: `storage` is guarded by `lock`.
final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [UInt8] = []
    func add(_ event: ResponseEvent) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .chunk(let bytes), .complete(let bytes): storage += bytes
        case .error(_, let body): storage = body
        }
    }
    var bytes: [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}

/// A streamed function URL response: the prelude first (status, headers), then the body as it comes.
/// @unchecked Sendable: its state is guarded by `lock`.
final class URLResponseState: @unchecked Sendable {
    /// What the URL does to the function's headers (its CORS).
    private let decorate: @Sendable ([(String, String)]) -> [(String, String)]
    private let lock = NSLock()
    private var pending: [UInt8] = []
    private(set) var buffered: [UInt8] = []
    private(set) var started = false
    private var finished = false

    init(decorate: @escaping @Sendable ([(String, String)]) -> [(String, String)]) {
        self.decorate = decorate
    }

    func buffer(_ bytes: [UInt8]) {
        lock.lock()
        buffered += bytes
        lock.unlock()
    }

    func stream(_ bytes: [UInt8], to writer: ResponseWriter) {
        lock.lock()
        defer { lock.unlock() }
        if started { return writer.chunk(bytes) }
        pending += bytes
        guard let (answer, rest) = FunctionURL.prelude(in: pending) else { return }
        started = true
        writer.head(answer.status, decorate(answer.headers))
        writer.chunk(rest)
        pending = []
    }

    func finish(_ writer: ResponseWriter) {
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        finished = true
        if !started {
            // A stream with no prelude and no bytes.
            writer.head(200, decorate([("Content-Type", "application/octet-stream")]))
            writer.chunk(pending)
        }
        writer.end()
    }
}

/// True once, for the first caller.
/// @unchecked Sendable: `claimed` is guarded by `lock`.
public final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var claimed = false
    public init() {}
    /// Whether someone has claimed it, without claiming it.
    public var isClaimed: Bool {
        lock.lock()
        defer { lock.unlock() }
        return claimed
    }
    public func claim() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if claimed { return false }
        claimed = true
        return true
    }
}
