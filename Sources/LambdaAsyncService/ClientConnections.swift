import Foundation
import NIOConcurrencyHelpers
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// What `serve` allows its clients, whoever they are: how long a request may take to arrive (a client
/// sending a byte a second holds no connection for ever), how long a kept-alive connection may sit
/// idle, and how many connections may be open at once.
public struct ClientLimits: Sendable {
    /// From a request's first byte to its last.
    public var requestTimeout: TimeInterval = 30
    /// Between requests on a kept-alive connection (ALB's and API Gateway's are about a minute).
    public var idleTimeout: TimeInterval = 60
    /// Open connections at most; nil: what the descriptor limit leaves after the environments' share.
    public var maxConnections: Int?

    public init() {
        // Tests shorten the waits rather than sit them out.
        let environment = ProcessInfo.processInfo.environment
        if let ms = environment["LAMBDA_ASYNC_CLIENT_REQUEST_TIMEOUT_MS"].flatMap(Double.init) { requestTimeout = ms / 1000 }
        if let ms = environment["LAMBDA_ASYNC_CLIENT_IDLE_TIMEOUT_MS"].flatMap(Double.init) { idleTimeout = ms / 1000 }
        if let count = environment["LAMBDA_ASYNC_MAX_CONNECTIONS"].flatMap(Int.init) { maxConnections = count }
    }

    /// The descriptor limit raised to its hard ceiling, less a share for the environments (pipes,
    /// sockets, cgroup files) and the runner: what clients may hold.
    static func connectionsTheDescriptorsAllow() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 512 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        let available = Int(min(limit.rlim_cur, 1 << 20))
        return max(64, min(16_384, available - max(256, available / 4)))
    }
}

/// The connections `serve` holds. Past the limit, a new connection takes the place of the one idle
/// longest (closed), so that idle clients, however many, never keep a request out; with none idle,
/// the newcomer is closed.
final class ClientConnections: Sendable {
    let limits: ClientLimits
    let capacity: Int

    private struct Entry {
        let channel: Channel
        /// When its last response ended (or it connected), while no request is in progress; nil otherwise.
        var idleSince: UInt64?
    }

    private let entries = NIOLockedValueBox<[ObjectIdentifier: Entry]>([:])

    init(limits: ClientLimits) {
        self.limits = limits
        capacity = limits.maxConnections ?? ClientLimits.connectionsTheDescriptorsAllow()
    }

    /// Admits a connection; false when it must be closed (full, and no idle one to let go).
    func admit(_ channel: Channel) -> Bool {
        let (admitted, evicted) = entries.withLockedValue { entries -> (Bool, Channel?) in
            var evicted: Channel?
            if entries.count >= capacity {
                guard let oldest = entries.filter({ $0.value.idleSince != nil }).min(by: { $0.value.idleSince! < $1.value.idleSince! }) else {
                    return (false, nil)
                }
                evicted = entries.removeValue(forKey: oldest.key)?.channel
            }
            entries[ObjectIdentifier(channel)] = Entry(channel: channel, idleSince: DispatchTime.now().uptimeNanoseconds)
            return (true, evicted)
        }
        evicted?.close(promise: nil)
        return admitted
    }

    func setIdle(_ channel: Channel, _ idle: Bool) {
        entries.withLockedValue { entries in
            entries[ObjectIdentifier(channel)]?.idleSince = idle ? DispatchTime.now().uptimeNanoseconds : nil
        }
    }

    func remove(_ channel: Channel) {
        _ = entries.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }
}
