import Foundation

/// One embedded file (generated code refers to it by this name).
struct TemplateFile: Sendable {
    let path: String
    let executable: Bool
    let contents: String
}

/// The runtime interface clients the runner starts for the Python and Node.js managed runtimes,
/// written into the sandbox's runtime folder (LAMBDA_RUNTIME_DIR).
enum RuntimeClients {
    static func install(into directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for file in EmbeddedRuntimeClients.files {
            try Data(file.contents.utf8).write(to: directory.appendingPathComponent(file.path))
        }
    }
}
