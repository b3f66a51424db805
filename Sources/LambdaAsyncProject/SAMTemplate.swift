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
    /// Every local path the template's deployment reads, built code included.
    public let localPaths: [LocalPath]
    /// Each API's CORS (`Globals.HttpApi.CorsConfiguration` or an `AWS::Serverless::HttpApi`'s;
    /// `Globals.Api.Cors` or an `AWS::Serverless::Api`'s): API Gateway answers preflights with it.
    public var apiCors: [ApiRoute.Kind: FunctionURLConfig.CORS] = [:]
    /// Each API's stage variables (`Variables` of a REST API, `StageVariables` of an HTTP API).
    public var stageVariables: [ApiRoute.Kind: [String: String]] = [:]
    /// A REST API's `BinaryMediaTypes` (`image/png`, `*/*`; SAM writes `/` as `~1`): bodies of these
    /// types reach the function base64-encoded, any other as text.
    public var binaryMediaTypes: [String] = []
    /// Each API's Lambda authorizers by name, and the one its routes use unless they say otherwise.
    public var lambdaAuthorizers: [ApiRoute.Kind: [String: LambdaAuthorizer]] = [:]
    public var defaultAuthorizers: [ApiRoute.Kind: String] = [:]
    /// Values the template computes that have no local value (`Fn::ImportValue`, an attribute only a
    /// deployment knows), one line each naming the function, the variable and why: said once at start.
    public var unresolved: [String] = []
    /// Resources CloudFormation keeps when the stack is deleted (`DeletionPolicy: Retain`).
    public var retained: [String] = []
    /// The queues, tables, topics and buckets the functions use, for a local AWS to hold.
    public var localResources: [LocalResource] = []

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
        /// How Lambda retries asynchronous events and where it sends their outcome.
        public let eventInvokeConfig: EventInvokeConfig
        /// Set when the function has a URL.
        public let functionURL: FunctionURLConfig?
        /// `EphemeralStorage.Size`: the size of /tmp, 512 to 10,240 MB (Lambda's default 512).
        public var ephemeralStorageMB: Int = LambdaQuotas.defaultEphemeralStorageMB
        /// `ReservedConcurrentExecutions`: at most this many environments at once (0 throttles every call).
        public var reservedConcurrency: Int? = nil
        /// `TenancyConfig: {TenantIsolationMode: PER_TENANT}`: one set of environments per tenant id.
        public var perTenant = false
        /// `DurableConfig`: a durable function (its invocations start durable executions).
        public var durable = false
        /// Its `ExecutionTimeout` and `RetentionPeriodInDays`.
        public var durableSettings: DurableSettings? = nil
        /// `AutoPublishAlias`: SAM publishes a version at each deploy and points this alias at it.
        public var autoPublishAlias: String? = nil
        /// `CapacityProviderConfig`: the function runs on Lambda Managed Instances.
        public var managedInstances = false
        /// Its `PerExecutionEnvironmentMaxConcurrency`, when given.
        public var perEnvironmentMaxConcurrency: Int? = nil
        /// Its `Events` of type `HttpApi` and `Api`: the API Gateway routes that invoke it.
        public var apiRoutes: [ApiRoute] = []
        /// `LoggingConfig`: Lambda's log format and levels (its own and Globals' keys merged, as SAM does).
        public var logging = LoggingConfig()
    }

    public static let fileName = "template.yaml"

    /// Loads `template.yaml` (or `template.yml`) from a project folder, or a template file itself.
    /// - Parameter parameters: values of the template's Parameters (`--parameter NAME=VALUE`), over their defaults.
    public static func load(from path: URL, parameters: [String: String] = [:]) throws -> SAMTemplate {
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
        return try parse(text, url: file.standardizedFileURL, parameters: parameters)
    }

    public static func parse(_ text: String, url: URL, parameters overrides: [String: String] = [:]) throws -> SAMTemplate {
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
        // As a deployment would: parameters, pseudo parameters and intrinsic functions, evaluated locally.
        let intrinsics: Intrinsics
        do {
            intrinsics = try Intrinsics(root: root, overrides: overrides, stackName: url.deletingLastPathComponent().lastPathComponent)
        } catch let dangling as Intrinsics.DanglingRef {
            throw ProjectError.invalidTemplate(path: url.path, reason: dangling.description)
        }
        var unresolved: [String] = []
        func literal(_ node: Node?) -> String? {
            guard let node else { return nil }
            if let scalar = node.scalar, !scalar.tag.description.hasPrefix("!") { return scalar.string }
            if node.mapping != nil, node["Ref"] == nil, node.mapping?.first?.key.string?.hasPrefix("Fn::") != true { return nil }
            return try? intrinsics.evaluate(node).text
        }
        func source(_ node: Node) -> String {
            if let scalar = node.scalar {
                let tag = scalar.tag.description
                return tag.hasPrefix("!") ? "\(tag) \(scalar.string)" : scalar.string
            }
            return (try? Yams.serialize(node: node)) ?? ""
        }
        /// `!GetAtt X.Arn`, `!Ref X`, `{"Fn::GetAtt": [X, Arn]}` → X; a literal ARN stays as it is.
        func reference(_ node: Node) -> String? {
            let tag = node.tag.description
            if tag == "!Ref" { return node.string }
            if tag == "!GetAtt" { return node.string?.split(separator: ".").first.map(String.init) ?? node.sequence?.first?.string }
            if let ref = node["Ref"]?.string { return ref }
            if let getAtt = node["Fn::GetAtt"] { return getAtt.sequence?.first?.string ?? getAtt.string?.split(separator: ".").first.map(String.init) }
            return literal(node)
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
        var localPaths: [LocalPath] = []
        for (key, resource) in resources {
            guard let logicalID = key.string else { continue }
            let properties = resource["Properties"]
            for property in resource["Type"]?.string.flatMap({ localPathProperties[$0] }) ?? [] {
                let node = property.split(separator: ".").reduce(properties) { node, key in node?[String(key)] }
                // Only plain one-line strings: a tagged value or a {Bucket, Key} mapping is not a local path.
                guard let scalar = node?.scalar, !scalar.tag.description.hasPrefix("!"), !scalar.string.contains("\n"),
                      let path = localPath(scalar.string), let at = location(node) else { continue }
                localPaths.append(LocalPath(logicalID: logicalID, property: property, path: path, location: at))
            }
            switch resource["Type"]?.string {
            case "AWS::Serverless::Function":
                let isImage = literal(setting(properties, "PackageType")) == "Image"
                let codeNode = properties?["CodeUri"] ?? globals?["CodeUri"]
                let runtimeName = literal(setting(properties, "Runtime"))
                var environment: [String: String] = [:]
                for variables in [globals?["Environment"]?["Variables"], properties?["Environment"]?["Variables"]] {
                    for (name, value) in variables?.mapping ?? [:] {
                        guard let name = name.string else { continue }
                        do {
                            environment[name] = try intrinsics.evaluate(value).text
                        } catch let problem as Intrinsics.Unresolved {
                            // Left unset rather than passed on as the template's text.
                            environment[name] = nil
                            unresolved.append("\(logicalID): \(name) (\(source(value).trimmingCharacters(in: .whitespacesAndNewlines))) is left unset: \(problem.reason)")
                        } catch {
                            environment[name] = nil
                        }
                    }
                }
                // SAM adds a function's own layers to those of Globals rather than replacing them.
                let layerNodes = [globals?["Layers"], properties?["Layers"]].flatMap { $0?.sequence.map(Array.init) ?? [] }
                let layerReferences = layerNodes.map { node -> LayerReference in
                    let target = node.tag.description == "!Ref" ? node.string : node["Ref"]?.string
                    if let target, layerIDs.contains(target) { return .local(target) }
                    return .external(source(node))
                }
                let architecture = (setting(properties, "Architectures")?.sequence?.first).flatMap(literal)
                var eventConfig = EventInvokeConfig()
                if let config = properties?["EventInvokeConfig"] {
                    if let retries = literal(config["MaximumRetryAttempts"]).flatMap({ Int($0) }) { eventConfig.maximumRetryAttempts = retries }
                    if let age = literal(config["MaximumEventAgeInSeconds"]).flatMap({ Int($0) }) { eventConfig.maximumEventAgeSeconds = age }
                    eventConfig.onSuccess = config["DestinationConfig"]?["OnSuccess"]?["Destination"].flatMap(reference)
                    eventConfig.onFailure = config["DestinationConfig"]?["OnFailure"]?["Destination"].flatMap(reference)
                }
                let urlConfig = properties?["FunctionUrlConfig"].map { url -> FunctionURLConfig in
                    let cors = url["Cors"].map { node -> FunctionURLConfig.CORS in
                        func list(_ key: String) -> [String] { node[key]?.sequence?.compactMap(literal) ?? [] }
                        var cors = FunctionURLConfig.CORS()
                        cors.allowOrigins = list("AllowOrigins")
                        cors.allowMethods = list("AllowMethods")
                        cors.allowHeaders = list("AllowHeaders")
                        cors.exposeHeaders = list("ExposeHeaders")
                        cors.maxAge = literal(node["MaxAge"]).flatMap { Int($0) } ?? 0
                        cors.allowCredentials = literal(node["AllowCredentials"])?.lowercased() == "true"
                        return cors
                    }
                    return FunctionURLConfig(authType: literal(url["AuthType"]) ?? "AWS_IAM",
                                             invokeMode: literal(url["InvokeMode"]) ?? "BUFFERED", cors: cors)
                }
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
                    isImage: isImage,
                    eventInvokeConfig: eventConfig,
                    functionURL: urlConfig,
                    ephemeralStorageMB: setting(properties, "EphemeralStorage")?["Size"].flatMap(literal).flatMap { Int($0) } ?? LambdaQuotas.defaultEphemeralStorageMB,
                    reservedConcurrency: literal(setting(properties, "ReservedConcurrentExecutions")).flatMap { Int($0) },
                    perTenant: literal(setting(properties, "TenancyConfig")?["TenantIsolationMode"]) == "PER_TENANT",
                    durable: setting(properties, "DurableConfig") != nil,
                    durableSettings: setting(properties, "DurableConfig").map { config in
                        DurableSettings(
                            executionTimeoutSeconds: literal(config["ExecutionTimeout"]).flatMap { Int($0) } ?? DurableSettings.defaultExecutionTimeoutSeconds,
                            retentionDays: literal(config["RetentionPeriodInDays"]).flatMap { Int($0) } ?? DurableSettings.defaultRetentionDays)
                    },
                    autoPublishAlias: literal(setting(properties, "AutoPublishAlias")),
                    // SAM's shape (Arn, ...) or CloudFormation's (LambdaManagedInstancesCapacityProviderConfig: {...}).
                    managedInstances: setting(properties, "CapacityProviderConfig") != nil,
                    perEnvironmentMaxConcurrency: {
                        let config = setting(properties, "CapacityProviderConfig")
                        let inner = config?["LambdaManagedInstancesCapacityProviderConfig"] ?? config
                        return literal(inner?["PerExecutionEnvironmentMaxConcurrency"]).flatMap { Int($0) }
                    }(),
                    apiRoutes: (properties?["Events"]?.mapping ?? [:]).compactMap { _, event -> ApiRoute? in
                        guard let kind = literal(event["Type"]).flatMap(ApiRoute.Kind.init(rawValue:)) else { return nil }
                        let properties = event["Properties"]
                        let path = literal(properties?["Path"])
                        let method = (literal(properties?["Method"]) ?? "ANY").uppercased()
                        let version = kind == .rest ? "1.0" : (literal(properties?["PayloadFormatVersion"]) ?? "2.0")
                        let authorizer = literal(properties?["Auth"]?["Authorizer"])
                        let auth = authorizer == "AWS_IAM"
                        // An HttpApi event with no path is the API's $default route.
                        return ApiRoute(kind: kind, method: method == "ANY" || method == "X-AMAZON-APIGATEWAY-ANY-METHOD" ? "ANY" : method,
                                        path: kind == .http && path == nil ? nil : (path ?? "/"), payloadVersion: version, iamAuth: auth,
                                        authorizer: auth ? nil : authorizer)
                    }.sorted { $0.routeKey < $1.routeKey },
                    logging: {
                        func value(_ key: String) -> String? {
                            literal(properties?["LoggingConfig"]?[key]) ?? literal(globals?["LoggingConfig"]?[key])
                        }
                        var logging = LoggingConfig()
                        logging.logFormat = value("LogFormat") ?? "Text"
                        logging.applicationLogLevel = value("ApplicationLogLevel")
                        logging.systemLogLevel = value("SystemLogLevel")
                        logging.logGroup = value("LogGroup")
                        return logging
                    }()))
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
        var template = SAMTemplate(url: url, text: text,
                                   functions: functions.sorted { $0.logicalID < $1.logicalID },
                                   layers: layers.sorted { $0.logicalID < $1.logicalID },
                                   localPaths: localPaths.sorted { ($0.logicalID, $0.property) < ($1.logicalID, $1.property) })
        template.unresolved = unresolved.sorted()
        template.retained = resources.compactMap { key, resource in
            resource["DeletionPolicy"]?.string == "Retain" ? key.string : nil
        }.sorted()
        template.readAPISettings(root: root, resources: resources, literal: literal)
        template.localResources = localResources(resources: resources, intrinsics: intrinsics)
        return template
    }

    /// Local files, as opposed to `s3://` and `https://` locations.
    private static func localPath(_ uri: String) -> String? {
        let remote = ["s3://", "https://", "http://"].contains { uri.lowercased().hasPrefix($0) }
        return remote || uri.isEmpty ? nil : uri
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

    /// A path written in this template, as a copy of it in `folder` must write it to mean the same
    /// file: relative when it was, so that the project can still move as a whole.
    public func relocated(_ written: String, to folder: URL) -> String {
        guard !written.hasPrefix("/") else { return written }
        let target = resolve(written).pathComponents
        let base = folder.standardizedFileURL.pathComponents
        let shared = zip(target, base).prefix { $0 == $1 }.count
        let parts = Array(repeating: "..", count: base.count - shared) + target.dropFirst(shared)
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    /// The absolute location of a path written relative to the template.
    public func resolve(_ relative: String) -> URL {
        relative.hasPrefix("/") ? URL(fileURLWithPath: relative) : directory.appendingPathComponent(relative).standardizedFileURL
    }
}
