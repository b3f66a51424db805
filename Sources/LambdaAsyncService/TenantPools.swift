import Foundation
import LambdaAsyncEnvironment
import NIOConcurrencyHelpers
import NIOHTTP1

/// Tenant isolation (`TenancyConfig` PER_TENANT, November 2025): a function's environments belong to
/// one tenant each, so one tenant's background work never shares a process, a /tmp or a memory with
/// another's. Here: one pool of environments per (function, tenant id), made on the tenant's first call.
final class TenantPools: Sendable {
    private let pools = NIOLockedValueBox<[String: [String: FunctionPool]]>([:])
    private let factories: [String: @Sendable () -> FunctionPool]

    /// `factories`: a new pool for each per-tenant function, by name.
    init(factories: [String: @Sendable () -> FunctionPool]) { self.factories = factories }

    func isPerTenant(_ function: String) -> Bool { factories[function] != nil }

    /// The tenant's pool of `function`, made on first use.
    func pool(_ function: String, tenant: String) -> FunctionPool? {
        guard let make = factories[function] else { return nil }
        return pools.withLockedValue { pools in
            if let pool = pools[function]?[tenant] { return pool }
            let pool = make()
            pools[function, default: [:]][tenant] = pool
            return pool
        }
    }

    /// Every tenant's pools of `function` (nil: of every function).
    func all(_ function: String? = nil) -> [FunctionPool] {
        pools.withLockedValue { pools in function.map { Array((pools[$0] ?? [:]).values) } ?? pools.values.flatMap(\.values) }
    }

    /// A tenant id as Lambda takes it: 1 to 256 printable characters.
    static func problem(_ tenant: String) -> String? {
        guard !tenant.isEmpty, tenant.count <= 256, tenant.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value <= 0x7E }) else {
            return "X-Amz-Tenant-Id must be 1 to 256 printable ASCII characters"
        }
        return nil
    }
}

extension LocalLambda {
    /// Which pool serves a call: the function's own, or, with tenant isolation, the tenant's. A call
    /// without a tenant to a per-tenant function, or with one to a function without tenant isolation,
    /// is refused (400 InvalidParameterValueException) as Lambda refuses it.
    enum PoolChoice {
        case pool(FunctionPool)
        case refused(String)
    }

    func choosePool(_ name: String, tenant: String?) -> PoolChoice? {
        if tenants.isPerTenant(name) {
            guard let tenant, !tenant.isEmpty else {
                return .refused("\(name) has tenant isolation (TenancyConfig PER_TENANT): every invocation names its tenant (X-Amz-Tenant-Id; the SDKs' TenantId, invoke --tenant-id)")
            }
            if let problem = TenantPools.problem(tenant) { return .refused(problem) }
            return tenants.pool(name, tenant: tenant).map(PoolChoice.pool)
        }
        guard let pool = pools[name] else { return nil }
        if let tenant, !tenant.isEmpty {
            return .refused("\(name) has no tenant isolation: drop X-Amz-Tenant-Id (TenantId), or give the function TenancyConfig: {TenantIsolationMode: PER_TENANT}")
        }
        return .pool(pool)
    }

    /// `choosePool` for an HTTP door: the pool, or the caller answered (unknown function, refusal).
    func pool(for target: String, headers: HTTPHeaders, writer: ResponseWriter) -> FunctionPool? {
        let name = functionName(target)
        switch choosePool(name, tenant: headers.first(name: "X-Amz-Tenant-Id")) {
        case .pool(let pool)?: return pool
        case .refused(let reason)?:
            refuse(writer, .badRequest, "InvalidParameterValueException", reason)
            return nil
        case nil:
            unknown(target, writer)
            return nil
        }
    }
}
