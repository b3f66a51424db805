import Foundation

/// Builds an executable of a Swift package for Lambda (`--swift-product`): a release build with
/// the Swift runtime linked statically, so `provided.al2023` needs nothing else, plus the
/// product's resource bundles, which `Bundle.module` looks for beside the executable.
public enum SwiftProductBuilder {
    public static func build(product: String, package: URL, swiftSDK: String?, log: FileHandle?) throws -> [ArtifactSource] {
        guard let swift = ExternalCommand.find("swift") else {
            throw PackagingError.swiftBuild("--swift-product needs the Swift toolchain, and swift is not on PATH")
        }
        guard FileManager.default.fileExists(atPath: package.appendingPathComponent("Package.swift").path) else {
            throw PackagingError.swiftBuild("\(package.path) has no Package.swift: run package --swift-product in the Swift package's folder")
        }
        let common = ["-c", "release"] + (swiftSDK.map { ["--swift-sdk", $0] } ?? [])
        let build = try ExternalCommand.run(swift, ["build"] + common + ["--product", product, "--static-swift-stdlib"],
                                            in: package, echoTo: log)
        guard build.status == 0 else {
            throw PackagingError.swiftBuild("swift build of \(product) failed:\n\(ExternalCommand.tail(build.output))")
        }
        let binPath = try ExternalCommand.run(swift, ["build"] + common + ["--show-bin-path"], in: package)
        let bin = URL(fileURLWithPath: binPath.output.trimmingCharacters(in: .whitespacesAndNewlines))
        let executable = bin.appendingPathComponent(product)
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw PackagingError.swiftBuild("swift build made no executable \(product) in \(bin.path): is \(product) an executable product?")
        }
        let bundles = ((try? FileManager.default.contentsOfDirectory(atPath: bin.path)) ?? [])
            .filter { $0.hasSuffix(".resources") }
            .sorted()
            .map { ArtifactSource(root: bin.appendingPathComponent($0), prefix: $0) }
        return [ArtifactSource(root: executable, singleFileName: "bootstrap")] + bundles
    }
}
