import Foundation
import Testing
import TestSupport
import LambdaAsyncCore
@testable import LambdaAsyncArchive

/// Real ELF files, built here by `cc`, read by our reader and judged against Lambda's OSes.
@Suite struct NativeCodeTests {
    /// Shared objects built from C in a fresh folder: `new` needs GLIBC_2.35 (hypot, bound to that
    /// version with .symver whatever this machine's glibc), `old` only GLIBC_2.2.5-era symbols,
    /// `uses` needs a `libhelper.so` that is not shipped.
    final class Fixtures {
        let root: URL
        init() async throws {
            root = try makeTemporaryDirectory("lambda-async-elf")
            try write("new.c", """
                #include <math.h>
                __asm__(".symver hypot,hypot@GLIBC_2.35");
                double f(double a, double b) { return hypot(a, b); }
                """)
            try write("old.c", "#include <string.h>\nsize_t h(const char *s) { return strlen(s); }\n")
            try write("helper.c", "int helper(void) { return 1; }\n")
            try write("uses.c", "int helper(void);\nint g(void) { return helper(); }\n")
            try await cc(["-shared", "-fPIC", "-o", "libnew.so", "new.c", "-lm"])
            try await cc(["-shared", "-fPIC", "-o", "libold.so", "old.c"])
            try await cc(["-shared", "-fPIC", "-o", "libhelper.so", "helper.c"])
            try await cc(["-shared", "-fPIC", "-o", "libuses.so", "uses.c", "-L.", "-lhelper"])
        }
        deinit { try? FileManager.default.removeItem(at: root) }

