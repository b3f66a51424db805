import Foundation

/// The AWS SDK for JavaScript v3 that the Node.js managed runtimes ship at /var/runtime/node_modules,
/// when this machine has a copy: `LAMBDA_ASYNC_AWS_SDK_JS` (a node_modules folder), or npm's global
/// folders. Each of its packages is linked over the runner's stand-in of the same name, so functions
/// run the real clients (signing, retries, every operation); the stand-ins remain for what it lacks.
enum NodeSDK {
    /// Where the SDK's node_modules is inside an isolated environment, as on Lambda.
    static let insidePath = LambdaImage.runtimeDir + "/node_modules"

    /// The first node_modules folder that holds `@aws-sdk/client-*` packages of the real SDK.
    static let installed: URL? = {
        let environment = ProcessInfo.processInfo.environment
        let candidates = [environment["LAMBDA_ASYNC_AWS_SDK_JS"], "/usr/local/lib/node_modules", "/usr/lib/node_modules"].compactMap { $0 }
        return candidates.map { URL(fileURLWithPath: $0) }.first(where: isRealSDK)
    }()

    static func isRealSDK(_ folder: URL) -> Bool {
        let scope = folder.appendingPathComponent("@aws-sdk")
        let clients = ((try? FileManager.default.contentsOfDirectory(atPath: scope.path)) ?? []).filter { $0.hasPrefix("client-") }
        return clients.contains { client in
            guard let data = FileManager.default.contents(atPath: scope.appendingPathComponent(client).appendingPathComponent("package.json").path),
                  let package = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return false }
            // The stand-ins say what they are in their version.
            return (package["version"] as? String)?.contains("lambda-async") == false
        }
    }

    /// Links every package of `sdk` into `modules` (the folder ES module resolution reaches from the
    /// code), over the stand-in of the same name; `base` is where `sdk` is seen by the function.
    static func link(_ sdk: URL, into modules: URL, seenAt base: String) throws {
        let manager = FileManager.default
        for name in try manager.contentsOfDirectory(atPath: sdk.path) where !name.hasPrefix(".") {
            let packages: [String]
            if name.hasPrefix("@") {
                packages = ((try? manager.contentsOfDirectory(atPath: sdk.appendingPathComponent(name).path)) ?? []).map { "\(name)/\($0)" }
                try manager.createDirectory(at: modules.appendingPathComponent(name), withIntermediateDirectories: true)
            } else {
                packages = [name]
            }
            for package in packages {
                let link = modules.appendingPathComponent(package)
                try? manager.removeItem(at: link)
                try manager.createSymbolicLink(atPath: link.path, withDestinationPath: base + "/" + package)
            }
        }
    }
}
