/// The sound ways to keep working after a Lambda function has answered its caller: the four classic
/// ones, and durable functions (December 2025).
public enum Strategy: String, CaseIterable, Sendable, Codable, Comparable {
    case asyncInvoke = "async-invoke"
    case streaming = "streaming"
    case `extension` = "extension"
    case customRuntime = "custom-runtime"
    case durable = "durable"

    /// The title a table header shows.
    public var title: String {
        switch self {
        case .asyncInvoke: return "Async invoke"
        case .streaming: return "Response streaming"
        case .extension: return "Extension"
        case .customRuntime: return "Custom runtime"
        case .durable: return "Durable functions"
        }
    }

    /// Catalog order, so subsets print in the same order as the full table.
    public static func < (lhs: Strategy, rhs: Strategy) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The aspects along which the strategies are compared.
public enum Dimension: String, CaseIterable, Sendable, Codable, Comparable {
    case howItWorks = "how-it-works"
    case complexity = "complexity"
    case artifacts = "artifacts"
    case cost = "cost"
    case taskStart = "task-start"
    case limits = "limits"
    case benefits = "benefits"
    case retries = "retries"

    public var title: String {
        switch self {
        case .howItWorks: return "How it works"
        case .complexity: return "Complexity"
        case .artifacts: return "Deployment artifacts"
        case .cost: return "Cost"
        case .taskStart: return "When the task can start"
        case .limits: return "Limits"
        case .benefits: return "Extra benefits"
        case .retries: return "Retries when the task fails"
        }
    }

    public static func < (lhs: Dimension, rhs: Dimension) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
