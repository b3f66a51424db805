/// One fact of the comparison, with the pages it rests on and the day it was last checked against them.
public struct Fact: Sendable, Equatable {
    public let text: String
    /// Reference ids (`Reference.all`).
    public let sources: [String]
    /// ISO date: when the text was last checked against its sources.
    public let checked: String

    public init(_ text: String, _ sources: [String], checked: String = Catalog.checked) {
        self.text = text
        self.sources = sources
        self.checked = checked
    }
}

/// Where a function runs: Lambda's default (an execution environment per concurrent invocation,
/// frozen between invocations) or Lambda Managed Instances (EC2 capacity in the account, many
/// invocations at once per environment, never frozen).
public enum Platform: String, CaseIterable, Sendable, Codable {
    case lambda = "lambda"
    case managedInstances = "managed-instances"

    public var title: String {
        switch self {
        case .lambda: return "Lambda (default)"
        case .managedInstances: return "Lambda Managed Instances"
        }
    }
}

/// What a strategy becomes on a platform other than Lambda's default.
public struct PlatformNote: Sendable, Equatable {
    public enum Verdict: String, Sendable, Codable {
        /// The platform cannot run it.
        case notAvailable = "not-available"
        /// It runs, but nothing needs it there.
        case unnecessary
        /// It runs, differently.
        case changed
    }

    public let verdict: Verdict
    public let fact: Fact
}

/// The comparison of the four strategies: every fact `compare` prints and `recommend` cites.
///
/// This is the single source of these facts. They follow `shared/docs/strategies.md` and
/// `lambda-contract.md`, each checked against the pages it cites (`compare --sources`).
public struct Catalog: Sendable {
    /// The day every fact below was last checked against its sources, unless a fact says otherwise.
    public static let checked = "2026-12-06"

    public let facts: [Strategy: [Dimension: Fact]]
    /// Each strategy on Lambda Managed Instances.
    public let managedInstances: [Strategy: PlatformNote]
    /// On Managed Instances no strategy is needed at all; what is then at risk.
    public let noStrategyOnManagedInstances: Fact

