import Foundation
import Testing
import TestSupport
import LambdaAsyncCore
@testable import LambdaAsyncArchive

/// A folder of files with chosen modes, for plans and checks.
struct Tree {
    let root: URL

    init() throws { root = try makeTemporaryDirectory("lambda-async-tree") }

    @discardableResult
    func file(_ path: String, _ text: String, mode: Int = 0o644) throws -> URL {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
        return url
    }

    func link(_ path: String, to target: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: target)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

@Suite struct PlanTests {
    @Test func entriesAreSortedByBytesWithNormalisedModes() throws {
        let tree = try Tree()
        defer { tree.remove() }
        try tree.file("b.py", "x = 1\n", mode: 0o600)
        try tree.file("B.py", "x = 1\n", mode: 0o664)
        try tree.file("a/run.sh", "#!/bin/sh\necho\n", mode: 0o700)
        try tree.file("a/data.txt", "text\n", mode: 0o755)  // execute bit without shebang: noise
        try tree.file("bootstrap", "#!/bin/sh\n", mode: 0o644)  // must be executable anyway
        try tree.file("_under", "u", mode: 0o644)
        let plan = try ArtifactPlan(spec: ArtifactSpec(name: "f", kind: .function, sources: [ArtifactSource(root: tree.root)]))
        #expect(plan.entries.map(\.entry.path) == ["B.py", "_under", "a", "a/data.txt", "a/run.sh", "b.py", "bootstrap"])
        let modes = Dictionary(uniqueKeysWithValues: plan.entries.map { ($0.entry.path, $0.entry.permissions) })
        #expect(modes == ["B.py": 0o644, "_under": 0o644, "a": 0o755, "a/data.txt": 0o644, "a/run.sh": 0o755, "b.py": 0o644, "bootstrap": 0o755])
    }

    @Test func defaultAndCustomExcludes() throws {
        let tree = try Tree()
        defer { tree.remove() }
        for path in ["app.py", ".git/HEAD", "pkg/__pycache__/m.cpython-312.pyc", "pkg/m.pyc", "pkg/m.py", ".DS_Store",
                     ".lambda-async/build/x.zip", "tests/test_app.py", "notes.md"] {
            try tree.file(path, "x")
        }
        let plan = try ArtifactPlan(spec: ArtifactSpec(name: "f", kind: .function, sources: [ArtifactSource(root: tree.root)],
                                                       excludes: ["tests", "*.md"]))
        #expect(plan.entries.map(\.entry.path) == ["app.py", "pkg", "pkg/m.py"])
    }

    @Test func layerKindsPlaceFilesWhereTheRuntimeLooks() throws {
        let tree = try Tree()
        defer { tree.remove() }
        try tree.file("worker", "#!/usr/bin/env python3\n", mode: 0o644)
        for kind in LayerKind.allCases {
            let plan = try ArtifactPlan(spec: ArtifactSpec(name: "l", kind: .layer, sources: [ArtifactSource(root: tree.root, prefix: kind.prefix)]))
            let paths = plan.entries.map(\.entry.path)
            #expect(paths.last == kind.prefix + "/worker")
            #expect(plan.entries.last?.entry.permissions == (kind == .extension ? 0o755 : 0o644))
            #expect(paths.dropLast().allSatisfy { kind.prefix.hasPrefix($0) })
        }
    }

    @Test func linksInsideAreKeptAndLinksOutsideAreErrors() throws {
        let tree = try Tree()
        defer { tree.remove() }
        try tree.file("lib/real.py", "x")
        try tree.link("lib/alias.py", to: "real.py")
        try tree.link("up.py", to: "lib/../lib/real.py")
        try tree.link("escape.py", to: "../../etc/passwd")
        try tree.link("abs.py", to: "/etc/passwd")
        let plan = try ArtifactPlan(spec: ArtifactSpec(name: "f", kind: .function, sources: [ArtifactSource(root: tree.root)]))
        #expect(plan.entries.first { $0.entry.path == "lib/alias.py" }?.entry.kind == .symlink(target: "real.py"))
        // The plan keeps them as links; the zip's checks (LambdaChecks) refuse them, once each.
        #expect(plan.findings.errors.isEmpty)
        #expect(plan.entries.first { $0.entry.path == "abs.py" }?.entry.kind == .symlink(target: "/etc/passwd"))
    }
}

@Suite struct ChecksTests {
    func check(_ kind: ArtifactKind, runtime: String? = nil, handler: String? = nil,
               _ entries: [ZipEntry], files: [String: String] = [:]) -> [String] {
        LambdaChecks(kind: kind, runtime: runtime.flatMap(LambdaRuntime.init), handler: handler)
            .run(entries) { files[$0].map { Array($0.utf8) } }
            .errors.map(\.message)
    }

