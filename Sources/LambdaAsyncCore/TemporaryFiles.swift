import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a command writes before it renames it into place (a zip, a generated project, an install, an
/// unpacked tree): named `.<name>.<pid>.<random>.tmp` beside its destination, removed when the command
/// is interrupted (SIGINT, SIGTERM), and swept by a later run once the process that made it is gone
/// (SIGKILL, a crash, a power cut leave it behind).
public enum TemporaryFiles {
    /// A temporary path beside `destination`, owned by this process.
    public static func beside(_ destination: URL) -> URL {
        destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var tracked: Set<URL> = []

    /// `url` is being written: an interrupt removes it.
    public static func track(_ url: URL) {
        lock.lock()
        tracked.insert(url)
        lock.unlock()
    }

    /// `url` was renamed into place or removed.
    public static func untrack(_ url: URL) {
        lock.lock()
        tracked.remove(url)
        lock.unlock()
    }

    /// Removes everything still being written; returns how many there were. For the interrupt handler.
    @discardableResult
    public static func removeTracked() -> Int {
        lock.lock()
        let urls = tracked
        tracked = []
        lock.unlock()
        for url in urls { try? FileManager.default.removeItem(at: url) }
        return urls.count
    }

    /// Removes the temporary files in `folder` whose process is gone; leaves those of live processes
    /// (another run writing beside this one) alone. Returns what it removed.
    @discardableResult
    public static func sweep(_ folder: URL) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        var removed: [String] = []
        for name in names {
            guard let pid = owner(of: name), pid != getpid(), !isAlive(pid) else { continue }
            if (try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))) != nil { removed.append(name) }
        }
        return removed
    }

    /// The pid in `.<name>.<pid>.<random>.tmp`, or nil for any other name.
    static func owner(of name: String) -> pid_t? {
        guard name.hasPrefix("."), name.hasSuffix(".tmp") else { return nil }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 5, UInt32(parts[parts.count - 2]) != nil, let pid = pid_t(parts[parts.count - 3]), pid > 0 else { return nil }
        return pid
    }

    private static func isAlive(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}
