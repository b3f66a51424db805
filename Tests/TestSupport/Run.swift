import Foundation

/// What a finished process printed and how it exited.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

/// Runs a program to completion, feeding it `input`, with extra environment variables, holding the
/// calling thread (for what runs outside a test, such as a trait's condition; tests use `run`). Both
/// pipes are drained concurrently so a chatty child never blocks on a full pipe.
public func runBlocking(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
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

/// Runs a program to completion, feeding it `input`, with extra environment variables, without
/// holding a thread of Swift's cooperative pool, where the tests run (it has one per core): the
/// program is waited for on a Dispatch thread, so tests that wait on programs let others run. At
/// most `ProgramSlots.limit` programs run at once, so that waiting does not turn into overload.
public func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                input: String? = nil, directory: URL? = nil) async throws -> ProcessResult {
    await ProgramSlots.shared.acquire()
    defer { Task { await ProgramSlots.shared.release() } }
    return try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result {
                try runBlocking(executable, arguments, environment: environment, input: input, directory: directory)
            })
        }
    }
}

/// How many programs the tests run at once: twice the cores, since most of them wait (on a server,
/// a timeout, a frozen environment) more than they compute.
public actor ProgramSlots {
    public static let shared = ProgramSlots(limit: max(4, 2 * ProcessInfo.processInfo.activeProcessorCount))
    public let limit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = limit }

    func acquire() async {
        if running < limit {
            running += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            running -= 1
        } else {
            // The slot passes straight to the next one waiting.
            waiting.removeFirst().resume()
        }
    }
}

/// A fresh directory under the system's temporary folder, removed by the caller.
public func makeTemporaryDirectory(_ label: String = "lambda-async-test") throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Reads a zip with Python's `zipfile`: an independent reader, not libarchive.
/// Returns one line per entry: `name mode size date` with the mode in octal.
public func pythonZipListing(_ zip: URL) async throws -> ProcessResult {
    let script = """
    import sys, zipfile
    with zipfile.ZipFile(sys.argv[1]) as z:
        assert z.testzip() is None, "bad CRC"
        for i in z.infolist():
            print(i.filename, oct(i.external_attr >> 16), i.file_size, "%04d-%02d-%02dT%02d:%02d:%02d" % i.date_time, i.create_system)
    """
    return try await run("python3", ["-c", script, zip.path])
}
