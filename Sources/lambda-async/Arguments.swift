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
