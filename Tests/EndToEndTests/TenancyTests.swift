import Foundation
import Testing
import TestSupport

/// Tenant isolation (`TenancyConfig: {TenantIsolationMode: PER_TENANT}`): serve routes each call to
/// environments of its tenant only (boto3's TenantId, X-Amz-Tenant-Id), refuses a call without one as
/// Lambda does, and invoke --tenant-id picks one. Two tenants never share a process or a /tmp.
@Suite(.timeLimit(.minutes(5))) struct TenancyTests {
    static func project() throws -> URL {
        let project = try makeTemporaryDirectory("lambda-async-tenancy")
        try writeSingleFunctionProject(at: project, name: "Tenanted", runtime: "python3.12", timeout: 10, extra: """
                  TenancyConfig:
                    TenantIsolationMode: PER_TENANT

            """, files: ["app.py": """
                import os, uuid
                ENVIRONMENT = str(uuid.uuid4())  # made once per environment (each has its own pid namespace too)
                def handler(event, context):
                    # What the last call of the same environment left in /tmp, then this call's mark.
                    path = "/tmp/last-tenant"
                    before = open(path).read() if os.path.exists(path) else None
                    open(path, "w").write(context.tenant_id)
                    return {"tenant": context.tenant_id, "environment": ENVIRONMENT, "before": before}
                """])
        return project
    }

    @Test func twoTenantsNeverShareAnEnvironment() async throws {
        let project = try Self.project()
        defer { try? FileManager.default.removeItem(at: project) }
        let server = try await ServeTests.Server(project: project)
        let result = try await TestSupport.run("python3", ["-c", boto3ClientPreamble + """
            def call(tenant):
                kwargs = {"TenantId": tenant} if tenant else {}
                try:
                    r = lam.invoke(FunctionName="Tenanted", Payload=b"{}", **kwargs)
                    return json.loads(r["Payload"].read())
                except lam.exceptions.InvalidParameterValueException as e:
                    return {"refused": e.response["Error"]["Message"]}
            a1, b1, a2, b2 = call("tenant-a"), call("tenant-b"), call("tenant-a"), call("tenant-b")
            print(json.dumps({"a1": a1, "b1": b1, "a2": a2, "b2": b2, "none": call(None)}))
            """, String(server.port)])
        #expect(server.stop() == 130)
        let answers = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: [String: Any]] ?? [:]
        let (a1, b1, a2, b2) = (answers["a1"] ?? [:], answers["b1"] ?? [:], answers["a2"] ?? [:], answers["b2"] ?? [:])
        #expect(a1["tenant"] as? String == "tenant-a" && b1["tenant"] as? String == "tenant-b", "\(result.stdout)\(result.stderr)")
        // Each tenant has its own environment: another process, another /tmp.
        #expect(a1["environment"] as? String != b1["environment"] as? String)
        #expect(a1["before"] is NSNull && b1["before"] is NSNull, "a new tenant starts with an empty /tmp: \(result.stdout)")
        // A tenant's next call runs in an environment of its own tenant: warm (what it left in /tmp is
        // there) or, when the first was still finishing, a new one; never one the other tenant used.
        for (first, second, tenant) in [(a1, a2, "tenant-a"), (b1, b2, "tenant-b")] {
            let other = tenant == "tenant-a" ? [b1, b2] : [a1, a2]
            #expect(!other.contains { $0["environment"] as? String == second["environment"] as? String }, "\(result.stdout)")
            if second["environment"] as? String == first["environment"] as? String {
                #expect(second["before"] as? String == tenant, "\(result.stdout)")
            } else {
                #expect(second["before"] is NSNull, "\(result.stdout)")
            }
        }
        #expect((answers["none"]?["refused"] as? String)?.contains("tenant isolation") == true, "\(result.stdout)")
    }

    @Test func invokeTakesATenantAndRefusesACallWithoutOne() async throws {
        let project = try Self.project()
        defer { try? FileManager.default.removeItem(at: project) }
        let with = try await TestSupport.run(Binary.url.path, ["invoke", project.path, "--tenant-id", "acme", "--event", "-"], input: "{}")
        #expect(with.status == 0, "\(with.stderr)")
        #expect(with.stdout.contains(#""tenant": "acme""#), "\(with.stdout)")
        let without = try await TestSupport.run(Binary.url.path, ["invoke", project.path, "--event", "-"], input: "{}")
        #expect(without.status == 64 && without.stderr.contains("--tenant-id"), "\(without.stderr)")
    }
}
