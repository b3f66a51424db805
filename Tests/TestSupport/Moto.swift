import Foundation
import LambdaAsyncCore

/// moto's server (`python3 -m moto.server`) on a free loopback port: the AWS services the generated
/// projects and `deploy` talk to (SQS, DynamoDB, S3, STS, ...), offline. Stop it with `stop()`.
public final class MotoServer: @unchecked Sendable {
    public let port: Int
    private let process: Process
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// moto's server alone, or `script` (Tests/AWSDouble/aws_double.py: moto with the SAM transform) on the port.
    public init(script: String? = nil, environment: [String: String] = [:]) throws {
        port = try Self.freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = script.map { ["python3", $0, String(port)] } ?? ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Ready when it accepts connections; moto starts in about a second.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if Self.accepts(port) { return }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        stop()
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "moto's server did not start (pip install 'moto[server]')"])
    }

    public func stop() {
        // Its state is disposable: SIGKILL, since the development server may outlive a SIGTERM.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }

    /// What a client of this server needs: its endpoint, moto's test keys, a region.
    public var clientEnvironment: [String: String] {
        ["AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
         "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1"]
    }

    /// Runs a Python script with boto3 pointed at this server (`sys.argv[1]` is the endpoint).
    public func python(_ script: String, _ arguments: [String] = []) async throws -> ProcessResult {
        try await run("python3", ["-c", script, endpoint] + arguments, environment: clientEnvironment)
    }

    /// Whether something accepts connections on the port (the runner's own check).
    public static func accepts(_ port: Int) -> Bool { LoopbackPort.accepts(port) }

    /// A port nothing listens on now: the listener that found it is closed at once.
    public static func freePort() throws -> Int { try LoopbackListener().port }

    /// A free port below the kernel's ephemeral range, for a port that several processes bind one after
    /// the other (an extension's port across three `invoke` runs): a port from the ephemeral range can
    /// meanwhile become the local port of any outgoing connection on the machine, and the next bind then
    /// fails with EADDRINUSE (it did in CI, under the load of the full suite).
    public static func portOutsideEphemeralRange() throws -> Int {
        let range = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))?
            .split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) } ?? []
        let low = range.first ?? 32768
        let candidates = low > 12000 ? 10000..<(low - 1) : 1024..<(low - 1)
        for _ in 0..<200 {
            let port = Int.random(in: candidates)
            if canBind(port) { return port }
        }
        return try freePort()
    }

    private static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
