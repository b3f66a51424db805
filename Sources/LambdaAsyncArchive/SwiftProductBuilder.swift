import Foundation
import LambdaAsyncCore

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
        try checkLoadsOnLambda(executable, product: product, swiftSDK: swiftSDK)
        let bundles = ((try? FileManager.default.contentsOfDirectory(atPath: bin.path)) ?? [])
            .filter { $0.hasSuffix(".resources") }
            .sorted()
            .map { ArtifactSource(root: bin.appendingPathComponent($0), prefix: $0) }
        return [ArtifactSource(root: executable, singleFileName: "bootstrap")] + bundles
    }

    /// `--static-swift-stdlib` still links glibc dynamically: built on a machine with a newer glibc than
    /// provided.al2023's 2.34 (Debian 12, Ubuntu 22.04 and later), the bootstrap asks for symbol
    /// versions Lambda does not have and dies at load. Refused here, with the ways out.
    static func checkLoadsOnLambda(_ executable: URL, product: String, swiftSDK: String?) throws {
        guard let bytes = try? Data(contentsOf: executable), let elf = ELFFile(Array(bytes)) else { return }
        let os = LambdaRuntime.defaultProvided.os
        let tooNew = elf.versions(prefix: "GLIBC_", newerThan: os.glibc)
        guard let newest = tooNew.first else { return }
        let symbols = tooNew.flatMap(\.symbols).sorted().prefix(4).joined(separator: ", ")
        let cpu = elf.machine == .aarch64 ? "aarch64" : "x86_64"
        throw PackagingError.swiftBuild("""
            \(product) was linked against this machine's glibc and needs \(newest.version) (\(symbols)); \
            provided.al2023 has glibc \(os.glibc.map(String.init).joined(separator: ".")), so Lambda would fail to start it \
            ("version `\(newest.version)' not found"). Build it so it needs no newer glibc:
              - with the Static Linux SDK (fully static, no glibc at all): swift sdk install <its URL from swift.org/install>, \
            then lambda-async package --swift-product \(product) --swift-sdk \(cpu)-swift-linux-musl
              - or on Amazon Linux 2023 (for example in the swift:amazonlinux2023 image), where the glibc is Lambda's
            """)
    }
}
