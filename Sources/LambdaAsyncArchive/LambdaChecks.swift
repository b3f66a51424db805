import LambdaAsyncCore

/// The checks that stand between a zip and the errors Lambda would give at deploy or invoke time:
/// `Runtime.InvalidEntrypoint`, `fork/exec /opt/extensions/...: permission denied`,
/// `Runtime.ImportModuleError`, `Runtime.HandlerNotFound`. The same checks run on the plan of a
/// zip we are about to write and on any zip `inspect` is given.
public struct LambdaChecks {
    public let kind: ArtifactKind
    public let runtime: LambdaRuntime?
    public let handler: String?
    /// The function's architecture, for the native code checks (nil: unknown).
    public let architecture: Architecture?
    /// Where an entry comes from on disk, so a fix names the file to edit (the entry path for zips).
    let origin: @Sendable (String) -> String

    public init(kind: ArtifactKind, runtime: LambdaRuntime? = nil, handler: String? = nil, architecture: Architecture? = nil,
                origin: @escaping @Sendable (String) -> String = { $0 }) {
        self.kind = kind
        self.runtime = runtime
        self.handler = handler
        self.architecture = architecture
        self.origin = origin
    }

    /// - Parameters:
    ///   - contents: the bytes of a file entry, by path (nil when it cannot be read).
    ///   - head: its first bytes, when reading them is cheaper than reading it all (files on disk):
    ///     native code is read whole only when it starts as an ELF file.
    public func run(_ entries: [ZipEntry], contents: (String) -> [UInt8]?, head: ((String) -> [UInt8]?)? = nil) -> [Finding] {
        var findings: [Finding] = []
        let byPath = Dictionary(entries.map { ($0.path, $0) }, uniquingKeysWith: { $1 })

        for entry in entries {
            if (try? ZipEntry.validate(entry.path)) == nil {
                findings.append(.error("entry '\(entry.path)' would be unpacked outside the code folder; rebuild the zip from a folder"))
            }
            if case .symlink(let target) = entry.kind, let problem = ArtifactPlan.escapes(link: entry.path, target: target) {
                findings.append(.error("\(entry.path) is a symbolic link to \(target), \(problem); copy the file into the folder instead"))
            }
            if entry.kind == .file, entry.permissions & 0o004 == 0 {
                findings.append(.error("\(entry.path) has mode \(Self.octal(entry.permissions)): Lambda runs your code as another user, who cannot read it; make it world-readable (0644)"))
            }
        }

        let needsBootstrap = kind == .bootstrap || runtime?.needsBootstrap == true
        if needsBootstrap || byPath["bootstrap"] != nil, kind != .layer {
            findings += checkExecutable("bootstrap", in: byPath, required: needsBootstrap, contents: contents,
                                        missing: "there is no bootstrap at the root of the zip: \(runtime.map { "\($0.identifier) " } ?? "a provided.* runtime ")starts ./bootstrap and fails with Runtime.InvalidEntrypoint without one")
        }
        if kind == .layer {
            for entry in entries where entry.kind == .file && ModePolicy.isExtension(entry.path) {
                findings += checkExecutable(entry.path, in: byPath, required: true, contents: contents, missing: "")
            }
            findings += layerLayout(entries)
        }
        if kind == .function, let runtime, let handler {
            switch runtime.family {
            case .python: findings += pythonHandler(handler, byPath, contents)
            case .node: findings += nodeHandler(handler, byPath, contents)
            default: break
            }
        }

        // A bootstrap with no runtime named most likely meets provided.al2023.
        let native = NativeCodeChecks(kind: kind, runtime: runtime ?? (kind == .bootstrap ? .defaultProvided : nil), architecture: architecture)
        if let head {
            findings += native.run(entries, contents: contents, head: head)
        } else {
            findings += native.run(entries, contents: contents, head: contents)
        }

        let unzipped = entries.reduce(Int64(0)) { $0 + $1.size }
        if unzipped > Int64(LambdaQuotas.unzippedFunctionAndLayersBytes) {
            findings.append(.error("unzipped, this is \(ByteSize.describe(Int(unzipped))), over Lambda's 250 MB for a function and all its layers together (moving code to a layer does not help); trim what ships (exclude tests, docs and caches; boto3 is in the Python runtime already) or deploy it as a container image, which may be 10 GB"))
        }
        return findings
    }

