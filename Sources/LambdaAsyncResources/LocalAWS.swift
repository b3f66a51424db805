import Foundation
import LambdaAsyncCore
#if canImport(Glibc)
import Glibc
#endif

/// moto's server (a well-kept emulator of AWS's APIs, `pip install 'moto[server]'`), started by
/// lambda-async on a free loopback port as the project's local AWS, and stopped with it.
///
/// It keeps its state in memory, in one account (000000000000, the account of every local ARN the
/// runner makes). It ends with lambda-async however lambda-async ends: it watches its standard input,
/// a pipe only lambda-async holds, and exits at end of file (a SIGKILLed runner leaves no server).
public final class LocalAWS: Sendable {
    public let endpoint: String
    private let process: Process
    private let stdin: Pipe
    private let errors: URL

    /// Why there is no local AWS: what to install, or what to pass instead.
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    /// The server, starting; `ready()` waits until it answers.
    public init(python: String = "python3") throws {
        let port = try Self.freePort()
        endpoint = "http://127.0.0.1:\(port)"
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, "-c", Self.launcher, String(port)]
        var environment = ProcessInfo.processInfo.environment
        environment["MOTO_ACCOUNT_ID"] = LocalAWSConstants.accountID
        // moto's own calls must not go through a proxy, nor to an endpoint of the user's shell.
        for key in environment.keys where key.hasPrefix("AWS_ENDPOINT_URL") { environment[key] = nil }
        process.environment = environment
        stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        errors = FileManager.default.temporaryDirectory.appendingPathComponent("lambda-async-moto-\(port).log")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errors)
        do {
            try process.run()
        } catch {
            throw Unavailable(description: "\(python) could not be started (\(error.localizedDescription))")
        }
    }

    /// Waits until the server answers, for at most `timeout` seconds.
    public func ready(timeout: TimeInterval = 15) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        let port = Int(endpoint.split(separator: ":").last!)!
        while Date() < deadline {
            if Self.accepts(port) { return }
            if !process.isRunning { break }
            try await Task.sleep(nanoseconds: 25_000_000)
        }
        let said = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        stop()
        if said.contains("No module named") {
            throw Unavailable(description: "moto's server is not installed (pip install 'moto[server]')")
        }
        let last = said.split(separator: "\n").last.map(String.init) ?? "it did not answer within \(Int(timeout)) s"
        throw Unavailable(description: "moto's server did not start: \(last)")
    }

    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: errors)
    }

    deinit { stop() }

    /// moto's server, ended by the end of its standard input.
    static let launcher = """
        import os, sys, threading
        def watch():
            try:
                sys.stdin.buffer.read()
            finally:
                os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
        import logging
        # A line per request would grow the log for as long as serve runs: errors only.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        from moto.server import main
        main(["-H", "127.0.0.1", "-p", sys.argv[1]])
        """

    static func freePort() throws -> Int {
        do { return try LoopbackPort.free() } catch { throw Unavailable(description: "\(error)") }
    }

    static func accepts(_ port: Int) -> Bool { LoopbackPort.accepts(port) }
}

enum LocalAWSConstants {
    /// The account of every local ARN (Intrinsics, FunctionConfig): moto's resources must live in it.
    static let accountID = "000000000000"
    static let region = "us-east-1"
}
