/// The start of a streamed response to a function URL (`awslambda.HttpResponseStream.from`): a JSON
/// prelude `{statusCode, headers, cookies}`, eight NUL bytes, then the body. One splitter for every
/// reader of streams (function URLs, `invoke`'s output): a stream that starts with `{` is held until its
/// delimiter, and at most 64 KiB; past that, or without a `{`, it is all body.
public enum HTTPIntegrationPrelude {
    public static let limit = 65_536

    public enum Split: Equatable {
        /// More bytes are needed to know.
        case incomplete
        /// No prelude: every byte is body.
        case body
        /// The prelude's bytes (without the delimiter), and the body's first bytes after it.
        case prelude([UInt8], rest: [UInt8])
    }

    /// What `bytes`, the start of a stream, hold.
    public static func split(_ bytes: [UInt8]) -> Split {
        guard let first = bytes.first else { return .incomplete }
        guard first == UInt8(ascii: "{") else { return .body }
        if bytes.count >= 8, let end = (0...(bytes.count - 8)).first(where: { bytes[$0..<($0 + 8)].allSatisfy { $0 == 0 } }) {
            return .prelude(Array(bytes[..<end]), rest: Array(bytes[(end + 8)...]))
        }
        return bytes.count > limit ? .body : .incomplete
    }
}
