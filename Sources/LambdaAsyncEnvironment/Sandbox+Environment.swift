import Foundation
import LambdaAsyncCore
import NIOCore
import NIOHTTP1
#if canImport(Glibc)
import Glibc
#endif

/// The environment variables a function and its extensions get.
extension Sandbox {
    /// The variables Lambda sets. Inside a namespace they are Lambda's own paths; on the host,
    /// /var/task and /opt are mapped into the scratch folder and PATH keeps the host's.
    func environment(forExtension: Bool) -> [String: String] {
        LambdaVariables(config: config, hostCredentials: options.hostCredentials, isolated: isolated, port: port, root: root,
                        task: insideTask, opt: insideOpt, runtimeDir: insideRuntimeDir, logStreamName: logStreamName)
            .environment(forExtension: forExtension)
    }

    /// `2025/01/31/[$LATEST]` and 32 hex digits, as Lambda names an environment's log stream.
    var logStreamName: String { LambdaVariables.newLogStreamName() }
}

/// The variables of one execution environment, whichever kind runs it (Sandbox, ManagedEnvironment).
struct LambdaVariables {
    let config: FunctionConfig
    let hostCredentials: Bool
    let isolated: IsolatedEnvironment?
    /// The Runtime API's port on the host's loopback (when the environment has no network of its own).
    let port: Int
    let root: URL
    /// Paths as the function sees them.
    let task: String
    let opt: String
    let runtimeDir: String
    let logStreamName: String
    /// Lambda Managed Instances: how many invocations the environment runs at once.
    var maxConcurrency: Int? = nil

    func environment(forExtension: Bool) -> [String: String] {
        let host = ProcessInfo.processInfo.environment
        let isolatedFS = isolated?.hasNamespace == true
        let insideRuntimeDir = runtimeDir
        var env: [String: String] = [
            // Inside its own network, an environment's APIs are where Lambda has them.
            "AWS_LAMBDA_RUNTIME_API": isolated?.network != nil ? "127.0.0.1:\(EnvironmentNetwork.runtimeAPIPort)" : "127.0.0.1:\(port)",
            "AWS_LAMBDA_FUNCTION_NAME": config.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": String(config.memoryMB),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": config.region,
            "AWS_DEFAULT_REGION": config.region,
            "LAMBDA_RUNTIME_DIR": insideRuntimeDir,
            "TZ": ":UTC",
            "LANG": "en_US.UTF-8",
            "PATH": isolatedFS ? LambdaImage.path : "\(opt)/bin:" + (host["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"),
            "LD_LIBRARY_PATH": isolatedFS ? LambdaImage.libraryPath : "\(task):\(task)/lib:\(opt)/lib",
        ]
        // As Lambda, the function always has credentials: this shell's only when asked for
        // (--aws-credentials); otherwise placeholders, so a local run never acts on a real account.
        if hostCredentials {
            for key in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] { env[key] = host[key] }
        } else {
            env["AWS_ACCESS_KEY_ID"] = "LOCALLAMBDAASYNC"
            env["AWS_SECRET_ACCESS_KEY"] = "local-placeholder-not-a-real-secret"
        }
        // Lambda sets no HOME; on the host, tools that need one keep the user's.
        if !isolatedFS { env["HOME"] = host["HOME"] }
        if !forExtension {
            env["_HANDLER"] = config.handler
            env["LAMBDA_TASK_ROOT"] = task
            env["AWS_LAMBDA_LOG_GROUP_NAME"] = config.logGroup ?? "/aws/lambda/\(config.name)"
            // LoggingConfig: the runtime clients (Lambda's and ours) format and filter by these.
            if config.jsonLogs {
                env["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
                env["AWS_LAMBDA_LOG_LEVEL"] = (config.logLevel ?? "INFO").uppercased()
            }
            env["AWS_LAMBDA_LOG_STREAM_NAME"] = logStreamName
            if config.runtime.family != .provided { env["AWS_EXECUTION_ENV"] = "AWS_Lambda_\(config.runtime.identifier)" }
            switch config.runtime.family {
            case .python:
                let version = config.runtime.pythonVersion ?? "3"
                var paths = ["\(opt)/python/lib/python\(version)/site-packages", "\(opt)/python"]
                if let sdk = isolated?.pythonSDKFolder { paths.append(sdk) }
                paths.append(insideRuntimeDir)
                env["PYTHONPATH"] = paths.joined(separator: ":")
                env["PYTHONUNBUFFERED"] = "1"
                // The host's user site (~/.local) is not Lambda's.
                env["PYTHONNOUSERSITE"] = "1"
            case .node:
                let major = config.runtime.identifier.dropFirst("nodejs".count).prefix { $0.isNumber }
                env["NODE_PATH"] = "\(opt)/nodejs/node\(major)/node_modules:\(opt)/nodejs/node_modules:\(insideRuntimeDir)/node_modules:\(insideRuntimeDir):\(task)"
            default:
                break
            }
        }
        if forExtension, config.runtime.family == .node {
            // An extension written in Node.js that loads the AWS SDK the runtime ships resolves it
            // from /var/runtime/node_modules on Lambda; here the SDK stand-ins are in the folder above
            // the code, which an extension under /opt cannot reach by walking up.
            env["NODE_PATH"] = isolatedFS ? "/var/node_modules" : root.appendingPathComponent("node_modules").path
        }
        for (key, value) in config.environment {
            env[key] = isolatedFS ? value : value.replacingOccurrences(of: "/var/task", with: task, options: .anchored)
                .replacingOccurrences(of: "/opt", with: opt, options: .anchored)
        }
        if let maxConcurrency {
            // Managed Instances, as AWS's emulator sets them in that mode.
            env["AWS_LAMBDA_MAX_CONCURRENCY"] = String(maxConcurrency)
            env["AWS_LAMBDA_INITIALIZATION_TYPE"] = "lambda-managed-instances"
        }
        return env
    }

    /// `2025/01/31/[$LATEST]` and 32 hex digits, as Lambda names an environment's log stream.
    static func newLogStreamName() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy/MM/dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return "\(formatter.string(from: Date()))/[$LATEST]\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
    }
}
