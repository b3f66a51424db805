import Foundation
import LambdaAsyncCore

/// The Python or Node.js that runs a managed runtime's function here. One of the runtime's own
/// version when this machine has it (on PATH as `python3.13`, or installed with pyenv or nvm),
/// since behaviour differs between versions; otherwise `python3` or `node` from PATH, with a note
/// said once. Looked up once per runtime.
enum Interpreters {
    struct Choice: Sendable {
        let path: String
        /// Set when the interpreter is not of the runtime's version.
        let note: String?
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var chosen: [String: Choice] = [:]
    nonisolated(unsafe) private static var noted: Set<String> = []

    /// The interpreter, and a note the first time it is not of the runtime's version.
    static func resolve(for runtime: LambdaRuntime) throws -> (path: String, note: String?) {
        lock.lock()
        defer { lock.unlock() }
        let choice: Choice
        if let known = chosen[runtime.identifier] {
            choice = known
        } else {
            choice = try choose(for: runtime, environment: ProcessInfo.processInfo.environment)
            chosen[runtime.identifier] = choice
        }
        // Once per interpreter: python3.12 and python3.13 falling back to the same python3 say it once.
        let note = choice.note.flatMap { noted.insert(choice.path).inserted ? $0 : nil }
        return (choice.path, note)
    }

    static func choose(for runtime: LambdaRuntime, environment: [String: String]) throws -> Choice {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let generic = runtime.family == .python ? "python3" : "node"
        // python3.13 wants 3.13.x; nodejs22.x wants v22.x.
        let major = runtime.family == .python ? (runtime.pythonVersion ?? "")
                                              : String(runtime.identifier.dropFirst("nodejs".count).dropLast(".x".count))
        let wanted = runtime.family == .python ? major + "." : "v" + major + "."
        var candidates: [String]
        if runtime.family == .python {
            let pyenv = environment["PYENV_ROOT"] ?? home + "/.pyenv"
            candidates = onPath("python" + major, environment) + installed(in: pyenv + "/versions", prefix: major + ".", binary: "bin/python" + major)
        } else {
            let nvm = environment["NVM_DIR"] ?? home + "/.nvm"
            candidates = onPath("node", environment) + installed(in: nvm + "/versions/node", prefix: "v" + major + ".", binary: "bin/node")
        }
        var withoutSDK: String?
        for candidate in candidates where version(of: candidate)?.hasPrefix(wanted) == true {
            // Lambda's Python runtimes include boto3, and functions count on it.
            if runtime.family == .python, output(of: candidate, ["-c", "import boto3"]) == nil {
                withoutSDK = withoutSDK ?? candidate
                continue
            }
            return Choice(path: candidate, note: nil)
        }
        guard let fallback = onPath(generic, environment).first, let version = version(of: fallback) else {
            throw RunnerError.missingInterpreter(generic, runtime: runtime.identifier)
        }
        let remedy = withoutSDK.map { "\($0) lacks boto3, which Lambda's runtime has: \($0) -m pip install boto3" }
            ?? "install \(runtime.family == .python ? "python" + major : "Node.js " + major) to run the runtime's own version"
        return Choice(path: fallback, note: "note: \(runtime.identifier) runs on \(fallback) (\(version)) here; \(remedy)")
    }

    private static func onPath(_ name: String, _ environment: [String: String]) -> [String] {
        let path = environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.filter { FileManager.default.isExecutableFile(atPath: $0) }.prefix(1).map { $0 }
    }

    /// `versions/3.13.0/bin/python3.13`, newest first.
    private static func installed(in folder: String, prefix: String, binary: String) -> [String] {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return versions.filter { $0.hasPrefix(prefix) }
            .sorted { $0.compare($1, options: .numeric) == .orderedDescending }
            .map { "\(folder)/\($0)/\(binary)" }
            .filter { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// "3.13.0" or "v22.11.0"; nil when it does not run (a pyenv shim of a version not selected fails).
    private static func version(of interpreter: String) -> String? {
        // "Python 3.11.7" or "v20.20.2"
        output(of: interpreter, ["--version"])?.split(whereSeparator: \.isWhitespace).last.map(String.init)
    }

    /// What the interpreter prints on standard output with these arguments; nil when it fails.
    private static func output(of interpreter: String, _ arguments: [String]) -> String? {
        let (status, data) = HostCommand.run([interpreter] + arguments, captureOutput: true)
        return status == 0 ? String(decoding: data, as: UTF8.self) : nil
    }
}
