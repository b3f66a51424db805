import ArgumentParser
import LambdaAsyncCore
import LambdaAsyncService

/// `invoke` and `serve` on Lambda Managed Instances without editing the template.
struct PlatformOptions: ParsableArguments {
    @Option(help: ArgumentHelp("lambda (the template's own platform) or managed-instances: run every function as on Lambda Managed Instances (never frozen, up to its concurrency at once per environment), as a CapacityProviderConfig would.",
                               valueName: "platform"))
    var platform: Platform = .lambda

    func apply(to functions: inout [LocalLambda.Function]) {
        guard platform == .managedInstances else { return }
        for index in functions.indices where functions[index].config.managedConcurrency == nil {
            functions[index].config.managedConcurrency = functions[index].config.defaultManagedConcurrency
        }
    }
}
