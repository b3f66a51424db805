import Foundation
import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#endif

/// A watchdog process that kills every sandbox process group when the runner dies, however it
/// dies (Ctrl-C, SIGTERM, SIGKILL): it holds the read end of a pipe whose write end only the
/// runner holds, and end of file means the runner is gone.
final class Reaper: Sendable {
    private let writeEnd: Int32
    /// Whether `writeEnd` was closed; writes and the close happen under its lock.
    private let closed = NIOLockedValueBox(false)

    private static let script = """
        groups=" "
        while read -r op id; do
          case "$op" in
            add) groups="$groups$id " ;;
            cg) cgroups="$cgroups $id" ;;
            dir) folders="$folders $id" ;;
            del) groups=$(printf '%s' "$groups" | sed "s/ $id / /") ;;
            end) exit 0 ;;
          esac
        done
        for id in $groups; do kill -KILL -- "-$id" 2>/dev/null; kill -CONT -- "-$id" 2>/dev/null; done
        # Every environment's cgroups: all thawed first (a frozen process dies only once thawed, and
        # its memory and cpu groups empty only then), then emptied, then removed.
        for folder in $cgroups; do
          [ -f "$folder/freezer.state" ] && echo THAWED > "$folder/freezer.state"
          [ -f "$folder/cgroup.freeze" ] && echo 0 > "$folder/cgroup.freeze"
        done
        for folder in $cgroups; do
          for pid in $(cat "$folder/cgroup.procs" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
        done
        # The sandboxes' scratch folders (a clean shutdown removed them already). A sized /tmp is a loop
        # mount inside one: unmounted (lazily, which frees its loop device) before the folder goes.
        for folder in $folders; do
          while read -r _ point _; do
            case "$point" in "$folder"/*) umount -l "$point" 2>/dev/null ;; esac
          done < /proc/mounts
          rm -rf -- "$folder"
        done
        for folder in $cgroups; do
          for try in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
            [ -d "$folder" ] || break
            for pid in $(cat "$folder/cgroup.procs" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
            rmdir "$folder" 2>/dev/null && break
            sleep 0.05
          done
        done
        """

    private init(writeEnd: Int32) { self.writeEnd = writeEnd }

    /// One watchdog for the whole process, every sandbox's: started with the first sandbox.
    static let shared: Reaper? = try? Reaper.start()

    static func start() throws -> Reaper {
        // Close-on-exec: sandbox processes must not inherit the write end, or EOF would never come.
        guard let pipe = Spawning.pipe() else { throw RunnerError.cannotStart("reaper", String(cString: strerror(errno))) }
        let fds = [pipe.read, pipe.write]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group: a Ctrl-C meant for the runner must not reach the reaper.
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        // bash, not sh: dash's kill takes neither `--` nor a negative process group.
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/bash"), strdup("-c"), strdup(script), nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let status = Spawning.locked { posix_spawn(&pid, "/bin/bash", &actions, &attributes, argv, environ) }
        close(fds[0])
        guard status == 0 else {
            close(fds[1])
            throw RunnerError.cannotStart("reaper", String(cString: strerror(status)))
        }
        let child = pid
        Thread.detachNewThread { var status: Int32 = 0; waitpid(child, &status, 0) }
        return Reaper(writeEnd: fds[1])
    }

    func watch(_ pgid: pid_t) { send("add \(pgid)\n") }
    /// A sandbox's scratch folder (no spaces in its path), removed if the runner dies.
    func watch(folder: URL) { send("dir \(folder.path)\n") }
    /// Every folder of an environment's cgroup, thawed, emptied and removed if the runner dies.
    func watch(_ group: ControlGroup) { group.folders.forEach { send("cg \($0)\n") } }
    func forget(_ pgid: pid_t) { send("del \(pgid)\n") }

    /// Everything was shut down cleanly: the reaper may exit without killing.
    func finish() {
        send("end\n")
        closed.withLockedValue { closed in
            if !closed { close(writeEnd) }
            closed = true
        }
    }

    deinit {
        // End of file: the reaper kills what is still registered, and exits.
        if !closed.withLockedValue({ $0 }) { close(writeEnd) }
    }

    private func send(_ line: String) {
        closed.withLockedValue { closed in
            guard !closed else { return }
            _ = line.withCString { write(writeEnd, $0, strlen($0)) }
        }
    }
}
