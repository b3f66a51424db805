import Foundation
import LambdaAsyncCore
import NIOCore
import NIOPosix
import NIOHTTP1
#if canImport(Glibc)
import Glibc
#endif

/// A cold start: the environment made, its files, the external extensions, then the runtime; init
/// ends when each has asked for its next event, within Lambda's 10 s.
extension Sandbox {
    // MARK: Init

    /// Init ran past its limit (10 s, or the function's timeout when retried inside an invocation).
    struct InitTimedOut: Error {}

    func coldStart(limitMs: Int64) -> EventLoopFuture<Void> {
        guard lifecycle.state != .shutDown else {
            initFailure = InitFailure(type: "Sandbox.Stopped", body: Array(Self.errorJSON("Sandbox.Stopped", "the local runner stopped before this invocation started")))
            return eventLoop.makeFailedFuture(RunnerError.cannotStart(config.name, "the sandbox was shut down"))
        }
        let promise = eventLoop.makePromise(of: Void.self)
        move(.coldStart(PendingInit(promise: promise)))
        telemetry.initPhase(true)
        telemetry.record("platform.initStart", ["initializationType": "on-demand", "phase": "init",
                                                "functionName": config.name, "functionVersion": "$LATEST"])
        initFailure = nil
        initDurationMs = nil
        extensions.startOver()
        processes.startOver()
        initStart = now()
        // The files and the namespace take tens of milliseconds of disk and process work: off the
        // event loop, which other sandboxes share. Then the processes start, back on the loop.
        NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) { [self] in try makeEnvironment() }.whenComplete { [self] result in
            guard pendingInit?.promise.futureResult === promise.futureResult else {
                // Stopped meanwhile: the caller was answered; what was made goes.
                if case .success(let environment) = result { environment?.teardown() }
                return
            }
            do {
                let environment = try result.get()
                processes.adopt(environment)
                telemetry.network = environment?.network
                if let cgroup = environment?.cgroup { reaper?.watch(cgroup) }
                // Init Duration starts with the first process, as Lambda's excludes making the environment.
                initStart = now()
                try startExternalExtensions()
                if extensions.expected.isEmpty { try startRuntime() }
            } catch {
                // Said here: the caller gets only Lambda's error type.
                options.log("\(config.name): the environment could not start: \(error)")
                failInit(type: "Runtime.InvalidEntrypoint", message: "\(error)", error: error)
                return
            }
            // Lambda gives init 10 seconds.
            let timer = eventLoop.scheduleTask(in: .milliseconds(limitMs)) { [self] in
                failInit(type: "Sandbox.Timedout", message: String(format: "Task timed out after %.2f seconds", Double(limitMs) / 1000),
                         error: InitTimedOut())
            }
            lifecycle.updatePendingInit { $0.timer = timer }
        }
        return promise.futureResult
    }

    /// The environment's files and, with isolation, its namespace and cgroup. Reads only what does
    /// not change after init (config, paths, support), so it may run off the event loop.
    func makeEnvironment() throws -> IsolatedEnvironment? {
        try Self.makeEnvironment(config, root: root, interpreter: interpreter, support: isolationSupport,
                                 router: self, eventLoop: eventLoop, label: config.name)
    }

    /// An environment's files under `root` and, with `support`, its namespace and cgroup; in an
    /// environment's own network, `router`'s APIs at 127.0.0.1:9001, as on Lambda, and the local AWS
    /// endpoints the function was given, forwarded from the same ports to the host's loopback. Shared by
    /// the Sandbox and Managed Instances' environments.
    static func makeEnvironment(_ config: FunctionConfig, root: URL, interpreter: String?, support: IsolationSupport?,
                                router: APIRouter, eventLoop: EventLoop, label: String) throws -> IsolatedEnvironment? {
        try prepareFiles(config, root: root, isolated: support != nil, namespaces: support?.namespaces == true)
        guard let support else { return nil }
        let settings = IsolatedEnvironment.Settings(
            root: root, task: root.appendingPathComponent("task"), opt: root.appendingPathComponent("opt"),
            runtimeDir: root.appendingPathComponent("runtime"),
            nodeModules: config.runtime.family == .node ? root.appendingPathComponent("node_modules") : nil,
            nodeSDK: config.runtime.family == .node ? NodeSDK.installed : nil,
            interpreter: interpreter, isPython: config.runtime.family == .python, memoryMB: config.memoryMB,
            ephemeralStorageMB: config.ephemeralStorageMB, name: "\(label)-\(UUID().uuidString.prefix(8).lowercased())")
        let environment = try IsolatedEnvironment(settings: settings, support: support)
        if let network = environment.network {
            do {
                environment.serve(try APIServer.start(router: router, group: eventLoop, inside: network))
                for (port, host) in localEndpoints(of: config) where port != EnvironmentNetwork.runtimeAPIPort {
                    let socket = try network.listen(port: port)
                    environment.serve(try PortForwarder.start(listening: socket, to: try SocketAddress(ipAddress: host, port: port), eventLoop: eventLoop))
                }
            } catch {
                environment.teardown()
                throw error
            }
        }
        return environment
    }

    /// The AWS endpoints on this machine's loopback the function was given (`AWS_ENDPOINT_URL` and
    /// `AWS_ENDPOINT_URL_<SERVICE>`: serve's Invoke API, --aws-endpoint-url): port and host address.
    static func localEndpoints(of config: FunctionConfig) -> [(port: Int, host: String)] {
        var found: [Int: String] = [:]
        for (key, value) in config.environment where key.hasPrefix("AWS_ENDPOINT_URL") {
            guard let url = URLComponents(string: value), let host = url.host?.trimmingCharacters(in: CharacterSet(charactersIn: "[]")) else { continue }
            let address: String
            switch host.lowercased() {
            case "localhost": address = "127.0.0.1"
            case "::1": address = "::1"
            case let ipv4 where ipv4.hasPrefix("127."): address = ipv4
            default: continue
            }
            found[url.port ?? (url.scheme?.lowercased() == "https" ? 443 : 80)] = address
        }
        return found.sorted { $0.key < $1.key }.map { (port: $0.key, host: $0.value) }
    }

    /// An environment's files under `root`: the code in task/, the layers merged into opt/, the runtime
    /// clients in runtime/, the SDK stand-ins (or the machine's real SDK for JavaScript) in node_modules/.
    static func prepareFiles(_ config: FunctionConfig, root: URL, isolated: Bool, namespaces: Bool) throws {
        let manager = FileManager.default
        let taskRoot = root.appendingPathComponent("task"), optRoot = root.appendingPathComponent("opt")
        let runtimeDir = root.appendingPathComponent("runtime")
        let (code, layers) = try config.shipped?() ?? (config.code, config.layers)
        try? manager.removeItem(at: root)
        try manager.createDirectory(at: root, withIntermediateDirectories: true)
        try manager.copyItem(at: code, to: taskRoot)
        try manager.createDirectory(at: optRoot, withIntermediateDirectories: true)
        for layer in layers {
            try merge(layer, into: optRoot)
        }
        try RuntimeClients.install(into: runtimeDir, modules: root)
        if config.runtime.family == .node, let sdk = NodeSDK.installed {
            // The machine's real AWS SDK for JavaScript over the stand-ins: inside an isolated environment
            // it is mounted where Lambda has it (/var/runtime/node_modules), on the host it is used in place.
            if isolated {
                try manager.createDirectory(at: runtimeDir.appendingPathComponent("node_modules"), withIntermediateDirectories: true)
            }
            try NodeSDK.link(sdk, into: root.appendingPathComponent("node_modules"), seenAt: isolated ? NodeSDK.insidePath : sdk.path)
        }
        // Lambda's user owns nothing it could write: the code's folder is read-only, so a write fails
        // with EROFS (not EACCES) as on Lambda, where the code's filesystem is read-only.
        if namespaces { try chownTree(taskRoot, to: LambdaImage.user) }
    }

    static func chownTree(_ folder: URL, to user: (name: String, uid: Int, gid: Int)) throws {
        let uid = uid_t(user.uid), gid = gid_t(user.gid)
        _ = lchown(folder.path, uid, gid)
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return }
        while let relative = walker.nextObject() as? String {
            _ = lchown(folder.path + "/" + relative, uid, gid)
        }
    }

    static func merge(_ source: URL, into destination: URL) throws {
        let manager = FileManager.default
        for name in try manager.contentsOfDirectory(atPath: source.path) {
            let from = source.appendingPathComponent(name), to = destination.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            if manager.fileExists(atPath: to.path, isDirectory: &isDirectory), isDirectory.boolValue,
               (try? manager.destinationOfSymbolicLink(atPath: from.path)) == nil,
               (try? from.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true {
                try merge(from, into: to)
            } else {
                try? manager.removeItem(at: to)
                try manager.copyItem(at: from, to: to)
            }
        }
    }

    func startExternalExtensions() throws {
        let folder = optRoot.appendingPathComponent("extensions")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        extensions.expected = []
        for name in names {
            let path = folder.appendingPathComponent(name).path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            extensions.expected.insert(name)
            let process = try SandboxProcess(name: name, arguments: ["\(insideOpt)/extensions/\(name)"], environment: environment(forExtension: true),
                                             directory: insideOpt, in: isolated, eventLoop: eventLoop, output: logger(type: "extension")) { [weak self] pid, status in
                guard let self else { return }
                eventLoop.execute { self.processExited(pid: pid, name: name, status: status, isRuntime: false) }
            }
            reaper?.watch(process.pid)
            processes.started(external: process)
        }
    }

    func startRuntime() throws {
        var command: [String]
        switch config.runtime.family {
        case .provided:
            let bootstrap = taskRoot.appendingPathComponent("bootstrap")
            guard FileManager.default.isExecutableFile(atPath: bootstrap.path) else {
                throw RunnerError.cannotStart("bootstrap", "\(config.runtime.identifier) needs an executable bootstrap at the root of the code")
            }
            command = [insideTask + "/bootstrap"]
        case .python, .node:
            let client = config.runtime.family == .python ? "python_ric.py" : "node_ric.mjs"
            command = [isolated?.interpreter ?? interpreter ?? "", insideRuntimeDir + "/" + client]
        default:
            throw RunnerError.unsupportedRuntime(config.runtime.identifier)
        }
        let environment = environment(forExtension: false)
        // AWS_LAMBDA_EXEC_WRAPPER: Lambda runs the wrapper with the runtime's start command as arguments.
        if config.runtime.family != .provided, let wrapper = environment["AWS_LAMBDA_EXEC_WRAPPER"] {
            command.insert(wrapper, at: 0)
        }
        let process = try SandboxProcess(name: "runtime", arguments: command, environment: environment, directory: insideTask,
                                         in: isolated, eventLoop: eventLoop, output: logger(type: "function")) { [weak self] pid, status in
            guard let self else { return }
            eventLoop.execute { self.processExited(pid: pid, name: "runtime", status: status, isRuntime: true) }
        }
        reaper?.watch(process.pid)
        processes.started(runtime: process)
    }

    /// Log lines go to the user and, as `function` or `extension` events, to telemetry subscribers.
    func logger(type: String) -> @Sendable (String) -> Void {
        let log = options.log, output = options.onOutput
        return { [weak self] line in
            log(line)
            output?(line)
            guard let self else { return }
            eventLoop.execute {
                self.telemetry.record(type, line)
                if let invocation = self.current ?? self.tailing, invocation.extras.tailLog { invocation.log.append(line) }
            }
        }
    }

    func checkInitComplete() {
        guard let pending = pendingInit, pending.runtimeAsked, extensions.allReady else { return }
        let duration = milliseconds(from: initStart, to: now())
        initDurationMs = duration
        telemetry.record("platform.initRuntimeDone", ["initializationType": "on-demand", "phase": "init", "status": "success"])
        telemetry.record("platform.initReport", ["initializationType": "on-demand", "phase": "init", "status": "success",
                                                 "metrics": ["durationMs": duration]])
        telemetry.initPhase(false)
        move(.initSucceeded)
        pending.succeed()
    }

    func failInit(_ invocation: Invocation) {
        let failure = initFailure ?? InitFailure(type: "Runtime.Unknown", body: Array(Self.errorJSON("Runtime.Unknown", "init failed")))
        invocation.onResponse(.error(type: failure.type, body: failure.body))
        let elapsed = milliseconds(from: initStart, to: now())
        let record = InvocationRecord(requestId: invocation.id, initDurationMs: elapsed, responseMs: nil, firstByteMs: nil, runtimeDoneMs: nil,
                                      extensionsDoneMs: nil, extensionDoneMs: [:], durationMs: elapsed, billedDurationMs: billed(elapsed),
                                      memorySizeMB: config.memoryMB, maxMemoryUsedMB: maxMemoryMB(), frozen: false, error: failure.type,
                                      clientLatencyMs: milliseconds(from: invocation.clientStart, to: now()))
        reset(reason: "failure").whenComplete { _ in invocation.done.succeed(record) }
    }
}
