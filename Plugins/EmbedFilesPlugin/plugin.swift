import Foundation
import PackagePlugin

/// Embeds `Templates/` into LambdaAsyncScaffold and `RuntimeClients/` into LambdaAsyncEnvironment as
/// generated Swift source, at every build that changes them.
@main
struct EmbedFilesPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let source: URL
        let enumName: String
        switch target.name {
        case "LambdaAsyncScaffold":
            source = context.package.directoryURL.appendingPathComponent("Templates")
            enumName = "EmbeddedTemplates"
        case "LambdaAsyncEnvironment":
            source = context.package.directoryURL.appendingPathComponent("Sources/LambdaAsyncEnvironment/RuntimeClients")
            enumName = "EmbeddedRuntimeClients"
        default:
            return []
        }
        let inputs = (FileManager.default.enumerator(at: source, includingPropertiesForKeys: [.isRegularFileKey])?
            .compactMap { $0 as? URL } ?? [])
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("\(enumName).swift")
        return [
            .buildCommand(
                displayName: "Embedding \(source.lastPathComponent) in \(target.name)",
                executable: try context.tool(named: "EmbedFiles").url,
                arguments: [source.path, output.path, enumName],
                inputFiles: inputs,
                outputFiles: [output]
            ),
        ]
    }
}
