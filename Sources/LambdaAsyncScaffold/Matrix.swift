import LambdaAsyncCore

/// The languages `new` generates projects in.
public enum ProjectLanguage: String, CaseIterable, Sendable, Codable {
    case python
    case node

    public var defaultRuntime: LambdaRuntime {
        switch self {
        case .python: return .defaultPython
        case .node: return .defaultNode
        }
    }
}

/// Which kind of extension carries the task.
public enum ExtensionVariant: String, CaseIterable, Sendable, Codable {
    /// A thread inside the function's process, registered with the Extensions API.
    case `internal`
    /// A process started from a layer's `extensions/` folder.
    case external
}

/// One cell of the generator's matrix: what a strategy becomes in a language, or why it does not.
public struct Cell: Sendable, Equatable {
    public let language: ProjectLanguage
    public let strategy: Strategy
    public let variant: ExtensionVariant?
    /// What the generated project contains.
    public let summary: String
    /// Set when the cell is refused: what is wrong and what works instead.
    public let refusal: String?
    /// The folder under `Templates/<language>/`: the strategy, and the extension's variant after a dash.
    var folder: String { strategy.rawValue + (variant.map { "-\($0.rawValue)" } ?? "") }

    public var isSupported: Bool { refusal == nil }
}

public enum Matrix {
    public static let cells: [Cell] = [
        Cell(language: .python, strategy: .asyncInvoke, variant: nil,
             summary: "api function invokes a worker function with InvocationType=Event (boto3); the worker retries twice, then an SQS on-failure destination",
             refusal: nil),
        Cell(language: .python, strategy: .streaming, variant: nil, summary: "",
             refusal: "Python has no native response streaming: Lambda streams responses natively only on the Node.js managed runtimes. Use `--language node --strategy streaming`, or `--strategy custom-runtime`, whose loop posts the response before the task runs."),
        Cell(language: .python, strategy: .extension, variant: .internal,
             summary: "internal extension: a thread registered for INVOKE runs queued tasks and calls /event/next only when they are done",
             refusal: nil),
        Cell(language: .python, strategy: .extension, variant: .external,
             summary: "external extension in a layer (extensions/<name>): fed over localhost HTTP, drains its queue on SHUTDOWN",
             refusal: nil),
        Cell(language: .python, strategy: .customRuntime, variant: nil,
             summary: "the project's own Runtime API loop, started by an exec wrapper on the managed runtime: /next, handler, /response, task, /next",
             refusal: nil),
        Cell(language: .node, strategy: .asyncInvoke, variant: nil,
             summary: "api function invokes a worker function with InvocationType=Event (AWS SDK v3); the worker retries twice, then an SQS on-failure destination",
             refusal: nil),
        Cell(language: .node, strategy: .streaming, variant: nil,
             summary: "awslambda.streamifyResponse: writes the response, ends the stream, then runs the task; a function URL with InvokeMode RESPONSE_STREAM",
             refusal: nil),
        Cell(language: .node, strategy: .extension, variant: .internal, summary: "",
             refusal: "A Node.js function has one thread for handlers, so an internal extension would stall the event loop it shares with them. Use `--variant external` (the default for Node.js): an extension process in a layer."),
        Cell(language: .node, strategy: .extension, variant: .external,
             summary: "external extension in a layer (extensions/<name>): fed over localhost HTTP, drains its queue on SHUTDOWN",
             refusal: nil),
        Cell(language: .node, strategy: .customRuntime, variant: nil,
             summary: "the project's own Runtime API loop in JavaScript, started by an exec wrapper on the managed runtime",
             refusal: nil),
        Cell(language: .python, strategy: .durable, variant: nil,
             summary: "api function starts a durable execution of the worker's alias, named after the task (an idempotent start); the worker's steps are checkpointed and retried by the Durable Execution SDK, with an approval callback, a wait, and failed tasks in an SQS queue",
             refusal: nil),
        Cell(language: .node, strategy: .durable, variant: nil, summary: "",
             refusal: "Node.js durable projects wait until the Durable Execution SDK for JavaScript (@aws/durable-execution-sdk-js) can be installed and tested on lambda-async's machines (no npm registry there): use `--language python --strategy durable`, or write the function with the JavaScript SDK yourself; `lambda-async serve` runs it (docs/durable.md)."),
    ]

    /// The default variant: what each language does best.
    public static func defaultVariant(for language: ProjectLanguage) -> ExtensionVariant {
        language == .python ? .internal : .external
    }

    public static func cell(language: ProjectLanguage, strategy: Strategy, variant: ExtensionVariant?) throws -> Cell {
        if strategy != .extension, let variant {
            throw ScaffoldError.variantWithoutExtension(variant)
        }
        let wanted = strategy == .extension ? (variant ?? defaultVariant(for: language)) : nil
        guard let cell = cells.first(where: { $0.language == language && $0.strategy == strategy && $0.variant == wanted }) else {
            throw ScaffoldError.unsupported("no template for \(language.rawValue) \(strategy.rawValue)")
        }
        if let refusal = cell.refusal { throw ScaffoldError.unsupported(refusal) }
        return cell
    }
}
