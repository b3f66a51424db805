import Foundation
import LambdaAsyncCore
import LambdaAsyncProject

/// `package` on a SAM project: one zip per function and per layer with local code, and a copy of
/// the template that points at them, so `sam deploy --template-file` deploys exactly those bytes.
public struct ProjectPackager {
    public let template: SAMTemplate
    public let output: URL
    public let excludes: [String]
    public let options: PackagingOptions

    public init(template: SAMTemplate, output: URL? = nil, excludes: [String] = [], options: PackagingOptions = .init()) {
        self.template = template
        self.output = output ?? template.directory.appendingPathComponent(".lambda-async/build")
        self.excludes = excludes
        self.options = options
    }

    public struct Outcome: Sendable {
        public let artifacts: [ArtifactResult]
        /// The template that deploys the zips.
        public let template: URL
        /// Functions and layers left as they are (S3 code, images, prebuilt zips).
        public let skipped: [String]
    }

    public func package() throws -> Outcome {
        // What a killed earlier run left half-written goes first, whatever this run then finds to do
        // (every zip up to date included).
        TemporaryFiles.sweep(output)
        var plans: [(plan: ArtifactPlan, zip: URL, extra: [Finding])] = []
        var skipped: [String] = []
        var layerBytes: [String: Int64] = [:]

        for layer in template.layers {
            guard let uri = layer.contentURI, !uri.hasSuffix(".zip") else {
                skipped.append("\(layer.logicalID): \(Self.notBuilt(layer.contentURI))")
                continue
            }
            let spec = ArtifactSpec(name: layer.logicalID, kind: .layer, sources: [ArtifactSource(root: template.resolve(uri))],
                                    excludes: excludes)
            let plan = try ArtifactPlan(spec: spec)
            layerBytes[layer.logicalID] = plan.unzippedBytes
            plans.append((plan, zipURL(layer.logicalID), []))
        }

        for function in template.functions {
            guard let plan = try plan(for: function) else {
                skipped.append("\(function.logicalID): \(function.isImage ? "a container image" : Self.notBuilt(function.codeURI))")
                continue
            }
            plans.append((plan, zipURL(function.logicalID), functionLimits(function, unzipped: plan.unzippedBytes, layerBytes: layerBytes)))
        }

        // Every check of every artifact before the first byte is written.
        let failures = plans.flatMap { entry in
            (Packager.check(entry.plan) + entry.extra).errors.map { "\(entry.plan.spec.name): \($0.message)" }
        }
        guard failures.isEmpty else {
            throw PackagingError.projectChecksFailed(template: template.url.path, problems: failures)
        }

        let results = try plans.map { try Packager.build($0.plan, to: $0.zip, options: options, extraFindings: $0.extra) }
        let written = try writeTemplate(for: results)
        return Outcome(artifacts: results, template: written, skipped: skipped)
    }

    func zipURL(_ logicalID: String) -> URL { output.appendingPathComponent("\(logicalID).zip") }

    /// A function's zip as it will ship: its code, its dependencies installed for Lambda's platform,
    /// the excludes applied. Nil when its code is not a local folder (S3, an image, a prebuilt zip).
    func plan(for function: SAMTemplate.Function) throws -> ArtifactPlan? {
        guard let uri = function.codeURI, !uri.hasSuffix(".zip") else { return nil }
        let installer = DependencyInstaller(cacheDirectory: template.directory.appendingPathComponent(".lambda-async/deps"))
        let code = template.resolve(uri)
        var sources = [ArtifactSource(root: code)]
        if let dependencies = try installer.install(for: code, runtime: function.runtime, architecture: function.architecture) {
            sources.insert(dependencies, at: 0)
        }
        let spec = ArtifactSpec(name: function.logicalID, kind: .function, sources: sources,
                                runtime: function.runtime, handler: function.handler, excludes: excludes,
                                architecture: function.architecture)
        return try ArtifactPlan(spec: spec)
    }