    func file(_ path: String, _ mode: UInt32 = 0o644, size: Int64 = 10) -> ZipEntry {
        ZipEntry(path: path, kind: .file, permissions: mode, size: size)
    }

    @Test func bootstrapMustExistBeExecutableAndHaveLFLineEndings() {
        #expect(check(.function, runtime: "provided.al2023", [file("main.go")]).first?.contains("there is no bootstrap") == true)
        #expect(check(.function, runtime: "provided.al2023", [file("bootstrap", 0o644)]).first?.contains("Runtime.InvalidEntrypoint") == true)
        #expect(check(.bootstrap, [file("bootstrap", 0o755)], files: ["bootstrap": "#!/bin/sh\r\nexec ./main\r\n"]).first?.contains("CRLF") == true)
        #expect(check(.bootstrap, [file("bootstrap", 0o755)], files: ["bootstrap": "#!/bin/sh\nexec ./main\n"]).isEmpty)
        #expect(check(.function, runtime: "python3.13", [file("bootstrap", 0o644)]).count == 1)
    }

    @Test func extensionsMustBeExecutable() {
        let errors = check(.layer, [file("extensions/worker", 0o644), file("extensions/lib/helper.py", 0o644)])
        #expect(errors.count == 1)
        #expect(errors.first?.contains("permission denied") == true)
    }

    @Test func handlersMustExist() {
        let app = ["app.py": "import json\n\ndef handler(event, context):\n    return event\n"]
        #expect(check(.function, runtime: "python3.13", handler: "app.handler", [file("app.py")], files: app).isEmpty)
        #expect(check(.function, runtime: "python3.13", handler: "app.main", [file("app.py")], files: app).first?.contains("Runtime.HandlerNotFound") == true)
        #expect(check(.function, runtime: "python3.13", handler: "api.handler", [file("app.py")], files: app).first?.contains("Runtime.ImportModuleError") == true)
        #expect(check(.function, runtime: "python3.13", handler: "pkg.mod.handler", [file("pkg/mod.py")],
                      files: ["pkg/mod.py": "def handler(e, c): pass\n"]).isEmpty)
        // Lambda's Python runtime never awaits an async handler.
        #expect(check(.function, runtime: "python3.13", handler: "pkg.mod.handler", [file("pkg/mod.py")],
                      files: ["pkg/mod.py": "async def handler(e, c): pass\n"]).first?.contains("never awaited") == true)
        let node = ["index.mjs": "export const handler = async (event) => event;\n"]
        #expect(check(.function, runtime: "nodejs22.x", handler: "index.handler", [file("index.mjs")], files: node).isEmpty)
        #expect(check(.function, runtime: "nodejs22.x", handler: "index.other", [file("index.mjs")], files: node).count == 1)
        #expect(check(.function, runtime: "nodejs22.x", handler: "src/index.handler", [file("index.mjs")], files: node).first?.contains("src/index.js") == true)
    }

    @Test func unreadableFilesEscapingPathsAndSizes() {
        #expect(check(.function, [file("secret.py", 0o600)]).first?.contains("world-readable") == true)
        #expect(check(.function, [file("../evil", 0o644)]).first?.contains("outside the code folder") == true)
        #expect(check(.function, [file("big.bin", 0o644, size: 251 * 1_048_576)]).first?.contains("250 MB") == true)
        #expect(check(.function, [ZipEntry(path: "x", kind: .symlink(target: "../../y"), permissions: 0o777)]).count == 1)
    }
}
