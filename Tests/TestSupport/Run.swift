import Foundation

/// What a finished process printed and how it exited.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

/// Runs a program to completion, feeding it `input`, with extra environment variables.
/// Both pipes are drained concurrently so a chatty child never blocks on a full pipe.
public func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                input: String? = nil, directory: URL? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
    process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    if let directory { process.currentDirectoryURL = directory }
    let out = Pipe(), err = Pipe(), stdin = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try stdin.fileHandleForWriting.close()
    nonisolated(unsafe) var errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}

/// A fresh directory under the system's temporary folder, removed by the caller.
public func makeTemporaryDirectory(_ label: String = "lambda-async-test") throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Reads a zip with Python's `zipfile`: an independent reader, not libarchive.
/// Returns one line per entry: `name mode size date` with the mode in octal.
public func pythonZipListing(_ zip: URL) throws -> ProcessResult {
    let script = """
    import sys, zipfile
    with zipfile.ZipFile(sys.argv[1]) as z:
        assert z.testzip() is None, "bad CRC"
        for i in z.infolist():
            print(i.filename, oct(i.external_attr >> 16), i.file_size, "%04d-%02d-%02dT%02d:%02d:%02d" % i.date_time, i.create_system)
    """
    return try run("python3", ["-c", script, zip.path])
}
