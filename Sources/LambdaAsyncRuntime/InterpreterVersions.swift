import Foundation
import LambdaAsyncCore

/// The runner uses this machine's Python and Node.js; it says so once when their version is not the
/// one the runtime names, since behaviour can differ between versions.
enum InterpreterVersions {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var reported: Set<String> = []

    /// A one-line note, the first time an interpreter does not match `runtime`; nil otherwise.
    static func mismatch(_ interpreter: String, runtime: LambdaRuntime) -> String? {
        lock.lock()
        defer { lock.unlock() }
        guard !reported.contains(interpreter + runtime.identifier) else { return nil }
        reported.insert(interpreter + runtime.identifier)
        guard let version = version(of: interpreter) else { return nil }
        // python3.13 wants 3.13.x; nodejs22.x wants v22.x.
        let wanted = runtime.family == .python ? (runtime.pythonVersion ?? "") + "."
                                               : "v" + runtime.identifier.dropFirst("nodejs".count).replacingOccurrences(of: ".x", with: ".")
        guard !version.hasPrefix(wanted) else { return nil }
        return "note: \(runtime.identifier) runs here on \(interpreter) \(version), not on the runtime's own version"
    }

    private static func version(of interpreter: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = ["--version"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // "Python 3.11.7" or "v20.20.2"
        return String(decoding: data, as: UTF8.self).split(whereSeparator: \.isWhitespace).last.map(String.init)
    }
}
