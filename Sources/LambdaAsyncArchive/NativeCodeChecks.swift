import LambdaAsyncCore

/// Whether the native code in a zip will load on Lambda: every ELF file's CPU against the function's
/// architecture, the glibc and libstdc++ versions it needs against the runtime's Amazon Linux, the
/// libraries it names against the zip and the runtime image, and a CPython extension module's ABI
/// against the runtime's Python. What cannot load is an error; what may not, a warning. Each finding
/// names the file, the symbol or library, and the fix.
struct NativeCodeChecks {
    let kind: ArtifactKind
    let runtime: LambdaRuntime?
    /// The function's architecture; nil when unknown (`inspect` without `--arch`): the files must then
    /// at least agree with each other.
    let architecture: Architecture?

    /// Files worth opening: programs (an executable bit), shared objects and Node.js addons. An ELF
    /// file without any of these would not be loaded by anything.
    static func mayBeNative(_ entry: ZipEntry) -> Bool {
        guard entry.kind == .file else { return false }
        if entry.permissions & 0o111 != 0 { return true }
        // `.so`, `.so.1.2` or `.node` in the last path component (plain Swift: this runs for every file).
        let name = entry.path.utf8.split(separator: UInt8(ascii: "/")).last ?? entry.path.utf8[...]
        let parts = name.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).dropFirst()
        return parts.contains { $0.elementsEqual("so".utf8) } || parts.last?.elementsEqual("node".utf8) == true
    }

    /// The OS the checks hold files to: the runtime's, or the one a bootstrap or layer most likely meets.
    var os: LambdaOS { runtime?.os ?? .amazonLinux2023 }
    private var target: String { runtime.map { "\($0.identifier) (\(os.rawValue))" } ?? os.rawValue }

    /// `head` gives a file's first bytes (at least four) where that is cheaper than `contents`.
    func run(_ entries: [ZipEntry], contents: (String) -> [UInt8]?, head: (String) -> [UInt8]?) -> [Finding] {
        var findings: [Finding] = []
        // The file names in the zip, for DT_NEEDED: gathered at the first ELF file, if there is one.
        var shipped: Set<String>?
        var machines: [ELFFile.Machine: String] = [:]
        for entry in entries where Self.mayBeNative(entry) {
            guard let start = head(entry.path), ELFFile.hasMagic(start), let bytes = contents(entry.path) else { continue }
            guard let elf = ELFFile(bytes) else {
                findings.append(.warning("\(entry.path) looks like an ELF file but could not be read as one (truncated?): check that it was copied whole"))
                continue
            }
            if shipped == nil {
                shipped = Set(entries.filter { $0.kind != .directory }.compactMap { $0.path.split(separator: "/").last.map(String.init) })
            }
            findings += check(entry.path, elf, shipped: shipped ?? [])
            machines[elf.machine] = machines[elf.machine] ?? entry.path
        }
        if architecture == nil, let x86 = machines[.x86_64], let arm = machines[.aarch64] {
            findings.append(.error("the zip mixes CPUs: \(x86) is x86_64 and \(arm) is arm64 (aarch64); a function runs on one: rebuild one of them"))
        }
        return findings
    }

    private func check(_ path: String, _ elf: ELFFile, shipped: Set<String>) -> [Finding] {
        var findings: [Finding] = []
        let fixBuild = "build it for \(os.rawValue) (in its image, or with an older toolchain), or link it statically"
        guard elf.is64Bit else {
            return [.error("\(path) is a 32-bit ELF file; Lambda runs 64-bit code only (x86_64 or arm64): rebuild it for 64 bits")]
        }
        switch (elf.machine, architecture) {
        case (.other(let number), _):
            findings.append(.error("\(path) is built for ELF machine \(number), which Lambda does not run (it runs x86_64 and arm64): rebuild it"))
        case (let machine, let architecture?) where machine != (architecture == .x86_64 ? .x86_64 : .aarch64):
            findings.append(.error("\(path) is built for \(machine), but the function runs on \(architecture.rawValue): it fails with \"Exec format error\" or cannot be loaded; rebuild it for \(architecture.rawValue), or set Architectures: [\(architecture == .x86_64 ? "arm64" : "x86_64")]"))
        default:
            break
        }
        for need in elf.versions(prefix: "GLIBC_", newerThan: os.glibc) {
            findings.append(.error("\(path) needs \(need.version)\(Self.symbols(need)), newer than the glibc \(Self.dotted(os.glibc)) of \(target): it fails to load with \"version `\(need.version)' not found\"; \(fixBuild)"))
        }
        for need in elf.versions(prefix: "GLIBCXX_", newerThan: os.glibcxx) {
            findings.append(.error("\(path) needs \(need.version)\(Self.symbols(need)), newer than the libstdc++ of \(target) (GLIBCXX_\(Self.dotted(os.glibcxx))): it fails to load; \(fixBuild), or ship a libstdc++.so.6 that has it in lib/"))
        }
        for library in elf.needed where !LambdaOS.baseLibraries.contains(library) && !shipped.contains(library) {
            findings.append(.warning("\(path) needs \(library), which is not in the zip and not in every Lambda runtime: ship it in lib/ (on LD_LIBRARY_PATH as /var/task/lib), or check that a layer puts it in /opt/lib"))
        }
        if let module = Self.pythonABI(path), let runtime, runtime.family == .python, let version = runtime.pythonVersion {
            let expected = version.replacingOccurrences(of: ".", with: "")
            if module.tag != expected {
                findings.append(.error("\(path) is a CPython \(module.tag.prefix(1)).\(module.tag.dropFirst()) extension module (cpython-\(module.tag)), but \(runtime.identifier) runs Python \(version): importing it fails with ImportError; install the wheel for cp\(expected) (package resolves requirements.txt for the runtime's Python)"))
            }
        }
        return findings
    }

    /// `numpy/core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so` → ("311", "x86_64").
    static func pythonABI(_ path: String) -> (tag: String, cpu: String)? {
        guard let name = path.split(separator: "/").last, let range = name.range(of: ".cpython-") else { return nil }
        let parts = name[range.upperBound...].split(separator: "-")
        guard parts.count >= 2, let tag = parts.first, tag.allSatisfy(\.isNumber) else { return nil }
        return (String(tag), String(parts[1]))
    }

    private static func dotted(_ numbers: [Int]) -> String { numbers.map(String.init).joined(separator: ".") }

    private static func symbols(_ need: ELFFile.VersionNeed) -> String {
        guard !need.symbols.isEmpty else { return "" }
        let shown = need.symbols.sorted().prefix(3).joined(separator: ", ")
        return " (for \(shown)\(need.symbols.count > 3 ? " and \(need.symbols.count - 3) more" : ""))"
    }
}

