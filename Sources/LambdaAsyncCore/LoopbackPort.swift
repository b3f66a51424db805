import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Ports on 127.0.0.1 for the helper servers lambda-async starts (moto, the durable control plane).
public enum LoopbackPort {
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    /// A port nothing listens on now (the kernel's choice).
    public static func free() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw Unavailable(description: "no free loopback port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts connections on the port.
    public static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// A durable function's `DurableConfig`.
public struct DurableSettings: Sendable, Equatable {
    /// `ExecutionTimeout`: how long an execution may run, in seconds (1 to 31,622,400).
    public var executionTimeoutSeconds: Int
    /// `RetentionPeriodInDays`: how long a closed execution's history is kept (1 to 90).
    public var retentionDays: Int
    /// What the runner assumes for a key the template leaves out: a day, and Lambda's 14-day retention.
    public static let defaultExecutionTimeoutSeconds = 86_400
    public static let defaultRetentionDays = 14
    /// The managed runtimes Lambda creates durable functions on (durable-supported-runtimes); Java and
    /// .NET ones too, which lambda-async does not run.
    public static let managedRuntimes = ["nodejs22.x", "nodejs24.x", "python3.13", "python3.14"]
    /// Why Lambda would refuse a durable function on `runtime`, or nil.
    public static func refusal(runtime: String) -> String? {
        guard !managedRuntimes.contains(runtime), runtime.hasPrefix("python") || runtime.hasPrefix("nodejs") else { return nil }
        let family = runtime.hasPrefix("python") ? "python3.13 or python3.14" : "nodejs22.x or nodejs24.x"
        return "Lambda creates durable functions (DurableConfig) on \(managedRuntimes.joined(separator: ", ")) only, not on \(runtime): use \(family)"
    }
    public init(executionTimeoutSeconds: Int = defaultExecutionTimeoutSeconds, retentionDays: Int = defaultRetentionDays) {
        self.executionTimeoutSeconds = executionTimeoutSeconds
        self.retentionDays = retentionDays
    }
}
