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
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return (-1, Data()) }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
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
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, argv, environ)
        close(fds[1])
        let handle = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true)
        guard spawned == 0 else { return (-1, Data()) }
        let output = handle.readDataToEndOfFile()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exited = status & 0x7F == 0
        return (exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), output)
    }
}
