import Foundation
import LambdaAsyncCore
import Yams

/// The parts of an AWS SAM template that packaging and running a project need.
///
/// CloudFormation's short intrinsic tags (`!Ref`, `!GetAtt`, `!Sub`, ...) are kept as tagged
/// values rather than rejected; `!Ref` to a parameter resolves to the parameter's default.
public struct SAMTemplate: Sendable {
    public let url: URL
    public let text: String
    public let functions: [Function]
    public let layers: [Layer]

    public var directory: URL { url.deletingLastPathComponent() }

    /// Where a value sits in the template's text (1-based), for rewriting it in place.
    public struct Location: Sendable, Equatable {
        public let line: Int
        public let column: Int
    }

    public struct Function: Sendable, Equatable {
        public let logicalID: String
        /// A local folder or zip relative to the template; nil for S3 locations and images.
        public let codeURI: String?
        /// Where `CodeUri` is written for this function; nil when it comes from `Globals`.
        public let codeURILocation: Location?
        /// Where the function's properties start, to insert a `CodeUri` of its own.
        public let propertiesLocation: Location?
        public let handler: String?
        public let runtime: LambdaRuntime?
        public let runtimeName: String?
        public let architecture: Architecture
        public let memorySizeMB: Int
        public let timeoutSeconds: Int
        /// Literal values as written; intrinsic ones as their source text.
        public let environment: [String: String]
        public let layers: [LayerReference]
        public let isImage: Bool
    }

    public enum LayerReference: Sendable, Equatable {
        /// `!Ref` to a layer of this template.
        case local(String)
        /// An ARN or an expression that is not one of this template's layers.
        case external(String)
    }

    public struct Layer: Sendable, Equatable {
        public let logicalID: String
        public let contentURI: String?
        public let contentURILocation: Location?
        public let compatibleRuntimes: [String]
    }

    public static let fileName = "template.yaml"

