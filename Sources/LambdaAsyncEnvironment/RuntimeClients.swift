import Foundation

/// The runtime interface clients the runner starts for the Python and Node.js managed runtimes,
/// written into the sandbox's runtime folder (LAMBDA_RUNTIME_DIR), and the stand-ins for what those
/// runtimes provide (`node_modules/`), written into `modules`: a folder above the function's code,
/// where ES module resolution looks after the code's own node_modules.
enum RuntimeClients {
    static func install(into directory: URL, modules: URL) throws {
        for file in EmbeddedRuntimeClients.files {
            let url = file.path.hasPrefix("node_modules/")
                ? modules.appendingPathComponent(file.path)
                : directory.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.contents.utf8).write(to: url)
        }
    }
}
