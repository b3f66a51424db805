/// Lambda's limits that the catalog, the recommender and the packager rely on, in one place.
/// Sizes are in bytes; AWS's "MB" here is a mebibyte (6 MB = 6,291,456 bytes).
public enum LambdaQuotas {
    public static let mebibyte = 1_048_576
    /// Concurrent executions per account and region, Lambda's default quota.
    public static let accountConcurrentExecutions = 1_000

    /// A buffered (non-streamed) response or synchronous request payload.
    public static let bufferedPayloadBytes = 6 * mebibyte
    /// What the Runtime API takes as a buffered response: 100 bytes over 6 MiB, as Lambda's.
    public static let runtimeResponseBytes = 6_291_556
    /// The event of an asynchronous invocation (raised from 256 KB in 2025).
    public static let asyncPayloadBytes = 1 * mebibyte
    /// The legacy `InvokeAsync` API kept the old limit.
    public static let legacyInvokeAsyncPayloadBytes = 256 * 1024
    /// A streamed response (raised from 20 MB in July 2025).
    public static let streamedResponseBytes = 200 * mebibyte
    /// After this many bytes a streamed response is throttled to 2 MB/s.
    public static let streamedUnthrottledBytes = 6 * mebibyte

    /// `/tmp` (`EphemeralStorage`) when the template does not size it; 512 to 10,240 MB.
    public static let defaultEphemeralStorageMB = 512

    public static let directUploadZipBytes = 50 * mebibyte
    public static let unzippedFunctionAndLayersBytes = 250 * mebibyte
    public static let layersPerFunction = 5
    public static let environmentVariablesBytes = 4 * 1024
    public static let extensionsPerFunction = 10
    /// Processes and threads in one execution environment (Lambda's quotas page: "Processes and threads 1,024").
    public static let processesAndThreads = 1_024
    /// Open file descriptors per execution environment (the quotas page: "File descriptors 1,024").
    public static let fileDescriptors = 1_024
    public static let memoryMB: ClosedRange<Int> = 128...10_240
    public static let timeoutSeconds: ClosedRange<Int> = 1...900

    /// Async invocation: default and maximum retries of a failed event.
    public static let asyncMaximumRetryAttempts = 2
}
