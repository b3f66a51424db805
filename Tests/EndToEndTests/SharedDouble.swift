import Foundation
import TestSupport

extension MotoServer {
    /// One Tests/AWSDouble/aws_double.py for the whole test run, made at first use: a double's first
    /// deploy spends two seconds of CPU loading IAM's managed policies, the next ones almost none, and
    /// each start costs a second. It ends with the test process. Its users name their own stacks,
    /// queues and tables, so that they never meet.
    static let shared = Result {
        try MotoServer(script: Binary.repositoryRoot.appendingPathComponent("Tests/AWSDouble/aws_double.py").path,
                       environment: ["LAMBDA_ASYNC_DOUBLE_EXIT_WITH_PARENT": "1"])
    }
}
