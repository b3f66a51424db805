import NIOConcurrencyHelpers

/// True once, for the first caller.
public final class OnceFlag: Sendable {
    private let claimed = NIOLockedValueBox(false)
    public init() {}

    /// Whether someone has claimed it, without claiming it.
    public var isClaimed: Bool { claimed.withLockedValue { $0 } }

    public func claim() -> Bool {
        claimed.withLockedValue { claimed in
            if claimed { return false }
            claimed = true
            return true
        }
    }
}
