import Foundation

/// Runs a tool the packager relies on (pip, npm, swift) and keeps what it printed for the error.
enum ExternalCommand {
    struct Result {
        let status: Int32
        let output: String
    }

    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Output and errors go to one pipe, read as it comes so the child never blocks on a full pipe.
    static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil,
                    echoTo echo: FileHandle? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var output = Data()
        while true {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            output += chunk
            echo?.write(chunk)
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self))
    }

    /// The last lines of a tool's output: where its error is.
    static func tail(_ text: String, lines: Int = 15) -> String {
        text.split(separator: "\n").suffix(lines).map { "    " + $0 }.joined(separator: "\n")
    }
}
