import Foundation
import LambdaAsyncCore

/// Facts about Lambda's execution environment that the isolated sandbox reproduces, in one place.
/// Sources: the Lambda developer guide ("Defined runtime environment variables", "Lambda execution
/// environment"), and what a function printing its environment sees on Amazon Linux 2023 runtimes.
enum LambdaImage {
    /// The shell words that give a function's process Lambda's descriptor limit (1,024), whatever the
    /// runner's own (serve raises its own to serve many clients). Best effort: a lower hard limit stays.
    static let limits = "ulimit -n \(LambdaQuotas.fileDescriptors) 2>/dev/null;"

    /// Where things are inside an environment.
    static let taskRoot = "/var/task"
    static let runtimeDir = "/var/runtime"
    static let langDir = "/var/lang"
    static let layersDir = "/opt"
    static let tmpDir = "/tmp"

    /// `PATH` exactly as Lambda sets it (the `/usr/bin/` trailing slash is Lambda's).
    static let path = "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin"
    /// `LD_LIBRARY_PATH` as Lambda sets it: the code's `lib/` and the layers' `lib/` included.
    static let libraryPath = "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib"

    /// Lambda runs functions as an unprivileged user (`sbx_user1051`, uid 993, gid 990).
    static let user = (name: "sbx_user1051", uid: 993, gid: 990)

    /// What the managed Python runtimes bundle besides the standard library: the AWS SDK for Python
    /// and its dependencies, and the Durable Execution SDK, by importable name and by distribution name
    /// (`*.dist-info`), when the host's Python has them.
    static let pythonSDK: [(module: String, distribution: String)] = [
        ("boto3", "boto3"), ("botocore", "botocore"), ("s3transfer", "s3transfer"), ("jmespath", "jmespath"),
        ("dateutil", "python_dateutil"), ("urllib3", "urllib3"), ("six.py", "six"),
        // Lambda's Python runtimes include the Durable Execution SDK (durable-supported-runtimes).
        ("aws_durable_execution_sdk_python", "aws_durable_execution_sdk_python"),
    ]

    /// Lambda gives init 10 seconds; an init that runs over is tried again inside the first
    /// invocation, with the function's timeout.
    static let initLimitSeconds: Int64 = 10
}
