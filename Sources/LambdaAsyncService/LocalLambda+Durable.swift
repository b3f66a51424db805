import Foundation
import LambdaAsyncCore
import LambdaAsyncEnvironment
import NIOHTTP1

/// Where durable executions live: their control plane (the Durable Execution SDK's testing runner,
/// started by the CLI), reached only through serve.
public protocol DurableBackend: Sendable {
    /// One durable-execution API call (`/2025-12-01/...`), as the caller sent it.
    func forward(method: String, path: String, headers: [(String, String)], body: [UInt8]) async throws -> DurableBackendResponse
    /// Starts an execution of `function`, or finds the one a start with the same `name` made.
    func start(function: String, settings: DurableSettings, name: String?, payload: [UInt8], tenantId: String?) async throws -> DurableStart
}

public struct DurableBackendResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    public init(status: Int, headers: [(String, String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

public enum DurableStart: Sendable {
    case started(arn: String)
    /// A start with a name already used and the same input: the same execution (Lambda's idempotency).
    case existing(arn: String)
    /// The name was used with another input: `DurableExecutionAlreadyStartedException`.
    case conflict(String)
}

/// Durable functions (`DurableConfig`, December 2025): an Invoke API call starts a durable execution,
/// whose replays come back as invocations marked by the control plane; the SDK's own calls
/// (checkpoint, state) and the caller's (history, callbacks, stop, list) are forwarded to it.
extension LocalLambda {
    /// The header the control plane puts on a handler (replay) invocation: run the handler once with
    /// the durable invocation input it carries, rather than start another execution.
    static let handlerInvocationHeader = "X-Dex-Handler-Invoke"

    public static func durableNotServed(_ name: String?) -> String {
        (name.map { "\($0) is a durable function (DurableConfig): " } ?? "")
            + "lambda-async runs durable executions with the Durable Execution SDK's testing package, which is not installed here "
            + "(pip install aws-durable-execution-sdk-python-testing, then start serve again)"
    }

    /// Serves durable executions from now on (set once, after the server knows its port).
    public func serveDurableExecutions(with backend: DurableBackend) {
        durableBackend.withLock { $0 = backend }
    }

    /// Answers a call to a durable function, or to the durable-execution APIs, with the reason when
    /// there is no control plane; true when it did.
    func refusedAsDurable(_ name: String?, _ writer: ResponseWriter) -> Bool {
        if let name, functions[name]?.durable == nil { return false }
        guard durableBackend.current == nil else { return false }
        refuse(writer, .badRequest, "DurableExecutionNotServedLocally", Self.durableNotServed(name))
        return true
    }

    /// A durable function through another door than Invoke (response streaming, the legacy InvokeAsync,
    /// a function URL): refused, said why; true when it did.
    func refusedAsDurableElsewhere(_ name: String, door: String, _ writer: ResponseWriter) -> Bool {
        guard isDurable(name) else { return false }
        if refusedAsDurable(name, writer) { return true }
        refuse(writer, .badRequest, "InvalidParameterValueException", Self.durableOnlyThroughInvoke(name, door: door))
        return true
    }

    public static func durableOnlyThroughInvoke(_ name: String, door: String) -> String {
        "\(name) is a durable function (DurableConfig): lambda-async starts its executions through the Invoke API only "
            + "(RequestResponse or Event, with X-Amz-Durable-Execution-Name for an idempotent start), not through \(door)"
    }

    /// Whether `name` is a durable function of this project.
    public func isDurable(_ name: String) -> Bool { functions[name]?.durable != nil }

    /// Whether this project has a durable function.
    public var hasDurableFunctions: Bool { functions.values.contains { $0.durable != nil } }

    /// Each function's `DurableConfig` (nil for a plain function), for the control plane's chained invokes.
    public var durableSettings: [String: DurableSettings?] {
        functions.mapValues { $0.durable }
    }

    /// `/2025-12-01/...`: forwarded as it came; the answer as the control plane gave it.
    func durableAPI(method: HTTPMethod, uri: String, headers: HTTPHeaders, body: [UInt8], writer: ResponseWriter) {
        guard let backend = durableBackend.current else {
            return refuse(writer, .badRequest, "DurableExecutionNotServedLocally", Self.durableNotServed(nil))
        }
        let fields = headers.map { ($0.name, $0.value) }
        Task {
            do {
                let answer = try await backend.forward(method: method.rawValue, path: uri, headers: fields, body: body)
                writer.send(answer.status, answer.headers, answer.body)
            } catch {
                refuse(writer, .internalServerError, "ServiceException", "the durable executions' control plane did not answer: \(error)")
            }
        }
    }

    /// An Invoke of a durable function by a caller: starts (or finds) the execution; `Event` answers 202
    /// at once, `RequestResponse` when the execution ends (for at most 15 minutes, Lambda's limit for a
    /// synchronous start), both with `X-Amz-Durable-Execution-Arn`.
    func startDurableExecution(_ name: String, headers: HTTPHeaders, body: [UInt8], writer: ResponseWriter) {
        guard let backend = durableBackend.current, let settings = functions[name]?.durable else {
            return refuse(writer, .badRequest, "DurableExecutionNotServedLocally", Self.durableNotServed(name))
        }
        let request: InvokeRequest
        switch InvokeRequest.parse(headers: headers, body: body) {
        case .failure(let error):
            return writer.send(Int(error.response.status.code), error.response.headers, error.response.body)
        case .success(let parsed):
            request = parsed
        }
        if case .dryRun = request { return writer.send(204, [], []) }
        // An execution's start is an asynchronous event's size at most, however it is invoked.
        guard body.count <= LambdaQuotas.asyncPayloadBytes else {
            return refuse(writer, .payloadTooLarge, "RequestTooLargeException",
                          "Request must be smaller than \(LambdaQuotas.asyncPayloadBytes) bytes for a durable execution's input")
        }
        let executionName = headers.first(name: "X-Amz-Durable-Execution-Name")
        if let executionName, !Self.validExecutionName(executionName) {
            return refuse(writer, .badRequest, "InvalidParameterValueException",
                          "DurableExecutionName must be 1 to 64 letters, digits, '-' or '_', not \(executionName)")
        }
        let tenant = tenants.isPerTenant(name) ? headers.first(name: "X-Amz-Tenant-Id") : nil
        let log = options.log
        Task {
            let arn: String
            do {
                switch try await backend.start(function: name, settings: settings, name: executionName, payload: body, tenantId: tenant) {
                case .started(let started):
                    arn = started
                    log("\(name): durable execution \(arn) started" + (executionName.map { " (\($0))" } ?? ""))
                case .existing(let existing):
                    arn = existing
                case .conflict(let message):
                    return refuse(writer, .conflict, "DurableExecutionAlreadyStartedException", message)
                }
            } catch {
                return refuse(writer, .internalServerError, "ServiceException", "the durable executions' control plane did not answer: \(error)")
            }
            let arnHeader = ("X-Amz-Durable-Execution-Arn", arn)
            guard case .requestResponse = request else {
                return writer.send(202, [arnHeader, ("X-Amzn-RequestId", UUID().uuidString.lowercased())], [])
            }
            let deadline = Date().addingTimeInterval(TimeInterval(LambdaQuotas.timeoutSeconds.upperBound))
            while Date() < deadline {
                if let ended = await Self.endedExecution(arn, backend) {
                    if ended.failed {
                        return writer.send(200, InvokeRequest.answerHeaders(functionError: true) + [arnHeader], ended.body)
                    }
                    return writer.send(200, InvokeRequest.answerHeaders(functionError: false) + [arnHeader], ended.body)
                }
                try? await Task.sleep(nanoseconds: 50_000_000)
            }
            writer.send(200, InvokeRequest.answerHeaders(functionError: true) + [arnHeader],
                        Array(Sandbox.errorJSON("Sandbox.Timedout", "The durable execution \(arn) is still running after the 15 minutes a synchronous invocation waits; it goes on (GetDurableExecution)")))
        }
    }

    /// The execution's outcome once it ended: its result, or its error as a function error's body.
    static func endedExecution(_ arn: String, _ backend: DurableBackend) async -> (failed: Bool, body: [UInt8])? {
        let path = "/2025-12-01/durable-executions/" + (arn.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? arn)
        guard let answer = try? await backend.forward(method: "GET", path: path, headers: [], body: []), answer.status == 200,
              let execution = (try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [String: Any],
              let status = execution["Status"] as? String, status != "RUNNING" else { return nil }
        if status == "SUCCEEDED" { return (false, Array((execution["Result"] as? String ?? "null").utf8)) }
        let error = execution["Error"] as? [String: Any] ?? [:]
        var body: [String: Any] = ["errorType": error["ErrorType"] as? String ?? "DurableExecution.\(status.capitalized)",
                                   "errorMessage": error["ErrorMessage"] as? String ?? "The durable execution ended \(status)"]
        if let trace = error["StackTrace"] as? [String] { body["stackTrace"] = trace }
        return (true, Array((try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()))
    }

    /// Lambda's rule for `DurableExecutionName`.
    static func validExecutionName(_ name: String) -> Bool {
        (1...64).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}
