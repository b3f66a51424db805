import Foundation
import NIOHTTP1

/// Durable functions (`DurableConfig`, December 2025) are not run locally yet: invoking one starts a
/// durable execution on Lambda, whose checkpoints, replays and callbacks the runner does not serve. Rather
/// than run the handler as a plain function (which would pass locally what the durable SDK does on
/// Lambda differently) or answer the SDK's calls with a bare 404, every door says so, with what to do.
extension LocalLambda {
    public static func durableNotServed(_ name: String?) -> String {
        (name.map { "\($0) is a durable function (DurableConfig): " } ?? "")
            + "lambda-async does not run durable executions yet (their checkpoints, replays, waits and callbacks: the Lambda API's "
            + "/2025-12-01/durable-executions... operations); try it with the Durable Execution SDK's own testing runner "
            + "(aws-durable-execution-sdk-python-testing), or deploy it"
    }

    /// Answers a call to a durable function, or to the durable-execution APIs, with the reason; true when it did.
    func refusedAsDurable(_ name: String?, _ writer: ResponseWriter) -> Bool {
        if let name, functions[name]?.durable != true { return false }
        refuse(writer, .badRequest, "DurableExecutionNotServedLocally", Self.durableNotServed(name))
        return true
    }

    /// Whether `name` is a durable function of this project.
    public func isDurable(_ name: String) -> Bool { functions[name]?.durable == true }
}
