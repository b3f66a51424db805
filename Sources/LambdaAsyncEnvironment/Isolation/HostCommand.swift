import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a host tool (mkfs.ext4, mount, umount, an interpreter's self-description) to completion with
/// posix_spawn and waitpid on its own pid. Foundation's Process is not used here: its exit detection
/// can miss a child that exits while the sandbox's other watchers wait on theirs, and a cold start
/// then hangs on a zombie.
enum HostCommand {
    /// The exit status (-1 when it could not start) and what it printed on standard output.
    @discardableResult
    static func run(_ arguments: [String], captureOutput: Bool = false) -> (status: Int32, output: Data) {
        // Close-on-exec before any other thread can spawn: a stranger keeping the write end would keep
        // the end of file below away (see `Spawning`).
        guard let pipe = Spawning.pipe() else { return (-1, Data()) }
        let fds = [pipe.read, pipe.write]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if captureOutput {
            posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, fds[1])
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        var spawned = Spawning.locked { posix_spawn(&pid, arguments[0], &actions, nil, argv, environ) }
        // A script written a moment ago can still be open for writing in a child another thread
        // forked meanwhile (ETXTBSY until that child execs): it goes away within milliseconds.
        for _ in 0..<10 where spawned == ETXTBSY {
            usleep(20_000)
            spawned = Spawning.locked { posix_spawn(&pid, arguments[0], &actions, nil, argv, environ) }
        }
        close(fds[1])
        defer { close(fds[0]) }
        guard spawned == 0 else { return (-1, Data()) }
        var output = Data()
        while let chunk = readChunk(fds[0]) { output += chunk }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exited = status & 0x7F == 0
        return (exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), output)
    }
}

/// Reads what a pipe has, waiting for it: nil at end of file. A signal interrupting the read is
/// retried (Foundation's FileHandle stops the process on EINTR).
func readChunk(_ fd: Int32, upTo count: Int = 65_536) -> [UInt8]? {
    var buffer = [UInt8](repeating: 0, count: count)
    while true {
        let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, count) }
        if got > 0 { return Array(buffer[0..<got]) }
        if got == 0 { return nil }
        if errno != EINTR { return nil }
    }
}

/// Pipes and spawns take one lock: a pipe is close-on-exec before any other thread can spawn a
/// process that would inherit it (processes are spawned from several threads; a write end kept by a
/// stranger means an end of file that never comes). Glibc's module does not offer pipe2.
enum Spawning {
    static let lock = NSLock()

    /// A pipe whose two ends are close-on-exec; dup2 in a child's file actions makes a copy inheritable.
    static func pipe() -> (read: Int32, write: Int32)? {
        lock.lock()
        defer { lock.unlock() }
        var fds: [Int32] = [0, 0]
        guard Glibc.pipe(&fds) == 0 else { return nil }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return (fds[0], fds[1])
    }

    static func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}