    private func checkExecutable(_ path: String, in byPath: [String: ZipEntry], required: Bool,
                                 contents: (String) -> [UInt8]?, missing: String) -> [Finding] {
        guard let entry = byPath[path] else { return required ? [.error(missing)] : [] }
        var findings: [Finding] = []
        switch entry.kind {
        case .directory:
            return [.error("\(path) is a folder; Lambda needs an executable file there")]
        case .symlink:
            return []
        case .file:
            if !entry.isExecutable {
                findings.append(.error("\(path) has mode \(Self.octal(entry.permissions)), not executable: Lambda fails with \(path == "bootstrap" ? "Runtime.InvalidEntrypoint" : "permission denied"); rebuild the zip with lambda-async package, which stores it as 0755"))
            }
            if let head = contents(path), head.starts(with: Array("#!".utf8)) {
                let firstLine = head.prefix { $0 != 0x0A }
                if firstLine.last == 0x0D {
                    findings.append(.error("\(path) has Windows line endings (CRLF) in its #! line: the kernel looks for an interpreter whose name ends in \\r and fails; convert it with `sed -i 's/\\r$//' \(origin(path))` or `dos2unix`"))
                }
            }
        }
        return findings
    }

    /// Files a layer puts where no runtime looks.
    private func layerLayout(_ entries: [ZipEntry]) -> [Finding] {
        let topLevel = Set(entries.map { String($0.path.split(separator: "/").first ?? "") })
        var findings: [Finding] = []
        if entries.contains(where: { $0.kind == .file && !$0.path.utf8.contains(UInt8(ascii: "/")) && $0.path.hasSuffix(".py") }) && !topLevel.contains("python") {
            findings.append(.warning("Python files at the layer's root land in /opt, which is not on sys.path; put them under python/ (--layer-kind python)"))
        }
        if topLevel.contains("node_modules") {
            findings.append(.warning("node_modules at the layer's root lands in /opt/node_modules, which Node.js does not search; put it under nodejs/ (--layer-kind node)"))
        }
        return findings
    }

    private func pythonHandler(_ handler: String, _ byPath: [String: ZipEntry], _ contents: (String) -> [UInt8]?) -> [Finding] {
        guard let dot = handler.lastIndex(of: "."), dot != handler.startIndex else {
            return [.error("handler '\(handler)' is not module.function (for example app.handler)")]
        }
        let module = handler[..<dot].replacingOccurrences(of: ".", with: "/")
        let function = String(handler[handler.index(after: dot)...])
        let candidates = ["\(module).py", "\(module)/__init__.py"]
        guard let file = candidates.first(where: { byPath[$0] != nil }) else {
            return [.error("handler '\(handler)' needs \(candidates[0]) in the zip, and there is none: Lambda fails with Runtime.ImportModuleError; fix Handler or CodeUri")]
        }
        guard let text = contents(file).map({ String(decoding: $0, as: UTF8.self) }) else { return [] }
        let defines = text.split(separator: "\n").contains { line in
            line.hasPrefix("def \(function)(") || line.hasPrefix("async def \(function)(")
                || line.hasPrefix("\(function) =") || line.hasPrefix("\(function)=")
                || (line.hasPrefix("from ") && line.contains(" import ") && line.contains(function))
        }
        guard defines else {
            return [.error("\(file) defines no top-level '\(function)': Lambda fails with Runtime.HandlerNotFound; fix Handler or add `def \(function)(event, context):`")]
        }
        // Lambda's Python runtime calls the handler and does not await it: an `async def` handler
        // returns a coroutine that never runs, and the invocation fails with Runtime.MarshalError.
        if text.split(separator: "\n").contains(where: { $0.hasPrefix("async def \(function)(") }) {
            return [.error("\(file): `async def \(function)` is never awaited by Lambda's Python runtime (the invocation fails with Runtime.MarshalError): make it `def \(function)(event, context):` and run the coroutine inside with `asyncio.run(...)`")]
        }
        return []
    }

    private func nodeHandler(_ handler: String, _ byPath: [String: ZipEntry], _ contents: (String) -> [UInt8]?) -> [Finding] {
        guard let dot = handler.lastIndex(of: "."), dot != handler.startIndex else {
            return [.error("handler '\(handler)' is not file.export (for example index.handler)")]
        }
        let module = String(handler[..<dot])
        let export = String(handler[handler.index(after: dot)...])
        let candidates = ["js", "mjs", "cjs"].map { "\(module).\($0)" }
        guard let file = candidates.first(where: { byPath[$0] != nil }) else {
            return [.error("handler '\(handler)' needs \(candidates.joined(separator: ", ")) in the zip, and there is none: Lambda fails with Runtime.ImportModuleError; fix Handler or CodeUri")]
        }
        guard let text = contents(file).map({ String(decoding: $0, as: UTF8.self) }) else { return [] }
        let forms = ["exports.\(export)", "export const \(export)", "export let \(export)", "export var \(export)",
                     "export function \(export)", "export async function \(export)"]
        let exported = forms.contains { text.contains($0) }
            || (text.contains("export {") || text.contains("module.exports")) && text.contains(export)
        return exported ? [] : [.error("\(file) exports no '\(export)': Lambda fails with Runtime.HandlerNotFound; fix Handler or export the function")]
    }

    static func octal(_ permissions: UInt32) -> String {
        "0" + String(permissions & 0o7777, radix: 8)
    }
}
