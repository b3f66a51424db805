import Foundation
import LambdaAsyncCore
import LambdaAsyncEnvironment
import LambdaAsyncService

/// Ctrl-C and SIGTERM. A command stopped by one ends cleanly, then exits 130 (128 + SIGINT, as a
/// shell reports an interrupted command), whichever command it was: the README's exit-code table.
enum Interrupts {
    /// The exit code of a command stopped by SIGINT or SIGTERM.
    static let exitCode: Int32 = 130

    /// Returns at the first SIGINT or SIGTERM (a long-running command then shuts down as Lambda would).
    static func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let once = OnceFlag()
            handle { if once.claim() { continuation.resume() } }
        }
    }

    /// For commands that write files (`package`, `new`): an interrupt removes what is half-written
    /// (temporary files never renamed into place) and exits 130 at once.
    static func removeTemporaryFilesOnInterrupt() {
        handle {
            let count = TemporaryFiles.removeTracked()
            let removed = count == 0 ? "" : ": removed \(count) unfinished temporary file\(count == 1 ? "" : "s")"
            FileHandle.standardError.write(Data("interrupted\(removed)\n".utf8))
            exit(exitCode)
        }
    }

    private static func handle(_ handler: @escaping @Sendable () -> Void) {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            keep(source)
        }
    }

    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    private static let lock = NSLock()
    /// A signal source works only while it is referenced.
    private static func keep(_ source: DispatchSourceSignal) {
        lock.lock()
        sources.append(source)
        lock.unlock()
    }
}
