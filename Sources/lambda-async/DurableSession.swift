import Foundation
import LambdaAsyncCore
import LambdaAsyncResources
import LambdaAsyncService

/// The durable executions of a project with durable functions, for `serve` and `invoke`: their control
/// plane started behind the runner's own port, kept in the project's `.lambda-async/durable/`, and
/// stopped at the end (what is running stays on disk and goes on at the next start).
struct DurableSession {
    let plane: DurableControlPlane?
    let startLine: String?

    /// `kept`: serve's store, in the project, resumed at the next start; else `invoke`'s, in its scratch
    /// folder, gone with the run.
    static func start(lambda: LocalLambda, store: URL, kept: Bool, log: (String) -> Void) async -> DurableSession {
        guard lambda.hasDurableFunctions else { return DurableSession(plane: nil, startLine: nil) }
        let durable = lambda.durableSettings.compactMap { $0.value == nil ? nil : $0.key }.sorted()
        do {
            let plane = try DurableControlPlane(lambdaEndpoint: "http://127.0.0.1:\(lambda.port)", store: store, functions: lambda.durableSettings)
            try await plane.ready()
            lambda.serveDurableExecutions(with: plane)
            return DurableSession(plane: plane, startLine: kept
                ? "durable executions of \(durable.joined(separator: ", ")): kept in \(DisplayPath.relative(store.path)) "
                    + "(a restart resumes them); history, callbacks and stop through the Lambda API at this port"
                : "durable executions of \(durable.joined(separator: ", ")): this run's only, followed to their end (serve keeps them across restarts)")
        } catch {
            log("note: durable executions are not served: \(error); calls to \(durable.joined(separator: ", ")) are refused")
            return DurableSession(plane: nil, startLine: nil)
        }
    }

    func finish() {
        plane?.stop()
    }
}
