/// One result of Lambda's packaging checks.
public struct Finding: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Codable {
        case error
        case warning
    }

    public let severity: Severity
    public let message: String

    public static func error(_ message: String) -> Finding { Finding(severity: .error, message: message) }
    public static func warning(_ message: String) -> Finding { Finding(severity: .warning, message: message) }

    public var description: String { "\(severity.rawValue): \(message)" }
}

extension Array where Element == Finding {
    public var errors: [Finding] { filter { $0.severity == .error } }
    public var warnings: [Finding] { filter { $0.severity == .warning } }
}