    /// Loads `template.yaml` (or `template.yml`) from a project folder, or a template file itself.
    public static func load(from path: URL) throws -> SAMTemplate {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory) else {
            throw ProjectError.noTemplate(path.path)
        }
        var file = path
        if isDirectory.boolValue {
            let candidates = ["template.yaml", "template.yml"].map { path.appendingPathComponent($0) }
            guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
                throw ProjectError.noTemplate(path.path)
            }
            file = found
        }
        let text: String
        do { text = try String(contentsOf: file, encoding: .utf8) } catch {
            throw ProjectError.invalidTemplate(path: file.path, reason: "it cannot be read as UTF-8 text")
        }
        return try parse(text, url: file.standardizedFileURL)
    }

    public static func parse(_ text: String, url: URL) throws -> SAMTemplate {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ProjectError.invalidTemplate(path: url.path, reason: "it is empty")
            }
            root = node
        } catch let error as ProjectError {
            throw error
        } catch {
            throw ProjectError.invalidTemplate(path: url.path, reason: "\(error)")
        }
        guard let resources = root["Resources"]?.mapping else {
            throw ProjectError.invalidTemplate(path: url.path, reason: "it has no Resources section")
        }
        let parameters = root["Parameters"]?.mapping
        func resolve(_ node: Node?) -> Node? {
            guard let node else { return nil }
            if node.tag.description == "!Ref", let name = node.string, let parameter = parameters?[name]?["Default"] {
                return parameter
            }
            if let ref = node["Ref"]?.string, let parameter = parameters?[ref]?["Default"] { return parameter }
            return node
        }
        func literal(_ node: Node?) -> String? {
            guard let node = resolve(node) else { return nil }
            if let scalar = node.scalar, !scalar.tag.description.hasPrefix("!") { return scalar.string }
            return nil
        }
        func source(_ node: Node) -> String {
            if let scalar = node.scalar {
                let tag = scalar.tag.description
                return tag.hasPrefix("!") ? "\(tag) \(scalar.string)" : scalar.string
            }
            return (try? Yams.serialize(node: node)) ?? ""
        }
        func location(_ node: Node?) -> Location? {
            node?.mark.map { Location(line: $0.line, column: $0.column) }
        }

        let globals = root["Globals"]?["Function"]
        func setting(_ properties: Node?, _ key: String) -> Node? {
            properties?[key] ?? globals?[key]
        }

        let layerIDs = Set(resources.compactMap { key, value -> String? in
            let type = value["Type"]?.string
            return type == "AWS::Serverless::LayerVersion" || type == "AWS::Lambda::LayerVersion" ? key.string : nil
        })

        var functions: [Function] = []
        var layers: [Layer] = []
        for (key, resource) in resources {
            guard let logicalID = key.string else { continue }
            let properties = resource["Properties"]
            switch resource["Type"]?.string {
            case "AWS::Serverless::Function":
                let isImage = literal(setting(properties, "PackageType")) == "Image"
                let codeNode = properties?["CodeUri"] ?? globals?["CodeUri"]
                let runtimeName = literal(setting(properties, "Runtime"))
                var environment: [String: String] = [:]
                for variables in [globals?["Environment"]?["Variables"], properties?["Environment"]?["Variables"]] {
                    for (name, value) in variables?.mapping ?? [:] {
                        if let name = name.string { environment[name] = literal(value) ?? source(value) }
                    }
                }
                let layerNodes = setting(properties, "Layers")?.sequence.map(Array.init) ?? []
                let layerReferences = layerNodes.map { node -> LayerReference in
                    let target = node.tag.description == "!Ref" ? node.string : node["Ref"]?.string
                    if let target, layerIDs.contains(target) { return .local(target) }
                    return .external(source(node))
                }
                let architecture = (setting(properties, "Architectures")?.sequence?.first).flatMap(literal)
                functions.append(Function(
                    logicalID: logicalID,
                    codeURI: isImage ? nil : codeNode.flatMap(literal).flatMap(localPath),
                    codeURILocation: properties?["CodeUri"].flatMap(location),
                    propertiesLocation: properties?.mapping?.first.flatMap { location($0.key) },
                    handler: literal(setting(properties, "Handler")),
                    runtime: runtimeName.flatMap(LambdaRuntime.init),
                    runtimeName: runtimeName,
                    architecture: architecture.flatMap(Architecture.init(rawValue:)) ?? .x86_64,
                    memorySizeMB: literal(setting(properties, "MemorySize")).flatMap { Int($0) } ?? 128,
                    timeoutSeconds: literal(setting(properties, "Timeout")).flatMap { Int($0) } ?? 3,
                    environment: environment,
                    layers: layerReferences,
                    isImage: isImage))
            case "AWS::Serverless::LayerVersion":
                let content = properties?["ContentUri"]
                layers.append(Layer(
                    logicalID: logicalID,
                    contentURI: literal(content).flatMap(localPath),
                    contentURILocation: location(content),
                    compatibleRuntimes: properties?["CompatibleRuntimes"]?.sequence?.compactMap(literal) ?? []))
            default:
                continue
            }
        }
        return SAMTemplate(url: url, text: text,
                           functions: functions.sorted { $0.logicalID < $1.logicalID },
                           layers: layers.sorted { $0.logicalID < $1.logicalID })
    }

    /// Local code, as opposed to `s3://` locations.
    private static func localPath(_ uri: String) -> String? {
        uri.hasPrefix("s3://") || uri.isEmpty ? nil : uri
    }

    public func function(named name: String) throws -> Function {
        guard let function = functions.first(where: { $0.logicalID == name }) else {
            throw ProjectError.unknownFunction(name, known: functions.map(\.logicalID))
        }
        return function
    }

    public func layer(named name: String) -> Layer? {
        layers.first { $0.logicalID == name }
    }

    /// The absolute location of a path written relative to the template.
    public func resolve(_ relative: String) -> URL {
        relative.hasPrefix("/") ? URL(fileURLWithPath: relative) : directory.appendingPathComponent(relative).standardizedFileURL
    }
}
