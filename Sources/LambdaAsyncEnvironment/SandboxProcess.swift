import CSystemCalls
import Foundation
import NIOConcurrencyHelpers
import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A process of a sandbox (the runtime or an external extension), in a process group of its own
/// so that freezing, thawing and killing reach every process it starts, threads and children alike.
final class SandboxProcess: Sendable {
    let name: String
    let pid: pid_t
    /// Succeeds once the process has exited (on the event loop given at its start).
    let exited: EventLoopFuture<Void>
    /// Succeeds once everything it wrote has been read and passed on: its output pipe reached its end
    /// (every holder of the write end, its children too, has exited).
    let drained: EventLoopFuture<Void>
    /// The code's own pid, once looked up.
    private let foundCodePid = NIOLockedValueBox<pid_t?>(nil)

    /// Starts `arguments[0]` with `environment` in `directory`. Each line it prints goes to `output`;
    /// `onExit` gets the pid and the wait status once the process has exited.
    /// In an isolated environment, the code runs as the child of the launcher (`nsenter`); signals go to it.
    private let signalsGoToChild: Bool

    /// `environment`: when given, the command runs inside it (namespaces, control group, Lambda's user).
    init(name: String, arguments: [String], environment: [String: String], directory: String,
         in isolated: IsolatedEnvironment? = nil, eventLoop: EventLoop,
         output: @escaping @Sendable (String) -> Void, onExit: @escaping @Sendable (pid_t, Int32) -> Void) throws {
        self.name = name
        signalsGoToChild = isolated?.hasNamespace ?? false
        // Close-on-exec before any other thread can spawn (see `Spawning`).
        guard let (readEnd, writeEnd) = Spawning.pipe() else { throw RunnerError.cannotStart(name, String(cString: strerror(errno))) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)
        posix_spawn_file_actions_addclose(&actions, readEnd)
        posix_spawn_file_actions_addclose(&actions, writeEnd)
        // Nothing else of the runner's: its listening sockets, its event loops, other environments'
        // pipes and cgroup files stay out of the function's reach.
        lambda_async_spawn_close_from(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A new process group (pgid = pid), default signal handlers, nothing blocked.
        posix_spawnattr_setpgroup(&attributes, 0)
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        // Start in `directory` through a shell that execs the command: same pid, same group.
        let command = isolated?.command(arguments, directory: directory) ?? ["/bin/sh", "-c", "\(LambdaImage.limits) cd \"$0\" && exec \"$@\"", directory] + arguments
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child = pid_t()
        let status = Spawning.locked { posix_spawn(&child, "/bin/sh", &actions, &attributes, argv, envp) }
        close(writeEnd)
        guard status == 0 else {
            close(readEnd)
            throw RunnerError.cannotStart(name, "\(arguments[0]): \(String(cString: strerror(status)))")
        }
        pid = child
        let spawned = child
        let exit = eventLoop.makePromise(of: Void.self)
        exited = exit.futureResult
        let end = eventLoop.makePromise(of: Void.self)
        drained = end.futureResult

        // Reads lines until the pipe closes (every holder of its write end has exited).
        Thread.detachNewThread {
            defer { close(readEnd) }
            var lines = LineSplitter()
            while let chunk = readChunk(readEnd) { lines.append(chunk, emit: output) }
            lines.finish(emit: output)
            end.succeed(())
        }
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(spawned, &status, 0) == -1 && errno == EINTR {}
            onExit(spawned, status)
            exit.succeed(())
        }
    }

    /// The pid of the code itself: the launcher's child in an isolated environment (looked up once).
    var codePid: pid_t? {
        foundCodePid.withLockedValue { found in
            if found == nil { found = IsolatedEnvironment.innerPid(of: pid) }
            return found
        }
    }

    /// Signals the whole process group; children of an exited leader may still hold it. In an
    /// isolated environment, only the code's process: the launcher passes no signal on.
    func signal(_ signal: Int32) {
        if signalsGoToChild {
            if let child = codePid { _ = Glibc.kill(child, signal) }
            return
        }
        _ = Glibc.kill(-pid, signal)
    }

    func freeze() { signal(SIGSTOP) }
    func thaw() { signal(SIGCONT) }

    /// SIGKILL to the group; a stopped group is continued first so the kill is delivered at once.
    func kill() {
        if signalsGoToChild { signal(SIGKILL) }
        _ = Glibc.kill(-pid, SIGKILL)
        _ = Glibc.kill(-pid, SIGCONT)
    }

    /// Peak resident memory of the process (VmHWM), in kB; 0 when it is gone.
    var peakMemoryKB: Int {
        let measured = signalsGoToChild ? (codePid ?? pid) : pid
        guard let status = KernelFile.read("/proc/\(measured)/status"),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }

    /// "exit status 1" or "signal: killed", as Lambda words it.
    static func describe(_ status: Int32) -> String {
        let signalNumber = status & 0x7F
        if signalNumber == 0 { return "exit status \((status >> 8) & 0xFF)" }
        let names: [Int32: String] = [SIGKILL: "killed", SIGTERM: "terminated", SIGSEGV: "segmentation fault", SIGABRT: "aborted"]
        return "signal: \(names[signalNumber] ?? "\(signalNumber)")"
    }
}
