import Foundation
import LambdaAsyncCore

/// Installs a function's declared dependencies for Lambda's platform, not this machine's, into a
/// cache keyed by what decides the result; the packager adds the cached tree to the zip.
public struct DependencyInstaller: Sendable {
    public let cacheDirectory: URL

    public init(cacheDirectory: URL) {
        self.cacheDirectory = cacheDirectory
    }

    /// The tree to add under the function's code, or nil when it declares no dependencies.
    public func install(for code: URL, runtime: LambdaRuntime?, architecture: Architecture) throws -> ArtifactSource? {
        let requirements = code.appendingPathComponent("requirements.txt")
        let packageJSON = code.appendingPathComponent("package.json")
        if runtime.map({ $0.family == .python }) ?? true, let text = try? String(contentsOf: requirements, encoding: .utf8),
           Self.hasRequirements(text) {
            let python = runtime ?? LambdaRuntime.defaultPython
            return try installPython(requirements: requirements, text: text, pythonVersion: python.pythonVersion!,
                                     platforms: python.os.manylinuxTags(architecture), architecture: architecture)
        }
        if runtime.map({ $0.family == .node }) ?? true, let data = try? Data(contentsOf: packageJSON),
           Self.hasNodeDependencies(data), !FileManager.default.fileExists(atPath: code.appendingPathComponent("node_modules").path) {
            return try installNode(code: code, packageJSON: data, architecture: architecture)
        }
        return nil
    }

    static func hasRequirements(_ text: String) -> Bool {
        text.split(separator: "\n").contains { line in
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            return !trimmed.isEmpty && !trimmed.hasPrefix("#")
        }
    }

    static func hasNodeDependencies(_ data: Data) -> Bool {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let dependencies = object["dependencies"] as? [String: Any] else { return false }
        return !dependencies.isEmpty
    }

    private func cacheFolder(_ kind: String, key: String) -> URL {
        var hash = SHA256()
        hash.update(Array(key.utf8))
        return cacheDirectory.appendingPathComponent("\(kind)-\(hash.finalize().hexString.prefix(16))")
    }

    /// Moves a finished install into the cache in one rename, so a failed one is never reused.
    private func publish(_ staging: URL, as folder: URL) throws {
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.moveItem(at: staging, to: folder)
        TemporaryFiles.untrack(staging)
    }

    private func staging() throws -> URL {
        TemporaryFiles.sweep(cacheDirectory)
        let url = TemporaryFiles.beside(cacheDirectory.appendingPathComponent("staging"))
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        TemporaryFiles.track(url)
        return url
    }

    private func installPython(requirements: URL, text: String, pythonVersion: String, platforms: [String],
                               architecture: Architecture) throws -> ArtifactSource {
        let environment = ProcessInfo.processInfo.environment
        // pip's own settings (an index, find-links) change what gets installed, so they key the cache too.
        let pipSettings = environment.filter { $0.key.hasPrefix("PIP_") }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let folder = cacheFolder("python", key: ([text, pythonVersion, architecture.rawValue] + platforms + pipSettings).joined(separator: "\n"))
        if FileManager.default.fileExists(atPath: folder.path) { return ArtifactSource(root: folder) }
        guard let python = ExternalCommand.find("python3") else {
            throw PackagingError.dependencies("requirements.txt needs pip, and python3 is not on PATH: install Python 3 (apt-get install python3-pip)")
        }
        let target = try staging()
        let result = try ExternalCommand.run(python, [
            "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
            "--requirement", requirements.path, "--target", target.path,
            // Wheels for Lambda's Linux and Python, never for this machine's: every manylinux tag the
            // runtime's glibc loads (manylinux_2_34 down to manylinux2014 on Amazon Linux 2023, only up
            // to 2_26 on Amazon Linux 2), so pip picks the newest wheel that still loads there.
            "--implementation", "cp", "--python-version", pythonVersion, "--only-binary=:all:",
        ] + platforms.flatMap { ["--platform", $0] })
        guard result.status == 0 else {
            try? FileManager.default.removeItem(at: target)
            throw PackagingError.dependencies("""
                pip could not install \(requirements.path) for Python \(pythonVersion) on \(platforms.first ?? "") or older:
                \(ExternalCommand.tail(result.output))
                Only binary wheels are used, so the zip runs on Lambda whatever this machine is; pin versions that publish \
                wheels for that platform.
                """)
        }
        try publish(target, as: folder)
        return ArtifactSource(root: folder)
    }

    private func installNode(code: URL, packageJSON: Data, architecture: Architecture) throws -> ArtifactSource {
        let lock = code.appendingPathComponent("package-lock.json")
        guard let lockData = try? Data(contentsOf: lock) else {
            throw PackagingError.dependencies("package.json declares dependencies but there is no package-lock.json beside it: run `npm install` once in \(code.path) and commit the lock file, so every build installs the same versions")
        }
        let folder = cacheFolder("node", key: String(decoding: packageJSON + lockData, as: UTF8.self) + architecture.rawValue)
        if FileManager.default.fileExists(atPath: folder.path) {
            return ArtifactSource(root: folder.appendingPathComponent("node_modules"), prefix: "node_modules")
        }
        guard let npm = ExternalCommand.find("npm") else {
            throw PackagingError.dependencies("package.json declares dependencies and npm is not on PATH: install Node.js and npm, or vendor node_modules into \(code.path)")
        }
        let work = try staging()
        try packageJSON.write(to: work.appendingPathComponent("package.json"))
        try lockData.write(to: work.appendingPathComponent("package-lock.json"))
        let cpu = architecture == .arm64 ? "arm64" : "x64"
        let result = try ExternalCommand.run(npm, ["ci", "--omit=dev", "--no-audit", "--no-fund", "--os=linux", "--cpu=\(cpu)"], in: work)
        guard result.status == 0 else {
            try? FileManager.default.removeItem(at: work)
            throw PackagingError.dependencies("npm ci failed in a copy of \(code.path):\n\(ExternalCommand.tail(result.output))")
        }
        try publish(work, as: folder)
        return ArtifactSource(root: folder.appendingPathComponent("node_modules"), prefix: "node_modules")
    }
}
