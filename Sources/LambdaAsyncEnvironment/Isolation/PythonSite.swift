import Foundation

/// Where a host Python keeps packages, so the sandbox can hide them (Lambda's runtime has none of
/// the developer's packages) and show only the AWS SDK the managed runtime bundles.
struct PythonSite: Sendable {
    /// "3.13"
    let version: String
    /// The real interpreter behind a shim or a symlink (`sys.executable`).
    let executable: String
    /// The interpreter's installation prefix (`sys.base_prefix`), bound at /var/lang unless under /usr.
    let prefix: String
    /// Every folder `site` would add to sys.path on the host: site-packages, dist-packages, the user site.
    let packageFolders: [String]
    /// The SDK's modules and their dist-info folders, as found in those folders.
    let sdkEntries: [URL]

    private static let lock = NSLock()
    nonisolated(unsafe) private static var known: [String: PythonSite] = [:]

    static func of(_ interpreter: String) -> PythonSite? {
        lock.lock()
        defer { lock.unlock() }
        if let site = known[interpreter] { return site }
        let script = "import json, os, site, sys; print(json.dumps([f'{sys.version_info[0]}.{sys.version_info[1]}', "
            + "os.path.realpath(sys.base_prefix), site.getsitepackages() + [site.getusersitepackages()], os.path.realpath(sys.executable)]))"
        let (status, data) = HostCommand.run([interpreter, "-c", script], captureOutput: true)
        guard status == 0,
              let parsed = try? JSONSerialization.jsonObject(with: data) as? [Any], parsed.count == 4,
              let version = parsed[0] as? String, let prefix = parsed[1] as? String, let folders = parsed[2] as? [String],
              let executable = parsed[3] as? String else { return nil }
        var entries: [URL] = []
        var found: Set<String> = []
        for folder in folders {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for (module, distribution) in LambdaImage.pythonSDK where !found.contains(module) && names.contains(module) {
                found.insert(module)
                entries.append(URL(fileURLWithPath: folder).appendingPathComponent(module))
                // "boto3-1.35.0.dist-info": importlib.metadata finds the version there.
                for name in names where name.hasPrefix(distribution + "-") && name.hasSuffix(".dist-info") {
                    entries.append(URL(fileURLWithPath: folder).appendingPathComponent(name))
                }
            }
        }
        let site = PythonSite(version: version, executable: executable, prefix: prefix, packageFolders: folders, sdkEntries: entries)
        known[interpreter] = site
        return site
    }
}
