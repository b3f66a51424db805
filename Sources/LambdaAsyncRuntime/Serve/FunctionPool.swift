import Foundation

/// The execution environments of one function: warm ones are reused, a request beyond the busy
/// ones starts another (with its own cold start) up to `concurrency`, and the rest wait their turn.
actor FunctionPool {
    let config: FunctionConfig
    let concurrency: Int
    private let options: Sandbox.Options
    private var all: [Sandbox] = []
    private var idle: [Sandbox] = []
    private var waiters: [CheckedContinuation<Sandbox, Error>] = []
    /// Sandboxes started before the code last changed; each is recycled once it is free.
    private var stale: Set<ObjectIdentifier> = []
    /// After shutdown nothing starts: no new environment, no waiting.
    private var stopped = false

    init(config: FunctionConfig, concurrency: Int, options: Sandbox.Options) {
        self.config = config
        self.concurrency = max(1, concurrency)
        self.options = options
    }

    func invoke(_ payload: [UInt8], extras: Sandbox.InvocationExtras = Sandbox.InvocationExtras(),
                onResponse: @escaping @Sendable (ResponseEvent) -> Void) async throws -> InvocationRecord {
        let sandbox = try await acquire()
        defer { release(sandbox) }
        do {
            let record = try await sandbox.invoke(payload, extras: extras, onResponse: onResponse)
            await recycleIfStale(sandbox)
            return record
        } catch {
            await recycleIfStale(sandbox)
            throw error
        }
    }

    private func recycleIfStale(_ sandbox: Sandbox) async {
        if stale.remove(ObjectIdentifier(sandbox)) != nil { await sandbox.recycle() }
    }

    /// The code changed: every environment shuts down (SHUTDOWN `spindown`) as soon as it is free,
    /// so the next invocation of each starts cold from a fresh copy, as after a deployment.
    func codeChanged() async {
        // Free ones are taken out of `idle` while they shut down, so no request lands in one meanwhile.
        let free = idle
        idle = []
        stale = Set(all.map(ObjectIdentifier.init)).subtracting(free.map(ObjectIdentifier.init))
        for sandbox in free {
            await sandbox.recycle()
            release(sandbox)
        }
    }

    private func acquire() async throws -> Sandbox {
        if stopped { throw RunnerError.stopped }
        if let sandbox = idle.popLast() { return sandbox }
        if all.count < concurrency {
            let sandbox = try Sandbox(config: config, options: options)
            all.append(sandbox)
            return sandbox
        }
        return try await withCheckedThrowingContinuation { waiters.append($0) }
    }

    private func release(_ sandbox: Sandbox) {
        if waiters.isEmpty {
            idle.append(sandbox)
        } else {
            waiters.removeFirst().resume(returning: sandbox)
        }
    }

    func shutdown() async {
        stopped = true
        for waiter in waiters { waiter.resume(throwing: RunnerError.stopped) }
        waiters = []
        for sandbox in all { await sandbox.shutdown() }
        all = []
        idle = []
    }
}
