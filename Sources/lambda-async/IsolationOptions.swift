import ArgumentParser
import LambdaAsyncEnvironment
import LambdaAsyncService

extension IsolationMode: ExpressibleByArgument {}

/// How close to Lambda's environment `invoke`, `serve` and `compare --measure` run a function.
struct IsolationOptions: ParsableArguments {
    @Option(help: ArgumentHelp("""
        auto: each sandbox is Lambda's environment (read-only /var/task, /opt, private /tmp, memory and CPU \
        limits, cgroup freezer, non-root user) as far as this machine allows, and says once what is missing; \
        strict: refuse to run without it; none: run on the host as is.
        """, valueName: "mode"))
    var isolation: IsolationMode = .auto

    @Flag(help: "Give every function all the CPU it can use, instead of CPU in proportion to its memory (1,769 MB = one vCPU).")
    var noCpuLimit = false

    func apply(to options: inout Sandbox.Options) {
        options.isolation = isolation
        options.cpuLimit = !noCpuLimit
    }

}
