import Foundation
import LambdaAsyncCore
#if canImport(Glibc)
import Glibc
#endif

/// A Python server lambda-async starts on a free loopback port and stops with itself (moto's server,
/// the durable executions' control plane). Its standard input is a pipe only lambda-async holds: the
/// launcher exits at its end, however lambda-async ends, so a SIGKILLed runner leaves no server.
/// Its standard error goes to `errors`, read when it does not come up.
final class HelperServer: Sendable {
    let port: Int
    let errors: URL
    private let process: Process
    private let stdin: Pipe

    init(python: String, launcher: String, arguments: (Int) -> [String], environment: [String: String], errors: URL) throws {
        port = try LoopbackPort.free()
        self.errors = errors
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, "-c", Self.endsWithStandardInput + launcher] + arguments(port)
        process.environment = environment
        stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errors)
        do {
            try process.run()
        } catch {
            throw LocalAWS.Unavailable(description: "\(python) could not be started (\(error.localizedDescription))")
        }
    }

    /// Prepended to every launcher: the server exits when its standard input ends (lambda-async ended,
    /// however it ended, and the pipe's only writer with it).
    static let endsWithStandardInput = """
        import os as _os, sys as _sys, threading as _threading
        def _exit_with_standard_input():
            try:
                _sys.stdin.buffer.read()
            finally:
                _os._exit(0)
        _threading.Thread(target=_exit_with_standard_input, daemon=True).start()

        """

    /// Nil once the server accepts connections; otherwise (it ended, or `timeout` seconds passed) it is
    /// stopped and what it wrote to standard error is returned.
    func waitUntilListening(timeout: TimeInterval) async throws -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if LoopbackPort.accepts(port) { return nil }
            if !process.isRunning { break }
            try await Task.sleep(nanoseconds: 25_000_000)
        }
        let said = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        stop()
        return said
    }

    /// The last line it wrote, or that it did not answer.
    static func lastLine(_ said: String, timeout: TimeInterval) -> String {
        said.split(separator: "\n").last.map(String.init) ?? "it did not answer within \(Int(timeout)) s"
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