    public static let standard = Catalog(facts: [
        .asyncInvoke: [
            .howItWorks: Fact("The function that serves the caller invokes a second function with InvocationType=Event (or sends the task to an SQS queue) and returns; the second function runs the task.",
                              ["async-invocation"]),
            .complexity: Fact("Easiest: one SDK call and a second function.", ["async-invocation"]),
            .artifacts: Fact("Two functions, so two artifacts to build and deploy.", ["async-invocation"]),
            .cost: Fact("Highest: a second request is billed, and the two durations together exceed one invocation; each function's cold starts bill their INIT too (every function since 1 August 2025).",
                        ["pricing", "init-billing"]),
            .taskStart: Fact("Before the handler returns: the invoke call is made during the invocation.", ["async-invocation"]),
            .limits: Fact("The event for the second function is at most 1 MB (256 KB through the legacy InvokeAsync API). Delivery is at least once, so the task must be idempotent.",
                          ["quotas", "async-invocation"]),
            .benefits: Fact("The best decoupling of synchronous and asynchronous code; the worker has its own memory, timeout and concurrency.", ["async-invocation"]),
            .retries: Fact("Managed by Lambda: 2 retries by default (MaximumRetryAttempts 0-2, about 1 then 2 minutes apart), then an on-failure destination (SQS, SNS, Lambda, EventBridge or S3).",
                           ["async-error-handling", "async-destinations"]),
        ],
        .streaming: [
            .howItWorks: Fact("The handler streams the response, ends the stream, then keeps working before it returns; the client has the whole response when the stream ends.",
                              ["response-streaming", "streaming-functions"]),
            .complexity: Fact("Easy on Node.js with awslambda.streamifyResponse; other languages need a custom runtime.", ["response-streaming"]),
            .artifacts: Fact("One function, one artifact.", ["response-streaming"]),
            .cost: Fact("Lower: one request; the work after the stream ends is billed in the same invocation, and a cold start's INIT with it (since 1 August 2025).",
                        ["pricing", "init-billing"]),
            .taskStart: Fact("Any time during the invocation; after the stream ends when it must not delay the response.", ["streaming-functions"]),
            .limits: Fact("Native only on the Node.js managed runtimes. Callers need a function URL with InvokeMode RESPONSE_STREAM, InvokeWithResponseStream, or an API Gateway REST API whose integration streams (responseTransferMode STREAM, since November 2025); HTTP APIs buffer. A function URL need not be public: AuthType AWS_IAM requires signed requests. Past the first 6 MB the stream is limited to 2 MB/s.",
                          ["response-streaming", "apigateway-streaming", "url-auth"]),
            .benefits: Fact("The client receives the response in parts, and responses may exceed 6 MB (up to 200 MB).", ["response-streaming", "quotas"]),
            .retries: Fact("The developer's job: the caller already has a successful response, so Lambda retries nothing. Generated projects retry inside the invocation, then send what still fails to an SQS queue.",
                           ["response-streaming"]),
        ],
        .extension: [
            .howItWorks: Fact("The handler hands the task to an extension (internal: a thread registered with the Extensions API; external: a process from a layer); the extension calls /event/next only when the task is done, so the environment is not frozen before.",
                              ["extensions-api"]),
            .complexity: Fact("Most complex: the Extensions API plus a dedicated thread or process.", ["extensions-api"]),
            .artifacts: Fact("One artifact with an internal extension; a function zip plus a layer zip with an external one.", ["extensions-api"]),
            .cost: Fact("Lower: one request; the time until the extension finishes is billed in the same invocation, and an external extension's start-up is part of the INIT a cold start bills (every function since 1 August 2025).",
                        ["pricing", "init-billing", "extensions-api"]),
            .taskStart: Fact("Any time during the invocation, even before the response is sent.", ["extensions-api"]),
            .limits: Fact("Counts against the limit of 10 extensions; the function timeout covers the runtime and every extension; internal extensions receive INVOKE only, never SHUTDOWN.",
                          ["extensions-api", "quotas"]),
            .benefits: Fact("The task runs on its own thread or process alongside the handler, which can cut the total duration and cost.", ["extensions-api"]),
            .retries: Fact("The developer's job: Lambda retries nothing. Generated projects retry inside the extension, then send what still fails to an SQS queue.",
                           ["extensions-api"]),
        ],
        .customRuntime: [
            .howItWorks: Fact("A bootstrap loop calls /next, runs the handler, posts /response, runs the task, then calls /next again; the environment freezes only at that /next.",
                              ["runtime-api", "custom-runtime"]),
            .complexity: Fact("Medium: the function talks to the Runtime API itself.", ["runtime-api"]),
            .artifacts: Fact("One artifact with the runtime files and an executable bootstrap (or an exec wrapper on a managed runtime).", ["custom-runtime"]),
            .cost: Fact("Lower: one request; the work after /response is billed in the same invocation, and the runtime's start-up with a cold start's INIT.",
                        ["pricing", "init-billing"]),
            .taskStart: Fact("After the response is posted, unless the loop starts the task on a thread of its own.", ["runtime-api"]),
            .limits: Fact("The developer owns the whole loop: error reporting (/invocation/{id}/error, /init/error), the language runtime and its packaging.",
                          ["runtime-api", "custom-runtime"]),
            .benefits: Fact("Any language, and full control of the invocation loop.", ["custom-runtime"]),
            .retries: Fact("The developer's job: the loop reports nothing to Lambda once the response is posted. Generated projects retry inside the loop, then send what still fails to an SQS queue.",
                           ["runtime-api"]),
        ],
        .durable: [
            .howItWorks: Fact("The function answers its caller and starts a durable execution (an asynchronous invoke whose DurableExecutionName is the task's id, so a repeated start is the same execution); the worker, written with the Durable Execution SDK, checkpoints every step through the Lambda API, and Lambda invokes it again to replay from its checkpoints after a wait, a callback or a failure.",
                              ["durable-concepts", "durable-invoking"]),
            .complexity: Fact("Medium: the Durable Execution SDK's steps, waits and callbacks, and code that is deterministic between steps, since every replay runs it again from the start.",
                              ["durable-concepts"]),
            .artifacts: Fact("Two functions (the API and the durable worker); the worker has a DurableConfig and is invoked through a published version or alias, unless it allows $LATEST (AllowInvokeLatest).",
                             ["durable-configuration", "sam-durableconfig"]),
            .cost: Fact("Highest per task: a request per replay invocation, plus each durable operation and the data written and retained; time spent waiting costs no compute. INIT is billed at cold starts as for every function.",
                        ["durable-concepts", "pricing", "init-billing"]),
            .taskStart: Fact("Before the handler returns: the start is an invoke made during the invocation; the steps then run in invocations of their own.",
                             ["durable-invoking"]),
            .limits: Fact("An execution runs up to one year when invoked asynchronously (ExecutionTimeout up to 31,622,400 s), 15 minutes when invoked synchronously; each invocation keeps the function timeout; the history is retained 1 to 90 days (14 by default); the start's payload is an asynchronous event's (1 MB).",
                          ["durable-invoking", "sam-durableconfig", "quotas"]),
            .benefits: Fact("Nothing is lost when an environment dies: completed steps are not run again; waits and callbacks (a person's approval, another system) cost no compute while they last.",
                            ["durable-concepts"]),
            .retries: Fact("Per step, with the SDK's retry strategies (attempts, backoff); a failed execution keeps its history for inspection, and its start is idempotent by execution name.",
                           ["durable-concepts", "durable-invoking"]),
        ],
    ], managedInstances: [
        .asyncInvoke: PlatformNote(verdict: .changed, fact: Fact(
            "Still the way to make the task survive: Lambda retries the asynchronous event and sends it to a destination. The worker is billed per instance (EC2 price, a management fee, requests), not per GB-second.",
            ["managed-instances", "async-error-handling"])),
        .streaming: PlatformNote(verdict: .unnecessary, fact: Fact(
            "Nothing to stream for: the environment is never frozen after the response, so the work can simply go on.",
            ["managed-instances-environment"])),
        .extension: PlatformNote(verdict: .notAvailable, fact: Fact(
            "Impossible: on Managed Instances an external extension may register for SHUTDOWN only (an internal one for nothing), so none can hold an invocation open.",
            ["emulator-managed-instances", "managed-instances-environment"])),
        .customRuntime: PlatformNote(verdict: .changed, fact: Fact(
            "Possible but needless: the loop must serve concurrent /next calls, up to AWS_LAMBDA_MAX_CONCURRENCY, and nothing is frozen after /response anyway.",
            ["managed-instances-runtimes", "runtime-api"])),
    ], noStrategyOnManagedInstances: Fact(
        "No strategy is needed: environments are never frozen between invocations, so a background thread or an unawaited promise runs on. At risk: the work dies with the environment when the instance scales in or is replaced, and timeouts are not enforced (the context's remaining time goes to zero or below, the code keeps running), so nothing stops a stuck task. Python runs each concurrent request in its own process (16 per vCPU by default), Node.js many in one process.",
        ["managed-instances-environment", "managed-instances-runtimes"]))

    /// The fact for one cell of the comparison. Every cell exists (see `CatalogTests`).
    public func fact(_ strategy: Strategy, _ dimension: Dimension) -> String {
        facts[strategy]?[dimension]?.text ?? ""
    }

    /// The pages behind one cell.
    public func references(_ strategy: Strategy, _ dimension: Dimension) -> [Reference] {
        (facts[strategy]?[dimension]?.sources ?? []).compactMap { Reference.all[$0] }
    }

    /// Every page the given cells and platform notes cite, in first-cited order.
    public func references(strategies: [Strategy], dimensions: [Dimension], platform: Platform) -> [Reference] {
        var ids: [String] = []
        for strategy in strategies {
            for dimension in dimensions { ids += facts[strategy]?[dimension]?.sources ?? [] }
            if platform == .managedInstances { ids += managedInstances[strategy]?.fact.sources ?? [] }
        }
        if platform == .managedInstances { ids += noStrategyOnManagedInstances.sources }
        var seen: Set<String> = []
        return ids.filter { seen.insert($0).inserted }.compactMap { Reference.all[$0] }
    }
}
