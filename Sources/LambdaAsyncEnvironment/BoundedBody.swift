import NIOCore

/// A request body kept up to `limit` bytes and only counted past it: whatever a client or a function
/// sends, a server of the runner holds no more than its largest legitimate body.
package struct BoundedBody {
    package let limit: Int
    /// What was kept; emptied once the body goes past the limit.
    package private(set) var bytes: [UInt8] = []
    /// Every byte received, kept or not.
    package private(set) var size = 0

    package init(limit: Int) { self.limit = limit }

    package var isOverLimit: Bool { size > limit }

    package mutating func append(_ buffer: inout ByteBuffer) {
        size += buffer.readableBytes
        if isOverLimit {
            bytes = []
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        } else {
            bytes += buffer.readBytes(length: buffer.readableBytes) ?? []
        }
    }

    /// The next request starts empty.
    package mutating func reset() {
        bytes = []
        size = 0
    }
}
