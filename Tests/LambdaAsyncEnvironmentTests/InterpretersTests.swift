import Foundation
import Testing
import TestSupport
import LambdaAsyncCore
@testable import LambdaAsyncEnvironment

/// Which Python runs a python3.x function here: the runtime's version when this machine has it with
/// boto3, otherwise python3 from PATH with a note that says what to install.
@Suite struct InterpretersTests {
    /// A fake interpreter: prints its version; `-c ...` succeeds only when it "has boto3".
    func fake(_ url: URL, version: String, boto3: Bool) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try """
            #!/bin/sh
            if [ "$1" = "--version" ]; then echo "Python \(version)"; exit 0; fi
            exit \(boto3 ? 0 : 1)
            """.write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    }

    @Test func theRuntimesOwnVersionWhenInstalledWithBoto3() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let bin = root.appendingPathComponent("bin"), pyenv = root.appendingPathComponent("pyenv")
        try fake(bin.appendingPathComponent("python3"), version: "3.11.2", boto3: true)
        try fake(pyenv.appendingPathComponent("versions/3.13.1/bin/python3.13"), version: "3.13.1", boto3: true)
        try fake(pyenv.appendingPathComponent("versions/3.13.9/bin/python3.13"), version: "3.13.9", boto3: true)
        let environment = ["PATH": bin.path, "PYENV_ROOT": pyenv.path, "HOME": root.path]

        let chosen = try Interpreters.choose(for: try #require(LambdaRuntime("python3.13")), environment: environment)
        #expect(chosen.path == pyenv.appendingPathComponent("versions/3.13.9/bin/python3.13").path, "the newest patch release")
        #expect(chosen.note == nil)

        // No python3.12 anywhere: python3 from PATH, and the note says what to install.
        let other = try Interpreters.choose(for: try #require(LambdaRuntime("python3.12")), environment: environment)
        #expect(other.path == bin.appendingPathComponent("python3").path)
        #expect(other.note == "note: python3.12 runs on \(other.path) (3.11.2) here; install python3.12 to run the runtime's own version")
    }

    @Test func aVersionWithoutBoto3IsPassedOverAndSaid() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let bin = root.appendingPathComponent("bin")
        try fake(bin.appendingPathComponent("python3"), version: "3.11.2", boto3: true)
        try fake(bin.appendingPathComponent("python3.13"), version: "3.13.0", boto3: false)
        let chosen = try Interpreters.choose(for: try #require(LambdaRuntime("python3.13")), environment: ["PATH": bin.path, "HOME": root.path])
        #expect(chosen.path == bin.appendingPathComponent("python3").path)
        #expect(chosen.note?.contains("\(bin.path)/python3.13 lacks boto3, which Lambda's runtime has: \(bin.path)/python3.13 -m pip install boto3") == true,
                "\(chosen.note ?? "")")

        #expect(throws: RunnerError.missingInterpreter("python3", runtime: "python3.13")) {
            try Interpreters.choose(for: try #require(LambdaRuntime("python3.13")), environment: ["PATH": root.path, "HOME": root.path])
        }
    }
}
