/// The comparison of the four strategies: every fact `compare` prints and `recommend` cites.
///
/// This is the single source of these facts. They follow `shared/docs/strategies.md` and
/// `lambda-contract.md`, with current limits (1 MB async payload, 200 MB streamed responses).
public struct Catalog: Sendable {
    public let facts: [Strategy: [Dimension: String]]

    public static let standard = Catalog(facts: [
        .asyncInvoke: [
            .howItWorks: "The function that serves the caller invokes a second function with InvocationType=Event (or sends the task to an SQS queue) and returns; the second function runs the task.",
            .complexity: "Easiest: one SDK call and a second function.",
            .artifacts: "Two functions, so two artifacts to build and deploy.",
            .cost: "Highest: a second request is billed, and the two durations together exceed one invocation.",
            .taskStart: "Before the handler returns: the invoke call is made during the invocation.",
            .limits: "The event for the second function is at most 1 MB (256 KB through the legacy InvokeAsync API). Delivery is at least once, so the task must be idempotent.",
            .benefits: "The best decoupling of synchronous and asynchronous code; the worker has its own memory, timeout and concurrency.",
            .retries: "Managed by Lambda: 2 retries by default (MaximumRetryAttempts 0-2, about 1 then 2 minutes apart), then an on-failure destination (SQS, SNS, Lambda or EventBridge).",
        ],
        .streaming: [
            .howItWorks: "The handler streams the response, ends the stream, then keeps working before it returns; the client has the whole response when the stream ends.",
            .complexity: "Easy on Node.js with awslambda.streamifyResponse; other languages need a custom runtime.",
            .artifacts: "One function, one artifact.",
            .cost: "Lower: one request; the work after the stream ends is billed in the same invocation.",
            .taskStart: "Any time during the invocation; after the stream ends when it must not delay the response.",
            .limits: "Native only on the Node.js managed runtimes. Callers need a function URL with InvokeMode RESPONSE_STREAM or InvokeWithResponseStream; API Gateway REST integrations buffer the response. A function URL need not be public: AuthType AWS_IAM requires signed requests. Past the first 6 MB the stream is limited to 2 MB/s.",
            .benefits: "The client receives the response in parts, and responses may exceed 6 MB (up to 200 MB).",
            .retries: "The developer's job: the caller already has a successful response, so Lambda retries nothing. Generated projects retry inside the invocation, then send what still fails to an SQS queue.",
        ],
        .extension: [
            .howItWorks: "The handler hands the task to an extension (internal: a thread registered with the Extensions API; external: a process from a layer); the extension calls /event/next only when the task is done, so the environment is not frozen before.",
            .complexity: "Most complex: the Extensions API plus a dedicated thread or process.",
            .artifacts: "One artifact with an internal extension; a function zip plus a layer zip with an external one.",
            .cost: "Lower: one request; the time until the extension finishes is billed in the same invocation.",
            .taskStart: "Any time during the invocation, even before the response is sent.",
            .limits: "Counts against the limit of 10 extensions; the function timeout covers the runtime and every extension; internal extensions receive INVOKE only, never SHUTDOWN.",
            .benefits: "The task runs on its own thread or process alongside the handler, which can cut the total duration and cost.",
            .retries: "The developer's job: Lambda retries nothing. Generated projects retry inside the extension, then send what still fails to an SQS queue.",
        ],
        .customRuntime: [
            .howItWorks: "A bootstrap loop calls /next, runs the handler, posts /response, runs the task, then calls /next again; the environment freezes only at that /next.",
            .complexity: "Medium: the function talks to the Runtime API itself.",
            .artifacts: "One artifact with the runtime files and an executable bootstrap (or an exec wrapper on a managed runtime).",
            .cost: "Lower: one request; the work after /response is billed in the same invocation.",
            .taskStart: "After the response is posted, unless the loop starts the task on a thread of its own.",
            .limits: "The developer owns the whole loop: error reporting (/invocation/{id}/error, /init/error), the language runtime and its packaging.",
            .benefits: "Any language, and full control of the invocation loop.",
            .retries: "The developer's job: the loop reports nothing to Lambda once the response is posted. Generated projects retry inside the loop, then send what still fails to an SQS queue.",
        ],
    ])

    /// The fact for one cell of the comparison. Every cell exists (see `CatalogTests`).
    public func fact(_ strategy: Strategy, _ dimension: Dimension) -> String {
        facts[strategy]?[dimension] ?? ""
    }
}
