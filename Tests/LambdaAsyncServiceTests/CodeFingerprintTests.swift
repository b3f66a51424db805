import Foundation
import Testing
import TestSupport
@testable import LambdaAsyncService
@testable import LambdaAsyncEnvironment

/// What `serve` counts as an edit of a function's code.
@Suite struct CodeFingerprintTests {
    @Test func anEditANewFileOrALayerChangeCountsCachesAndStateDoNot() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let code = root.appendingPathComponent("src"), layer = root.appendingPathComponent("layer")
        func write(_ url: URL, _ text: String) throws {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try write(code.appendingPathComponent("app.py"), "def handler(e, c): return 1\n")
        try write(layer.appendingPathComponent("python/lib.py"), "X = 1\n")
        let first = CodeFingerprint([code, layer])
        #expect(CodeFingerprint([code, layer]) == first)

        // What runs and writes beside the code is not an edit.
        try write(code.appendingPathComponent("__pycache__/app.cpython-313.pyc"), "bytecode")
        try write(code.appendingPathComponent(".lambda-async/destinations/Queue.jsonl"), "{}\n")
        try write(code.appendingPathComponent("stale.pyc"), "bytecode")
        #expect(CodeFingerprint([code, layer]) == first)

        try write(code.appendingPathComponent("app.py"), "def handler(e, c): return 22\n")
        let edited = CodeFingerprint([code, layer])
        #expect(edited != first)
        try write(code.appendingPathComponent("extra.py"), "")
        let added = CodeFingerprint([code, layer])
        #expect(added != edited)
        try write(layer.appendingPathComponent("python/lib.py"), "X = 2\n")
        #expect(CodeFingerprint([code, layer]) != added)
    }

    @Test func serveOwnLogInTheCodeFolderIsNotAnEdit() throws {
        let code = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: code) }
        let log = code.appendingPathComponent("serve.log")
        try Data("started\n".utf8).write(to: log)
        let before = CodeFingerprint([code], ignoring: [log.path])
        try Data("started\nFn 1a2b 3.7 ms billed 4 ms\n".utf8).write(to: log)
        #expect(CodeFingerprint([code], ignoring: [log.path]) == before)
        #expect(CodeFingerprint([code]) != CodeFingerprint([code], ignoring: [log.path]))
    }
}
