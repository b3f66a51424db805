import Foundation

/// A value reached only under its lock: state several threads share, Sendable by construction for
/// every module (the runner's own code uses SwiftNIO's NIOLockedValueBox, the same idea).
public final class Locked<Value> {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    public var current: Value { withLock { $0 } }
}

/// @unchecked Sendable: `value` is read and written only inside `withLock`, under `lock`.
extension Locked: @unchecked Sendable where Value: Sendable {}