    /// A local layer's zip as it will ship; nil when its content is not a local folder.
    func plan(for layer: SAMTemplate.Layer) throws -> ArtifactPlan? {
        guard let uri = layer.contentURI, !uri.hasSuffix(".zip") else { return nil }
        let spec = ArtifactSpec(name: layer.logicalID, kind: .layer, sources: [ArtifactSource(root: template.resolve(uri))], excludes: excludes)
        return try ArtifactPlan(spec: spec)
    }

    /// Limits that belong to a function with its layers rather than to one zip.
    func functionLimits(_ function: SAMTemplate.Function, unzipped: Int64, layerBytes: [String: Int64]) -> [Finding] {
        var findings: [Finding] = []
        // A runtime Lambda does not have: CloudFormation refuses the function.
        if let name = function.runtimeName, function.runtime == nil {
            let near = Suggestion.nearest(to: name, in: LambdaRuntime.supported, maximum: 3)
            let family = LambdaRuntime.supported.filter { $0.prefix(while: \.isLetter) == name.prefix(while: \.isLetter) }
            findings.append(.error("its Runtime \(name) is not a Lambda runtime: "
                                   + (near.map { "did you mean \($0)? " } ?? "")
                                   + (family.isEmpty ? "see lambda-async new --list" : "Lambda has \(family.joined(separator: ", "))")))
        }
        // Its own sources, compiled as the runtime will: a syntax error fails every cold start there.
        if let uri = function.codeURI, !uri.hasSuffix(".zip") {
            findings += SourceSyntaxCheck.findings(code: template.resolve(uri), runtime: function.runtime, shownAs: uri,
                                                   memo: template.directory.appendingPathComponent(".lambda-async/build/.syntax-\(function.logicalID).json"))
        }
        if function.layers.count > LambdaQuotas.layersPerFunction {
            findings.append(.error("it uses \(function.layers.count) layers; Lambda allows \(LambdaQuotas.layersPerFunction): merge some of them"))
        }
        let environmentBytes = function.environment.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        if environmentBytes > LambdaQuotas.environmentVariablesBytes {
            findings.append(.error("its environment variables take \(environmentBytes) bytes; Lambda allows 4 KB in all: move large values to SSM Parameter Store or a file in the code"))
        }
        let total = function.layers.reduce(unzipped) { sum, layer in
            if case .local(let id) = layer { return sum + (layerBytes[id] ?? 0) }
            return sum
        }
        if total > Int64(LambdaQuotas.unzippedFunctionAndLayersBytes) {
            findings.append(.error("unzipped, it and its layers take \(ByteSize.describe(Int(total))), over Lambda's 250 MB for a function and all its layers together (moving code between them does not help): trim what ships (exclude tests, docs and caches; boto3 is in the Python runtime already) or deploy it as a container image, which may be 10 GB"))
        }
        return findings
    }

    /// Why a function or layer gets no zip of ours.
    private static func notBuilt(_ uri: String?) -> String {
        guard let uri else { return "its code is not on this disk (S3, inline or none)" }
        return "\(uri) is a zip already"
    }

    private func writeTemplate(for results: [ArtifactResult]) throws -> URL {
        var rewriter = TemplateRewriter(template)
        let built = Set(results.map(\.name))
        for function in template.functions where built.contains(function.logicalID) {
            let zip = "\(function.logicalID).zip"
            if let location = function.codeURILocation {
                rewriter.replaceValue(at: location, with: zip)
            } else if let properties = function.propertiesLocation {
                // CodeUri came from Globals: give the function its own.
                rewriter.insertProperty("CodeUri", value: zip, before: properties)
            }
        }
        for layer in template.layers where built.contains(layer.logicalID) {
            if let location = layer.contentURILocation { rewriter.replaceValue(at: location, with: "\(layer.logicalID).zip") }
        }
        // Every other local path (an API's DefinitionUri, a prebuilt zip, a nested application)
        // still means the same file from the copy's folder.
        for path in template.localPaths where !(built.contains(path.logicalID) && ["CodeUri", "ContentUri"].contains(path.property)) {
            rewriter.replaceValue(at: path.location, with: template.relocated(path.path, to: output))
        }
        let destination = output.appendingPathComponent("template.yaml")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        try Data(rewriter.text.utf8).write(to: destination, options: .atomic)
        return destination
    }
}
