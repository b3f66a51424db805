/// Sizes as a Lambda developer writes them: `1048576`, `512KB`, `6 MB`, `1.5MiB`.
///
/// AWS quotes its limits in "MB" but means mebibytes (6 MB = 6,291,456 bytes), so every
/// suffix is binary: KB = KiB = 1024 bytes, MB = MiB, GB = GiB.
public enum ByteSize {
    public enum ParseError: Error, CustomStringConvertible, Equatable {
        case invalid(String)

        public var description: String {
            switch self {
            case .invalid(let text):
                return "'\(text)' is not a size: write bytes (1048576) or a number with B, KB, MB or GB (512KB, 6MB, 1.5MB)"
            }
        }
    }

    private static let units: [String: Double] = [
        "": 1, "b": 1,
        "k": 1024, "kb": 1024, "kib": 1024,
        "m": 1_048_576, "mb": 1_048_576, "mib": 1_048_576,
        "g": 1_073_741_824, "gb": 1_073_741_824, "gib": 1_073_741_824,
    ]

    public static func parse(_ text: String) throws -> Int {
        let trimmed = text.trimmingWhitespace()
        let numberEnd = trimmed.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? trimmed.endIndex
        let number = String(trimmed[..<numberEnd])
        let unit = String(trimmed[numberEnd...]).trimmingWhitespace().lowercased()
        guard !number.isEmpty, let value = Double(number), let scale = units[unit] else {
            throw ParseError.invalid(text)
        }
        let bytes = (value * scale).rounded(.up)
        guard bytes.isFinite, bytes < Double(Int.max) else { throw ParseError.invalid(text) }
        return Int(bytes)
    }

    /// "6 MB", "1.5 MB", "300 KB", "12 bytes": the form the comparison uses.
    public static func describe(_ bytes: Int) -> String {
        func trim(_ value: Double) -> String {
            let rounded = (value * 10).rounded() / 10
            return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
        }
        if bytes >= 1_073_741_824 { return "\(trim(Double(bytes) / 1_073_741_824)) GB" }
        if bytes >= 1_048_576 { return "\(trim(Double(bytes) / 1_048_576)) MB" }
        if bytes >= 1024 { return "\(trim(Double(bytes) / 1024)) KB" }
        return bytes == 1 ? "1 byte" : "\(bytes) bytes"
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }
}
