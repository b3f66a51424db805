import ArgumentParser
import LambdaAsyncArchive
import LambdaAsyncCore
import LambdaAsyncScaffold

// Closed value sets parse, complete in every shell, and name the valid choices on a typo.
extension Strategy: ExpressibleByArgument {}
extension Dimension: ExpressibleByArgument {}
extension FrontDoor: ExpressibleByArgument {}
extension OutputFormat: ExpressibleByArgument {}
extension LayerKind: ExpressibleByArgument {}
extension ArtifactKind: ExpressibleByArgument {}
extension Architecture: ExpressibleByArgument {}
extension ProjectLanguage: ExpressibleByArgument {}
extension ExtensionVariant: ExpressibleByArgument {}

extension LambdaRuntime {
    /// A `--runtime` value checked in `validate()`, with the list of runtimes when it is not one.
    static func validated(_ text: String?) throws -> LambdaRuntime? {
        guard let text else { return nil }
        guard let runtime = LambdaRuntime(text) else {
            throw ValidationError("'\(text)' is not a Lambda runtime; use one of: \(LambdaRuntime.supported.joined(separator: ", "))")
        }
        return runtime
    }
}
