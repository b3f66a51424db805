import LambdaAsyncEnvironment
/// The binary framing of `InvokeWithResponseStream` answers (AWS event stream): a prelude with
/// lengths and a CRC-32, string headers, the payload, and a CRC-32 of the whole message.
enum EventStream {
    static func message(headers: [(String, String)], payload: [UInt8]) -> [UInt8] {
        var encodedHeaders: [UInt8] = []
        for (name, value) in headers {
            let nameBytes = Array(name.utf8), valueBytes = Array(value.utf8)
            encodedHeaders.append(UInt8(nameBytes.count))
            encodedHeaders += nameBytes
            encodedHeaders.append(7)  // string
            encodedHeaders += bigEndian(UInt16(valueBytes.count))
            encodedHeaders += valueBytes
        }
        let total = UInt32(12 + encodedHeaders.count + payload.count + 4)
        var message = bigEndian(total) + bigEndian(UInt32(encodedHeaders.count))
        message += bigEndian(crc32(message))
        message += encodedHeaders + payload
        message += bigEndian(crc32(message))
        return message
    }

    static func chunk(_ payload: [UInt8]) -> [UInt8] {
        message(headers: [(":event-type", "PayloadChunk"), (":content-type", "application/octet-stream"), (":message-type", "event")],
                payload: payload)
    }

    /// The last event: `{}` on success, or the function's error code and details.
    static func complete(errorCode: String? = nil, errorDetails: String? = nil) -> [UInt8] {
        var body = "{}"
        if let errorCode {
            let details = (errorDetails ?? "").replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            body = "{\"ErrorCode\":\"\(errorCode)\",\"ErrorDetails\":\"\(details)\"}"
        }
        return message(headers: [(":event-type", "InvokeComplete"), (":content-type", "application/json"), (":message-type", "event")],
                       payload: Array(body.utf8))
    }

    private static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        (0..<(T.bitWidth / 8)).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    private static let table: [UInt32] = (0..<256).map { index in
        (0..<8).reduce(UInt32(index)) { crc, _ in crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
    }

    /// CRC-32 (IEEE), as zlib computes it.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        ~bytes.reduce(~UInt32(0)) { crc, byte in table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
    }
}
