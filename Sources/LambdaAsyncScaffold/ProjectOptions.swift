import LambdaAsyncCore

/// What the user asked `new` for.
public struct ProjectOptions: Sendable {
    public var name: String
    public var language: ProjectLanguage
    public var strategy: Strategy
    public var variant: ExtensionVariant?
    public var runtime: LambdaRuntime
    public var architecture: Architecture
    public var memoryMB: Int
    public var timeoutSeconds: Int
    /// Function URLs without IAM auth.
    public var publicURL: Bool
    /// Logging through Powertools for AWS Lambda, from its public layer.
    public var powertools: Bool
    /// A DynamoDB table that keeps a task from running twice for one task id.
    public var idempotency: Bool

    public init(name: String, language: ProjectLanguage = .python, strategy: Strategy, variant: ExtensionVariant? = nil,
                runtime: LambdaRuntime? = nil, architecture: Architecture = .arm64, memoryMB: Int = 256,
                timeoutSeconds: Int = 30, publicURL: Bool = false, powertools: Bool = false, idempotency: Bool = false) {
        self.name = name
        self.language = language
        self.strategy = strategy
        self.variant = variant
        self.runtime = runtime ?? language.defaultRuntime
        self.architecture = architecture
        self.memoryMB = memoryMB
        self.timeoutSeconds = timeoutSeconds
        self.publicURL = publicURL
        self.powertools = powertools
        self.idempotency = idempotency
    }

    /// Lambda's rule for function names, plus a leading letter so the name also makes logical IDs.
    public static func validate(name: String) throws {
        guard !name.isEmpty else { throw ScaffoldError.invalidName(name, reason: "it is empty") }
        guard name.count <= 64 else { throw ScaffoldError.invalidName(name, reason: "it has \(name.count) characters") }
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) || ("A"..."Z").contains(first) else {
            throw ScaffoldError.invalidName(name, reason: "it does not start with a letter")
        }
        if let bad = name.unicodeScalars.first(where: { !(("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") }) {
            throw ScaffoldError.invalidName(name, reason: "'\(bad)' is not allowed")
        }
    }

    /// `orders-api` → `OrdersApi`, the prefix of CloudFormation logical IDs.
    var pascalName: String {
        name.split(whereSeparator: { $0 == "-" || $0 == "_" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// `orders-api` → `orders_api`, a valid Python identifier.
    var snakeName: String { name.replacingOccurrences(of: "-", with: "_").lowercased() }

    /// The values the templates see.
    var context: [String: Any] {
        [
            "name": name,
            "pascalName": pascalName,
            "snakeName": snakeName,
            "extensionName": "\(name)-tasks",
            "runtime": runtime.identifier,
            "architecture": architecture.rawValue,
            "memory": memoryMB,
            "timeout": timeoutSeconds,
            "authType": publicURL ? "NONE" : "AWS_IAM",
            "public": publicURL,
            "powertools": powertools,
            "idempotency": idempotency,
            "powertoolsLayer": Powertools.layerARN(for: runtime) ?? "",
            "strategy": strategy.rawValue,
            "asyncInvoke": strategy == .asyncInvoke,
            "durable": strategy == .durable,
            "language": language.rawValue,
            "toolVersion": LambdaAsyncVersion.current,
        ]
    }
}