        func write(_ name: String, _ text: String) throws {
            try text.write(to: root.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        func cc(_ arguments: [String]) async throws {
            let result = try await TestSupport.run("cc", arguments, directory: root)
            guard result.status == 0 else { throw CCFailed(output: result.stderr) }
        }
        func bytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: root.appendingPathComponent(name))) }
        /// The same file with another CPU in its header, as an arm64 build would have.
        func asAarch64(_ name: String) throws -> [UInt8] {
            var bytes = try bytes(name)
            bytes[18] = 183
            bytes[19] = 0
            return bytes
        }
    }
    struct CCFailed: Error { let output: String }

    static let hostMachine: ELFFile.Machine = {
        #if arch(x86_64)
        return .x86_64
        #else
        return .aarch64
        #endif
    }()
    static let hostArchitecture: Architecture = hostMachine == .x86_64 ? .x86_64 : .arm64

    @Test func theReaderFindsMachineLibrariesAndVersionsWithTheirSymbols() async throws {
        let fixtures = try await Fixtures()
        let new = try #require(ELFFile(try fixtures.bytes("libnew.so")))
        #expect(new.is64Bit && new.machine == Self.hostMachine && !new.isExecutable)
        #expect(new.needed.contains("libm.so.6"))
        let glibc = try #require(new.highestVersion(prefix: "GLIBC_"))
        #expect(glibc.version == "GLIBC_2.35" && glibc.symbols == ["hypot"])
        #expect(new.versions(prefix: "GLIBC_", newerThan: [2, 34]).map(\.version) == ["GLIBC_2.35"])
        #expect(new.versions(prefix: "GLIBC_", newerThan: [2, 35]).isEmpty)

        let uses = try #require(ELFFile(try fixtures.bytes("libuses.so")))
        #expect(uses.needed.contains("libhelper.so"))
        #expect(ELFFile(try fixtures.asAarch64("libold.so"))?.machine == .aarch64)
        // Not ELF, or cut short: nil, never a crash.
        #expect(ELFFile(Array("#!/bin/sh\n".utf8)) == nil)
        let old = try fixtures.bytes("libold.so")
        for length in [3, 20, 64, old.count / 2] { _ = ELFFile(Array(old.prefix(length))) }
    }

    func check(_ files: [String: [UInt8]], runtime: String = "python3.13", architecture: Architecture? = hostArchitecture,
               kind: ArtifactKind = .function) -> [Finding] {
        let entries = files.keys.sorted().map { ZipEntry(path: $0, kind: .file, permissions: 0o644, size: Int64(files[$0]!.count)) }
        return NativeCodeChecks(kind: kind, runtime: LambdaRuntime(runtime), architecture: architecture).run(entries, contents: { files[$0] }, head: { files[$0] })
    }

    @Test func aNewerGlibcIsRefusedOnTheRuntimesOS() async throws {
        let fixtures = try await Fixtures()
        let findings = check(["lib/libnew.so": try fixtures.bytes("libnew.so")])
        #expect(findings.count == 1)
        #expect(findings.first?.severity == .error)
        #expect(findings.first?.message.hasPrefix("lib/libnew.so needs GLIBC_2.35 (for hypot), newer than the glibc 2.34 of python3.13 (Amazon Linux 2023)") == true,
                "\(findings)")
        #expect(findings.first?.message.contains("link it statically") == true)
        // Amazon Linux 2's glibc is older still.
        #expect(check(["libnew.so": try fixtures.bytes("libnew.so")], runtime: "python3.11").first?.message.contains("glibc 2.26 of python3.11 (Amazon Linux 2)") == true)
        #expect(check(["libold.so": try fixtures.bytes("libold.so")]).isEmpty)
    }

    @Test func theWrongCPUIsRefusedAndMixedCPUsToo() async throws {
        let fixtures = try await Fixtures()
        let other: Architecture = Self.hostArchitecture == .x86_64 ? .arm64 : .x86_64
        let wrong = check(["libold.so": try fixtures.bytes("libold.so")], architecture: other)
        #expect(wrong.count == 1 && wrong[0].severity == .error && wrong[0].message.contains("but the function runs on \(other.rawValue)"), "\(wrong)")
        let mixed = check(["a.so": try fixtures.bytes("libold.so"), "b.so": try fixtures.asAarch64("libold.so")], architecture: nil)
        #expect(mixed.contains { $0.message.hasPrefix("the zip mixes CPUs") }, "\(mixed)")
    }

    @Test func aLibraryThatIsNeitherShippedNorStandardIsNamed() async throws {
        let fixtures = try await Fixtures()
        let missing = check(["lib/libuses.so": try fixtures.bytes("libuses.so")])
        #expect(missing.count == 1 && missing[0].severity == .warning, "\(missing)")
        #expect(missing[0].message.hasPrefix("lib/libuses.so needs libhelper.so, which is not in the zip"))
        // Shipped beside it: found.
        #expect(check(["lib/libuses.so": try fixtures.bytes("libuses.so"), "lib/libhelper.so": try fixtures.bytes("libhelper.so")]).isEmpty)
    }

    @Test func aCPythonModuleMustMatchTheRuntimesPython() async throws {
        let fixtures = try await Fixtures()
        let module = "pkg/_speedups.cpython-311-\(Self.hostArchitecture.cpu)-linux-gnu.so"
        let findings = check([module: try fixtures.bytes("libold.so")], runtime: "python3.13")
        #expect(findings.count == 1 && findings[0].message.contains("CPython 3.11 extension module (cpython-311), but python3.13 runs Python 3.13"), "\(findings)")
        #expect(check([module: try fixtures.bytes("libold.so")], runtime: "python3.11").isEmpty)
        #expect(NativeCodeChecks.pythonABI("a/b.abi3.so") == nil)
    }

    @Test func manylinuxTagsFollowTheRuntimesGlibc() {
        #expect(LambdaOS.amazonLinux2023.manylinuxTags(.x86_64).first == "manylinux_2_34_x86_64")
        #expect(LambdaOS.amazonLinux2023.manylinuxTags(.arm64).last == "manylinux2014_aarch64")
        #expect(LambdaOS.amazonLinux2.manylinuxTags(.x86_64).first == "manylinux_2_26_x86_64")
        #expect(!LambdaOS.amazonLinux2.manylinuxTags(.x86_64).contains("manylinux_2_28_x86_64"))
        #expect(LambdaRuntime("python3.11")?.os == .amazonLinux2 && LambdaRuntime("python3.12")?.os == .amazonLinux2023)
    }
}
