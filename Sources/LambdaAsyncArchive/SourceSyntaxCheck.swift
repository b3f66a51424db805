import Foundation
import LambdaAsyncCore

/// The function's own Python and JavaScript sources compiled before they ship, as the runtime will
/// compile them at import: a syntax error is a `Runtime.UserCodeSyntaxError` (Python) or
/// `Runtime.UserCodeSyntaxError`/`SyntaxError` at init (Node.js) on Lambda, found here with its file and
/// line instead. Dependencies (`node_modules`, what an installer put beside the code) are not checked:
/// their authors ran them.
public enum SourceSyntaxCheck {
    /// Findings for the sources under `code` of a function on `runtime`; a warning when the compiler
    /// (python3, node) is not on this machine.
    /// `shownAs`: how the code's folder is named in a finding (the template's CodeUri). `memo`: a file
    /// remembering which sources passed (by size and modification time), so an unchanged source is not
    /// compiled again: a warm `package` costs no interpreter start.
    public static func findings(code: URL, runtime: LambdaRuntime?, shownAs: String = "", memo: URL? = nil) -> [Finding] {
        guard let runtime, [.python, .node].contains(runtime.family) else { return [] }
        let python = runtime.family == .python
        let all = sources(under: code, extensions: python ? ["py"] : ["js", "mjs", "cjs"])
        let stamps = Dictionary(all.map { ($0, stamp(code.appendingPathComponent($0).path)) }, uniquingKeysWith: { a, _ in a })
        let passed = memo.flatMap { try? JSONDecoder().decode([String: String].self, from: Data(contentsOf: $0)) } ?? [:]
        let files = all.filter { passed[$0] == nil || passed[$0] != stamps[$0] }
        guard !files.isEmpty else { return [] }
        let prefix = shownAs.isEmpty || shownAs == "." || shownAs == "./" ? "" : (shownAs.hasSuffix("/") ? shownAs : shownAs + "/")
        let found = python ? checkPython(files, root: code) : checkNode(files, root: code)
        if let memo {
            if found.isEmpty {
                // Remembered only when every file passed: a failing one is compiled again next time.
                try? FileManager.default.createDirectory(at: memo.deletingLastPathComponent(), withIntermediateDirectories: true)
                try? JSONEncoder().encode(stamps).write(to: memo, options: .atomic)
            } else {
                try? FileManager.default.removeItem(at: memo)
            }
        }
        return found.map { $0.severity == .error ? .error(prefix + $0.message) : $0 }
    }

    static func stamp(_ path: String) -> String {
        var status = stat()
        guard stat(path, &status) == 0 else { return "" }
        return "\(status.st_size):\(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)"
    }

    static func sources(under root: URL, extensions: Set<String>) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if ["node_modules", "__pycache__", ".lambda-async", ".git"].contains(name) || name.hasSuffix(".dist-info") || name.hasSuffix(".egg-info") {
                walker.skipDescendants()
                continue
            }
            if extensions.contains((name as NSString).pathExtension) { found.append(relative) }
        }
        return found.sorted()
    }

    /// One Python for every file: `compile` as import does, nothing written.
    static func checkPython(_ files: [String], root: URL) -> [Finding] {
        let script = """
            import json, sys
            for path in sys.argv[1:]:
                try:
                    with open(path, "rb") as f:
                        compile(f.read(), path, "exec", dont_inherit=True)
                except SyntaxError as e:
                    print(json.dumps([path, e.lineno or 0, e.msg]))
            """
        guard let python = ExternalCommand.find("python3"),
              let result = try? ExternalCommand.run(python, ["-c", script] + files, in: root) else {
            return [.warning("python3 is not on this machine: the sources' syntax was not checked")]
        }
        // Only its JSON lines are findings (a warning Python prints on the shared pipe is not).
        return result.output.split(separator: "\n").compactMap { line in
            guard let item = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [Any], item.count == 3 else { return nil }
            return .error("\(item[0]):\(item[1]): SyntaxError: \(item[2]) (on Lambda: Runtime.UserCodeSyntaxError at init); fix it before it ships")
        }
    }

    /// `node --check` per file: the parse Node.js does at import.
    static func checkNode(_ files: [String], root: URL) -> [Finding] {
        guard let node = ExternalCommand.find("node") else {
            return [.warning("node is not on this machine: the sources' syntax was not checked")]
        }
        var findings: [Finding] = []
        for file in files {
            guard let result = try? ExternalCommand.run(node, ["--check", file], in: root), result.status != 0 else { continue }
            let output = result.output
            // "file:LINE\n<code>\n<caret>\n\nSyntaxError: message"
            // "/abs/path/file.mjs:LINE", the code, a caret, then "SyntaxError: message".
            let lines = output.split(separator: "\n").map(String.init)
            let line = lines.first.flatMap { $0.split(separator: ":").last.flatMap { Int($0) } }
            let message = lines.first { $0.hasPrefix("SyntaxError") } ?? lines.last ?? "SyntaxError"
            findings.append(.error("\(file)\(line.map { ":\($0)" } ?? ""): \(message) (on Lambda: Runtime.UserCodeSyntaxError at init); fix it before it ships"))
        }
        return findings
    }
}
