/// The language a function is written in. Any name is accepted: one without a managed Lambda
/// runtime (rust, go, swift, ...) means the function runs on `provided.al2023` with a bootstrap.
public struct Language: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Canonical names of the languages with a managed runtime.
    public static let managed = ["python", "node", "java", "dotnet", "ruby"]

    private static let aliases: [String: String] = [
        "py": "python", "python3": "python",
        "nodejs": "node", "javascript": "node", "js": "node", "typescript": "node", "ts": "node",
        "csharp": "dotnet", "c#": "dotnet", "fsharp": "dotnet", ".net": "dotnet",
        "kotlin": "java", "scala": "java",
    ]

    public let name: String

    public enum ParseError: Error, CustomStringConvertible, Equatable {
        case invalid(String)
        public var description: String {
            "'\(self.text)' is not a language name: use one of \(Language.managed.joined(separator: ", ")), or the name of any other language (rust, go, swift, ...) for a custom runtime"
        }
        var text: String { if case .invalid(let t) = self { return t } else { return "" } }
    }

    public init(_ raw: String) throws {
        let lowered = raw.trimmingWhitespace().lowercased()
        let allowed = lowered.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || "+#.-_".unicodeScalars.contains($0)
        }
        guard !lowered.isEmpty, lowered.count <= 40, allowed else { throw ParseError.invalid(raw) }
        name = Language.aliases[lowered] ?? lowered
    }

    public var hasManagedRuntime: Bool { Language.managed.contains(name) }
    /// Response streaming is native only on the Node.js managed runtimes.
    public var streamsNatively: Bool { name == "node" }
    /// AWS publishes a Durable Execution SDK for these (Node.js, Python, Java, Go, .NET).
    public var hasDurableSDK: Bool { ["node", "python", "java", "go", "dotnet"].contains(name) }
    public var description: String { name }
}

/// How callers reach the function: it decides whether a response can be streamed at all.
public enum FrontDoor: String, CaseIterable, Sendable, Codable {
    case functionURL = "function-url"
    case apiGatewayREST = "api-gateway-rest"
    case apiGatewayHTTP = "api-gateway-http"
    case sdk = "sdk"
    case eventSource = "event-source"
}

/// What a developer tells `recommend` about their function.
public struct Situation: Sendable, Equatable, Codable {
    public var language: Language?
    public var frontDoor: FrontDoor?
    /// The task must finish even when it fails (a database may be unreachable).
    public var mustComplete: Bool
    public var responseSizeBytes: Int?
    public var taskPayloadBytes: Int?
    /// Where the function runs: Lambda's default, or Lambda Managed Instances.
    public var platform: Platform
    /// How long the task may run, in seconds (more than one invocation's 15 minutes needs a durable execution).
    public var taskDurationSeconds: Int?
    /// The task waits for a person or another system (an approval, a webhook).
    public var waitsForCallback: Bool

    public init(language: Language? = nil, frontDoor: FrontDoor? = nil, mustComplete: Bool = false,
                responseSizeBytes: Int? = nil, taskPayloadBytes: Int? = nil, platform: Platform = .lambda,
                taskDurationSeconds: Int? = nil, waitsForCallback: Bool = false) {
        self.platform = platform
        self.taskDurationSeconds = taskDurationSeconds
        self.waitsForCallback = waitsForCallback
        self.language = language
        self.frontDoor = frontDoor
        self.mustComplete = mustComplete
        self.responseSizeBytes = responseSizeBytes
        self.taskPayloadBytes = taskPayloadBytes
    }
}
