/// A Lambda runtime identifier (`python3.13`, `nodejs22.x`, `provided.al2023`) and what it implies
/// for packaging: which language runs the handler, and whether the zip needs a `bootstrap`.
public struct LambdaRuntime: Sendable, Hashable, CustomStringConvertible {
    public enum Family: String, Sendable, Hashable {
        case python, node, provided, java, dotnet, ruby
    }

    /// Current defaults the generator and the packager use when a template names none.
    public static let defaultPython = LambdaRuntime(uncheckedIdentifier: "python3.13")
    public static let defaultNode = LambdaRuntime(uncheckedIdentifier: "nodejs22.x")
    public static let defaultProvided = LambdaRuntime(uncheckedIdentifier: "provided.al2023")

    /// Runtime identifiers Lambda knows (as of 2026-11; the newest first within each family). Anything
    /// else (`python3.31`) is refused here rather than by CloudFormation at deploy time.
    public static let supported: [String] = [
        "python3.14", "python3.13", "python3.12", "python3.11", "python3.10", "python3.9",
        "nodejs24.x", "nodejs22.x", "nodejs20.x", "nodejs18.x",
        "provided.al2023", "provided.al2",
        "java25", "java21", "java17", "java11", "java8.al2",
        "dotnet10", "dotnet8",
        "ruby3.4", "ruby3.3", "ruby3.2",
    ]

    public let identifier: String
    public let family: Family

    private init(uncheckedIdentifier identifier: String) {
        self.identifier = identifier
        self.family = Self.family(of: identifier)!
    }

    public init?(_ identifier: String) {
        guard Self.supported.contains(identifier), let family = Self.family(of: identifier) else { return nil }
        self.identifier = identifier
        self.family = family
    }

    private static func family(of identifier: String) -> Family? {
        if identifier.hasPrefix("python3.") { return .python }
        if identifier.hasPrefix("nodejs") { return .node }
        if identifier.hasPrefix("provided") { return .provided }
        if identifier.hasPrefix("java") { return .java }
        if identifier.hasPrefix("dotnet") { return .dotnet }
        if identifier.hasPrefix("ruby") { return .ruby }
        return nil
    }

    /// "3.13" for `python3.13`: the version pip resolves wheels for.
    public var pythonVersion: String? {
        family == .python ? String(identifier.dropFirst("python".count)) : nil
    }

    /// `provided.*` runtimes start the zip's `bootstrap` and nothing else.
    public var needsBootstrap: Bool { family == .provided }

    public var description: String { identifier }
}

/// The instruction set a function runs on.
public enum Architecture: String, CaseIterable, Sendable, Codable {
    case x86_64
    case arm64

    /// The manylinux platform tag pip installs wheels for.
    public var manylinuxPlatform: String {
        switch self {
        case .x86_64: return "manylinux2014_x86_64"
        case .arm64: return "manylinux2014_aarch64"
        }
    }
}
