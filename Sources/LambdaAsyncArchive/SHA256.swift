import Crypto

/// SHA-256, streamed, from swift-crypto (BoringSSL's implementation on Linux, which uses the CPU's
/// SHA instructions where it has them). Lambda reports a function's `CodeSha256` as the base64 of
/// this digest. A value type over swift-crypto's hasher, so callers keep one small API.
public struct SHA256: Sendable {
    private var hasher = Crypto.SHA256()

    public init() {}

    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        // In place where the bytes are contiguous (arrays, native strings' UTF-8): no copy.
        let done: Void? = bytes.withContiguousStorageIfAvailable { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        if done == nil { hasher.update(data: Array(bytes)) }
    }

    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: buffer)
    }

    public mutating func finalize() -> [UInt8] {
        Array(hasher.finalize())
    }
}

extension Array where Element == UInt8 {
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(count * 2)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
