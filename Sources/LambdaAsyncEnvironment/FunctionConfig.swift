import Foundation
import LambdaAsyncCore

/// What the runner needs to know about one function.
public struct FunctionConfig: Sendable {
    public var name: String
    public var runtime: LambdaRuntime
    public var handler: String
    /// The function's code: a folder, copied into the sandbox.
    public var code: URL
    /// Layer folders, merged in order into the sandbox's /opt.
    public var layers: [URL]
    public var memoryMB: Int
    public var timeoutSeconds: Double
    public var environment: [String: String]
    public var region: String
    /// The size of /tmp (`EphemeralStorage`), 512 to 10,240 MB.
    public var ephemeralStorageMB = LambdaQuotas.defaultEphemeralStorageMB
    /// `LoggingConfig: LogFormat: JSON`: the runtime client writes JSON log lines and applies
    /// `logLevel` (`ApplicationLogLevel`), as Lambda's does through AWS_LAMBDA_LOG_FORMAT/LEVEL.
    public var jsonLogs = false
    public var logLevel: String?
    /// `LoggingConfig.LogGroup`, when the function names its own.
    public var logGroup: String?
    /// What each cold start runs, when it is not `code` and `layers` as they are: the zips `package`
    /// builds, unpacked. Called at every cold start, so an edit (`serve` reloads) ships anew.
    public var shipped: (@Sendable () throws -> (code: URL, layers: [URL]))?
    /// Lambda Managed Instances (`CapacityProviderConfig`, or `--platform managed-instances`): how many
    /// invocations one environment runs at once. Nil on Lambda's default platform.
    public var managedConcurrency: Int?

    /// Managed Instances' default concurrency per environment when the template names none: per vCPU
    /// (memory / 2 GiB, the default memory-to-vCPU ratio), 16 for Python, 64 for Node.js, as AWS's
    /// runtimes pages give them.
    public var defaultManagedConcurrency: Int {
        let vCPUs = max(1, memoryMB / 2048)
        return vCPUs * (runtime.family == .node ? 64 : 16)
    }

    public init(name: String, runtime: LambdaRuntime, handler: String, code: URL, layers: [URL] = [],
                memoryMB: Int = 128, timeoutSeconds: Double = 3, environment: [String: String] = [:],
                region: String = "us-east-1") {
        self.name = name
        self.runtime = runtime
        self.handler = handler
        self.code = code
        self.layers = layers
        self.memoryMB = memoryMB
        self.timeoutSeconds = timeoutSeconds
        self.environment = environment
        self.region = region
    }

    /// The account of every ARN the runner makes up.
    package static let accountID = "000000000000"

    package var functionARN: String { "arn:aws:lambda:\(region):\(Self.accountID):function:\(name)" }
}
