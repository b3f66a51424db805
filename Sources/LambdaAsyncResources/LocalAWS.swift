import Foundation
import LambdaAsyncCore

/// moto's server (a well-kept emulator of AWS's APIs, `pip install 'moto[server]'`), started by
/// lambda-async on a free loopback port as the project's local AWS, and stopped with it.
///
/// It keeps its state in memory, in one account (000000000000, the account of every local ARN the
/// runner makes). It ends with lambda-async however lambda-async ends: it watches its standard input,
/// a pipe only lambda-async holds, and exits at end of file (a SIGKILLed runner leaves no server).
public final class LocalAWS: Sendable {
    public let endpoint: String
    private let server: HelperServer

    /// Why there is no local AWS: what to install, or what to pass instead.
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    /// The server, starting; `ready()` waits until it answers.
    public init(python: String = "python3") throws {
        var environment = ProcessInfo.processInfo.environment
        environment["MOTO_ACCOUNT_ID"] = LocalAWSConstants.accountID
        // moto's own calls must not go through a proxy, nor to an endpoint of the user's shell.
        for key in environment.keys where key.hasPrefix("AWS_ENDPOINT_URL") { environment[key] = nil }
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("lambda-async-moto-\(UUID().uuidString.prefix(8)).log")
        server = try HelperServer(python: python, launcher: Self.launcher, arguments: { [String($0)] }, environment: environment, errors: log)
        endpoint = "http://127.0.0.1:\(server.port)"
    }

    /// Waits until the server answers, for at most `timeout` seconds.
    public func ready(timeout: TimeInterval = 15) async throws {
        guard let said = try await server.waitUntilListening(timeout: timeout) else { return }
        try? FileManager.default.removeItem(at: server.errors)
        if said.contains("No module named") {
            throw Unavailable(description: "moto's server is not installed (pip install 'moto[server]')")
        }
        throw Unavailable(description: "moto's server did not start: \(HelperServer.lastLine(said, timeout: timeout))")
    }

    public func stop() {
        server.stop()
        try? FileManager.default.removeItem(at: server.errors)
    }

    deinit { stop() }

    /// moto's server (HelperServer ends it with the end of its standard input).
    static let launcher = """
        import os, sys, threading
        import logging
        # A line per request would grow the log for as long as serve runs: errors only.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        from moto.server import main
        main(["-H", "127.0.0.1", "-p", sys.argv[1]])
        """
}

enum LocalAWSConstants {
    /// The account of every local ARN (Intrinsics, FunctionConfig): moto's resources must live in it.
    static let accountID = "000000000000"
    static let region = "us-east-1"
}
