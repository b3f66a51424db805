import Foundation
import LambdaAsyncCore
import LambdaAsyncEnvironment
import LambdaAsyncService

/// Writes responses as the client gets them: chunks of a stream at once, errors as their JSON body.
/// Callbacks come from the runner's threads: every write happens under the output's lock, in order.
final class ResponseSink: Sendable {
    private let output: Locked<ResponseOutput>

    init(path: String?) throws {
        let handle: FileHandle
        if let path {
            guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else {
                throw CommandError.badInput("cannot write the response to \(path)")
            }
            handle = file
        } else {
            handle = FileHandle.standardOutput
        }
        output = Locked(ResponseOutput(handle: handle, toStandardOutput: path == nil))
    }

    /// The response as the client gets it. A file gets its bytes exactly (the last response's, with
    /// --repeat), as `aws lambda invoke` writes them; standard output gets a streamed HTTP response's
    /// body, its prelude said on standard error, and a line end after each response.
    func receive(_ event: ResponseEvent) { output.withLock { $0.receive(event) } }

    /// One response per line when several invocations write to a terminal or a pipe.
    func finishInvocation() { output.withLock { $0.finishInvocation() } }
}

/// Where responses go, and what of the current one was written.
private struct ResponseOutput {
    let handle: FileHandle
    let toStandardOutput: Bool
    var endsWithNewline = true
    /// No byte of the current invocation's response written yet.
    var atStart = true
    /// The start of a stream that may be an HTTP integration prelude (`{...}` then eight NUL bytes,
    /// as `awslambda.HttpResponseStream.from` writes for function URLs), held until it is known.
    var maybePrelude: [UInt8]?

    mutating func receive(_ event: ResponseEvent) {
        if atStart, !toStandardOutput {
            try? handle.truncate(atOffset: 0)
        }
        switch event {
        case .chunk(let bytes):
            guard !bytes.isEmpty else { return }
            if toStandardOutput, atStart, bytes.first == UInt8(ascii: "{") { maybePrelude = [] }
            atStart = false
            if maybePrelude != nil { return holdPrelude(bytes) }
            write(bytes)
        case .complete(let bytes):
            atStart = false
            flushPrelude()
            write(bytes)
            if toStandardOutput, !endsWithNewline { write(Array("\n".utf8)) }
        case .error(let type, let body):
            atStart = false
            flushPrelude()
            FileHandle.standardError.write(Data("function error: \(type)\n".utf8))
            write(body)
            if toStandardOutput, !endsWithNewline { write(Array("\n".utf8)) }
        }
    }

    private mutating func holdPrelude(_ bytes: [UInt8]) {
        maybePrelude! += bytes
        let held = maybePrelude!
        switch HTTPIntegrationPrelude.split(held) {
        case .incomplete:
            return
        case .body:
            flushPrelude()
        case .prelude(let prelude, let rest):
            maybePrelude = nil
            if (try? JSONSerialization.jsonObject(with: Data(prelude))) is [String: Any] {
                FileHandle.standardError.write(Data("HTTP response prelude: \(String(decoding: prelude, as: UTF8.self))\n".utf8))
                write(rest)
            } else {
                write(held)
            }
        }
    }

    private mutating func flushPrelude() {
        if let held = maybePrelude {
            maybePrelude = nil
            write(held)
        }
    }

    private mutating func write(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        handle.write(Data(bytes))
        endsWithNewline = bytes.last == 0x0A
    }

    mutating func finishInvocation() {
        flushPrelude()
        atStart = true
        if toStandardOutput, !endsWithNewline {
            write(Array("\n".utf8))
        }
    }
}
