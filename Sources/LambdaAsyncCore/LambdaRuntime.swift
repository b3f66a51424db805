/// A Lambda runtime identifier (`python3.13`, `nodejs22.x`, `provided.al2023`) and what it implies
/// for packaging: which language runs the handler, and whether the zip needs a `bootstrap`.
public struct LambdaRuntime: Sendable, Hashable, CustomStringConvertible {
    public enum Family: String, Sendable, Hashable {
        case python, node, provided, java, dotnet, ruby
    }

    /// Current defaults the generator and the packager use when a template names none.
    public static let defaultPython = LambdaRuntime(uncheckedIdentifier: "python3.14")
    public static let defaultNode = LambdaRuntime(uncheckedIdentifier: "nodejs24.x")
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

    /// The CPU name in ELF headers, wheel tags and CPython's extension suffixes.
    public var cpu: String { self == .x86_64 ? "x86_64" : "aarch64" }
}

/// The Amazon Linux under a runtime, and what its dynamic loader offers native code in a zip.
/// Sources: the Lambda runtimes table (docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html)
/// for which OS each runtime runs on; Amazon Linux 2023 ships glibc 2.34 and GCC 11's libstdc++
/// (GLIBCXX_3.4.29), Amazon Linux 2 glibc 2.26 and GCC 7's (GLIBCXX_3.4.24).
public enum LambdaOS: String, Sendable, CaseIterable {
    case amazonLinux2023 = "Amazon Linux 2023"
    case amazonLinux2 = "Amazon Linux 2"

    /// The glibc version: a file needing a newer `GLIBC_x.y` does not load.
    public var glibc: [Int] { self == .amazonLinux2023 ? [2, 34] : [2, 26] }
    /// The newest `GLIBCXX_3.4.n` its libstdc++ provides.
    public var glibcxx: [Int] { self == .amazonLinux2023 ? [3, 4, 29] : [3, 4, 24] }

    /// Libraries every runtime image has: glibc's, the GCC runtime, zlib. Anything else a binary names
    /// must come with the zip (its `lib/`) or a layer (`/opt/lib`).
    public static let baseLibraries: Set<String> = [
        "libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libutil.so.1", "libresolv.so.2",
        "libanl.so.1", "libnsl.so.1", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "libgcc_s.so.1", "libstdc++.so.6",
        "libz.so.1",
    ]

    /// pip's `--platform` tags for wheels this OS can load, newest first: `manylinux_2_34_x86_64` down to
    /// `manylinux2014_x86_64` (glibc 2.17), so pip picks the newest wheel that still loads.
    public func manylinuxTags(_ architecture: Architecture) -> [String] {
        let minor = glibc[1]
        return stride(from: minor, through: 17, by: -1).map { "manylinux_2_\($0)_\(architecture.cpu)" } + ["manylinux2014_\(architecture.cpu)"]
    }
}

extension LambdaRuntime {
    /// The OS the runtime runs on (java8.al2, provided.al2 and the older Python, Node.js and Ruby
    /// runtimes on Amazon Linux 2; the rest on Amazon Linux 2023).
    public var os: LambdaOS {
        let onAL2: Set<String> = ["python3.9", "python3.10", "python3.11", "nodejs18.x", "provided.al2",
                                  "java8.al2", "java11", "java17", "ruby3.2"]
        return onAL2.contains(identifier) ? .amazonLinux2 : .amazonLinux2023
    }
}
