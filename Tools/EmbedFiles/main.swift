// Writes a Swift file that embeds a folder's files as string literals, so the lambda-async binary
// carries its templates and runtime clients: copied alone anywhere, it still has them.
// Run by EmbedFilesPlugin at build time: EmbedFiles SOURCE_DIR OUTPUT_FILE ENUM_NAME
import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 4 else {
    FileHandle.standardError.write(Data("usage: EmbedFiles SOURCE_DIR OUTPUT_FILE ENUM_NAME\n".utf8))
    exit(64)
}
let source = URL(fileURLWithPath: arguments[1]).standardizedFileURL
let output = URL(fileURLWithPath: arguments[2])
let enumName = arguments[3]

/// A raw string literal whose delimiter appears nowhere in the text.
func literal(_ text: String) -> String {
    var hashes = 1
    while text.contains("\"" + String(repeating: "#", count: hashes)) || text.contains("\\" + String(repeating: "#", count: hashes)) {
        hashes += 1
    }
    let h = String(repeating: "#", count: hashes)
    return text.contains("\n") ? "\(h)\"\"\"\n\(text)\n\"\"\"\(h)" : "\(h)\"\(text)\"\(h)"
}

var entries: [String] = []
let manager = FileManager.default
let paths = (manager.enumerator(atPath: source.path)?.compactMap { $0 as? String } ?? [])
    .filter { path in
        var isDirectory: ObjCBool = false
        return manager.fileExists(atPath: source.appendingPathComponent(path).path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
    .filter { $0 != "README.md" }
    .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
for path in paths {
    let url = source.appendingPathComponent(path)
    guard let text = try? String(contentsOf: url, encoding: .utf8) else {
        FileHandle.standardError.write(Data("\(url.path) is not UTF-8 text\n".utf8))
        exit(1)
    }
    let mode = (try? manager.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int) ?? 0o644
    entries.append("""
                EmbeddedFile(
                    path: \(literal(path)),
                    executable: \(mode & 0o100 != 0),
                    contents: \(literal(text))
                ),
        """)
}
let swift = """
    // Generated at build time by EmbedFilesPlugin from \(source.lastPathComponent)/. Do not edit.

    import LambdaAsyncCore

    enum \(enumName) {
        static let files: [EmbeddedFile] = [
    \(entries.joined(separator: "\n"))
        ]
    }

    """
// Rewrite only on change, so an unchanged folder does not recompile its module.
if (try? String(contentsOf: output, encoding: .utf8)) != swift {
    try swift.write(to: output, atomically: true, encoding: .utf8)
}
