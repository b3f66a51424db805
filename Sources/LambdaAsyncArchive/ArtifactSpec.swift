import Foundation
import LambdaAsyncCore

/// The three kinds of zip Lambda takes.
public enum ArtifactKind: String, Sendable, Codable, CaseIterable {
    /// Unpacked into /var/task.
    case function
    /// Unpacked into /opt.
    case layer
    /// A function zip holding one executable, `bootstrap`, for a `provided.*` runtime.
    case bootstrap
}

/// Where a layer's files must sit for Lambda to find them under /opt.
public enum LayerKind: String, Sendable, Codable, CaseIterable {
    /// /opt/extensions: every file there is started as an external extension.
    case `extension`
    /// /opt/python: on the Python runtimes' sys.path.
    case python
    /// /opt/nodejs/node_modules: on the Node.js runtimes' NODE_PATH.
    case node

    public var prefix: String {
        switch self {
        case .extension: return "extensions"
        case .python: return "python"
        case .node: return "nodejs/node_modules"
        }
    }
}

/// One tree (or one file) that goes into an artifact.
public struct ArtifactSource: Sendable, Equatable {
    public var root: URL
    /// Folder inside the zip the tree is placed under ("" for the root).
    public var prefix: String
    /// When set, `root` is a single file stored under this name.
    public var singleFileName: String?

    public init(root: URL, prefix: String = "", singleFileName: String? = nil) {
        self.root = root
        self.prefix = prefix
        self.singleFileName = singleFileName
    }
}

/// Everything that decides the bytes of one zip.
public struct ArtifactSpec: Sendable {
    public var name: String
    public var kind: ArtifactKind
    /// Later sources win where two give the same path (the function's code over its dependencies).
    public var sources: [ArtifactSource]
    public var runtime: LambdaRuntime?
    public var handler: String?
    public var excludes: [String]
    /// The function's instruction set, which its native code must match; nil when not known.
    public var architecture: Architecture?

    public init(name: String, kind: ArtifactKind, sources: [ArtifactSource], runtime: LambdaRuntime? = nil,
                handler: String? = nil, excludes: [String] = [], architecture: Architecture? = nil) {
        self.architecture = architecture
        self.name = name
        self.kind = kind
        self.sources = sources
        self.runtime = runtime
        self.handler = handler
        self.excludes = excludes
    }

    /// Never packaged: version control, caches, editor litter and our own build folder.
    public static let defaultExcludes = NotCode.patterns
}
