import Foundation
import LambdaAsyncEnvironment

/// What `serve` does between requests: idle environments reclaimed, as Lambda reclaims them, and edited
/// code reloaded, as after a deployment.
extension LocalLambda {
    /// Shuts down environments that stayed free for `idleTimeout`, checked every second or so.
    func reapIdleEnvironments() -> Task<Void, Never> {
        let pools = pools, tenants = tenants, timeout = options.idleTimeout, log = options.log
        return Task.detached(priority: .utility) {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(min(1, timeout / 2) * 1_000_000_000))
                let tenantPools = tenants.all().map { ($0.config.name + " (a tenant's)", $0) }
                for (name, pool) in Array(pools) + tenantPools where !Task.isCancelled {
                    let count = await pool.shutDownIdle(olderThan: timeout)
                    if count > 0 { log("\(name): \(count) environment(s) idle for \(Int(timeout)) s shut down; the next invocation starts cold") }
                }
            }
        }
    }

    /// Polls every function's folders; an edit recycles that function's environments.
    func watchCode() -> Task<Void, Never> {
        let watched = functions.values.map { ($0.config.name, [$0.config.code] + $0.config.layers) }
        let pools = pools, tenants = tenants, log = options.log, interval = options.reloadInterval, output = CodeFingerprint.ownOutputFiles
        return Task.detached(priority: .utility) {
            var seen = Dictionary(uniqueKeysWithValues: watched.map { ($0.0, CodeFingerprint($0.1, ignoring: output)) })
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(interval * 1_000_000_000))
                for (name, folders) in watched where !Task.isCancelled {
                    let now = CodeFingerprint(folders, ignoring: output)
                    guard now != seen[name] else { continue }
                    seen[name] = now
                    log("\(name): code changed; its next invocation starts cold with it")
                    await pools[name]?.codeChanged()
                    for pool in tenants.all(name) { await pool.codeChanged() }
                }
            }
        }
    }
}
