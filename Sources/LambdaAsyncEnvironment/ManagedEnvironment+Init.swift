import Foundation
import LambdaAsyncCore
import NIOCore
import NIOPosix

/// A Managed Instances environment's init: its files and namespace, the external extensions, then one
/// runtime process (whose client starts the workers); init ends when a worker and every extension asked
/// for their next event.
extension ManagedEnvironment {
    func coldStart() -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        initPromise = promise
        initFailure = nil
        runtimeAsked = false
        initReported = false
        extensions = [:]
        extensionsReady = []
        processes.startOver()
        NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) { [self] in try makeEnvironment() }.whenComplete { [self] result in
            do {
                let environment = try result.get()
                processes.adopt(environment)
                if let cgroup = environment?.cgroup { reaper?.watch(cgroup) }
                initStart = now()
                try startExternalExtensions()
                if expectedExtensions.isEmpty { try startRuntime() }
            } catch {
                options.log("\(config.name): the environment could not start: \(error)")
                initFailure = (type: "Runtime.InvalidEntrypoint", body: Array(Sandbox.errorJSON("Runtime.InvalidEntrypoint", "\(error)")))
                initPromise = nil
                promise.fail(error)
            }
        }
        // Init on Managed Instances may take the longer of 130 s and the function's timeout.
        let limit = max(130, config.timeoutSeconds)
        let timer = eventLoop.scheduleTask(in: .milliseconds(Int64(limit * 1000))) { [self] in
            guard initPromise?.futureResult === promise.futureResult else { return }
            initFailure = (type: "Sandbox.Timedout", body: Array(Sandbox.errorJSON("Sandbox.Timedout", String(format: "Init timed out after %.0f seconds", limit))))
            initPromise = nil
            promise.fail(RunnerError.cannotStart(config.name, "init timed out"))
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        return promise.futureResult
    }

    func makeEnvironment() throws -> IsolatedEnvironment? {
        try Sandbox.makeEnvironment(config, root: root, interpreter: interpreter, support: isolationSupport,
                                    router: self, eventLoop: eventLoop, label: "\(config.name)-mi")
    }

    func variables(forExtension: Bool) -> [String: String] {
        let namespace = processes.hasNamespace
        var variables = LambdaVariables(config: config, hostCredentials: options.hostCredentials, isolated: processes.isolated, port: port, root: root,
                                        task: namespace ? LambdaImage.taskRoot : taskRoot.path,
                                        opt: namespace ? LambdaImage.layersDir : optRoot.path,
                                        runtimeDir: namespace ? LambdaImage.runtimeDir : runtimeDir.path,
                                        logStreamName: LambdaVariables.newLogStreamName())
        variables.maxConcurrency = maxConcurrency
        return variables.environment(forExtension: forExtension)
    }

    func startExternalExtensions() throws {
        let folder = optRoot.appendingPathComponent("extensions")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        expectedExtensions = []
        let opt = processes.hasNamespace ? LambdaImage.layersDir : optRoot.path
        for name in names {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            expectedExtensions.insert(name)
            let process = try SandboxProcess(name: name, arguments: ["\(opt)/extensions/\(name)"], environment: variables(forExtension: true),
                                             directory: opt, in: processes.isolated, eventLoop: eventLoop, output: options.log) { [weak self] _, status in
                guard let self else { return }
                eventLoop.execute { self.exited(name: name, status: status, isRuntime: false) }
            }
            reaper?.watch(process.pid)
            processes.started(external: process)
        }
    }

    func startRuntime() throws {
        let namespace = processes.hasNamespace
        let task = namespace ? LambdaImage.taskRoot : taskRoot.path
        var command: [String]
        switch config.runtime.family {
        case .provided:
            guard FileManager.default.isExecutableFile(atPath: taskRoot.appendingPathComponent("bootstrap").path) else {
                throw RunnerError.cannotStart("bootstrap", "\(config.runtime.identifier) needs an executable bootstrap at the root of the code")
            }
            command = [task + "/bootstrap"]
        default:
            let client = config.runtime.family == .python ? "python_ric.py" : "node_ric.mjs"
            command = [processes.isolated?.interpreter ?? interpreter ?? "", (namespace ? LambdaImage.runtimeDir : runtimeDir.path) + "/" + client]
        }
        let environment = variables(forExtension: false)
        if config.runtime.family != .provided, let wrapper = environment["AWS_LAMBDA_EXEC_WRAPPER"] { command.insert(wrapper, at: 0) }
        let process = try SandboxProcess(name: "runtime", arguments: command, environment: environment, directory: task,
                                         in: processes.isolated, eventLoop: eventLoop, output: options.log) { [weak self] _, status in
            guard let self else { return }
            eventLoop.execute { self.exited(name: "runtime", status: status, isRuntime: true) }
        }
        reaper?.watch(process.pid)
        processes.started(runtime: process)
    }

    func exited(name: String, status: Int32, isRuntime: Bool) {
        guard !isShutDown, started != nil else { return }
        // An exit ends the environment: an extension's, as on Managed Instances; the runtime's, with its
        // workers (a worker's own crash inside a Python runtime leaves the others serving).
        options.log("\(config.name): \(name) exited (status \(status)): the environment ends; the next invocation starts cold")
        if let initPromise {
            initFailure = initFailure ?? (type: "Runtime.ExitError", body: Array(Sandbox.errorJSON("Runtime.ExitError", "\(name) exited during init")))
            self.initPromise = nil
            initPromise.fail(RunnerError.cannotStart(config.name, "\(name) exited during init"))
            return
        }
        _ = reset(reason: "failure")
    }

    func checkInitComplete() {
        guard let promise = initPromise, runtimeAsked, expectedExtensions.isSubset(of: extensionsReady) else { return }
        initDurationMs = milliseconds(from: initStart, to: now())
        initPromise = nil
        promise.succeed(())
    }
}
