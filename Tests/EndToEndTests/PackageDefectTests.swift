import Foundation
import Testing
import TestSupport

/// Each defect class that breaks deployments elsewhere: `package` names it, says how to fix it,
/// exits non-zero, and writes no zip.
@Suite(.timeLimit(.minutes(10))) struct PackageDefectTests {
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        /// Files of the function folder: path, content, mode.
        let files: [(String, String, Int)]
        let arguments: [String]
        let expected: String
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "no bootstrap", files: [("main.sh", "echo\n", 0o755)],
             arguments: ["--runtime", "provided.al2023"], expected: "there is no bootstrap"),
        Case(name: "CRLF bootstrap", files: [("bootstrap", "#!/bin/sh\r\necho hi\r\n", 0o755)],
             arguments: ["--runtime", "provided.al2023"], expected: "Windows line endings (CRLF)"),
        Case(name: "missing handler file", files: [("app.py", "def handler(e, c): pass\n", 0o644)],
             arguments: ["--runtime", "python3.13", "--handler", "main.handler"], expected: "needs main.py"),
        Case(name: "missing handler function", files: [("app.py", "def handle(e, c): pass\n", 0o644)],
             arguments: ["--runtime", "python3.13", "--handler", "app.handler"], expected: "defines no top-level 'handler'"),
        Case(name: "missing node export", files: [("index.mjs", "export const other = 1;\n", 0o644)],
             arguments: ["--runtime", "nodejs22.x", "--handler", "index.handler"], expected: "exports no 'handler'"),
    ]

    func functionFolder(_ files: [(String, String, Int)], in dir: URL) throws -> URL {
        let code = dir.appendingPathComponent("code")
        for (path, text, mode) in files {
            let url = code.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
        }
        return code
    }

    func expectRefused(_ arguments: [String], in dir: URL, expected: String) async throws {
        let result = try await TestSupport.run(Binary.url.path, arguments)
        #expect(result.status == 1, "\(arguments): \(result.stdout)")
        #expect(result.stderr.contains("no zip was written"), "\(result.stderr)")
        #expect(result.stderr.contains(expected), "\(result.stderr)")
        let zips = FileManager.default.enumerator(atPath: dir.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".zip") || $0.hasSuffix(".tmp") }
        #expect(zips == [], "left behind: \(zips ?? [])")
    }

    @Test(arguments: cases)
    func directModeRefuses(_ c: Case) async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let code = try functionFolder(c.files, in: dir)
        try await expectRefused(["package", "--function", code.path, "-o", dir.appendingPathComponent("out.zip").path] + c.arguments,
                          in: dir, expected: c.expected)
    }

    @Test func aLinkOutOfTheTreeIsNamed() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let code = try functionFolder([("app.py", "def handler(e, c): pass\n", 0o644)], in: dir)
        try FileManager.default.createSymbolicLink(atPath: code.appendingPathComponent("config.json").path, withDestinationPath: "../../secrets.json")
        try await expectRefused(["package", "--function", code.path, "-o", dir.appendingPathComponent("out.zip").path],
                          in: dir, expected: "config.json is a symbolic link to ../../secrets.json")
        // Said once, with what to do.
        let result = try await Binary.run("package", "--function", code.path, "-o", dir.appendingPathComponent("out.zip").path)
        #expect(result.stderr.components(separatedBy: "is a symbolic link to").count == 2, "\(result.stderr)")
        #expect(result.stderr.contains("copy the file into the folder instead"))
    }

    /// Project-level limits: layers per function, environment size, unzipped size.
    @Test(arguments: [
        ("layers", "too many"), ("environment", "4 KB"), ("size", "250 MB"),
    ])
    func projectLimits(kind: String, expected: String) async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try functionFolder([("app.py", "def handler(e, c): pass\n", 0o644)], in: dir)
        var properties = "      CodeUri: code/\n      Handler: app.handler\n      Runtime: python3.13\n"
        switch kind {
        case "layers":
            properties += "      Layers:\n" + (1...6).map { "        - arn:aws:lambda:us-east-1:123456789012:layer:l\($0):1\n" }.joined()
        case "environment":
            properties += "      Environment:\n        Variables:\n          BIG: \(String(repeating: "x", count: 4200))\n"
        default:
            // A sparse 260 MB file: the limit is checked before anything is read or written.
            let big = dir.appendingPathComponent("code/model.bin")
            try Data().write(to: big)
            let handle = try FileHandle(forWritingTo: big)
            try handle.truncate(atOffset: 260 * 1_048_576)
            try handle.close()
        }
        let template = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n" + properties
        try template.write(to: dir.appendingPathComponent("template.yaml"), atomically: true, encoding: .utf8)
        let result = try await TestSupport.run(Binary.url.path, ["package", dir.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("Fn: "), "\(result.stderr)")
        #expect(result.stderr.contains(kind == "layers" ? "Lambda allows 5" : expected), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(".lambda-async/build/Fn.zip").path))
    }

    @Test func badInvocations() async throws {
        for (arguments, expected) in [
            (["package", "--function", "a", "--layer", "b"], "give one of them per run"),
            (["package", "--layer-kind", "python"], "--layer-kind goes with --layer"),
            (["package", "--function", "x", "--runtime", "python2.7"], "is not a Lambda runtime"),
            (["package", "--layer", "x", "--layer-kind", "ruby"], "'extension', 'python' or 'node'"),
        ] {
            let result = try await TestSupport.run(Binary.url.path, arguments)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
        }
        let noTemplate = try await TestSupport.run(Binary.url.path, ["package", "/nonexistent-project"])
        // A path given that does not exist is bad input (64), as the README's table says.
        #expect(noTemplate.status == 64)
        #expect(noTemplate.stderr.contains("no template.yaml in /nonexistent-project"))
        let noFolder = try await TestSupport.run(Binary.url.path, ["package", "--function", "/nonexistent-code", "-o", "/tmp/never.zip"])
        #expect(noFolder.status == 64)
        #expect(noFolder.stderr.contains("is not a folder"))
    }
}

/// `inspect` judges zips any tool built.
@Suite(.timeLimit(.minutes(10))) struct InspectTests {
    @Test func aZipFromZipWithANonExecutableBootstrapIsADefect() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bootstrap = dir.appendingPathComponent("bootstrap")
        try "#!/bin/sh\necho hi\n".write(to: bootstrap, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: bootstrap.path)
        let made = try await TestSupport.run("zip", ["-qX", "bad.zip", "bootstrap"], directory: dir)
        #expect(made.status == 0)
        let bad = try await TestSupport.run(Binary.url.path, ["inspect", dir.appendingPathComponent("bad.zip").path, "--as", "bootstrap"])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("-rw-r--r--"))
        #expect(bad.stdout.contains("Runtime.InvalidEntrypoint"))

        let good = try await TestSupport.run(Binary.url.path, ["package", "--bootstrap", bootstrap.path, "-o", dir.appendingPathComponent("good.zip").path])
        #expect(good.status == 0)
        let ok = try await TestSupport.run(Binary.url.path, ["inspect", dir.appendingPathComponent("good.zip").path, "--as", "bootstrap", "--format", "json"])
        #expect(ok.status == 0, "\(ok.stdout)")
        let report = try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as! [String: Any]
        #expect((report["entries"] as! [[String: Any]]).first?["mode"] as? String == "0755")
        #expect((report["findings"] as! [Any]).isEmpty)
    }

    /// What CloudFormation or the runtime would refuse, refused by `package` with file, line and fix:
    /// a Python or JavaScript syntax error (Runtime.UserCodeSyntaxError at every cold start), a Runtime
    /// Lambda does not have. Fixed, the project packages, and an unchanged one is not compiled again.
    @Test func syntaxErrorsAndUnknownRuntimesAreRefused() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let python = dir.appendingPathComponent("py"), node = dir.appendingPathComponent("js")
        #expect(try await TestSupport.run(Binary.url.path, ["new", python.path, "--strategy", "extension"]).status == 0)
        #expect(try await TestSupport.run(Binary.url.path, ["new", node.path, "--strategy", "streaming", "--language", "node"]).status == 0)
        let app = python.appendingPathComponent("src/app.py")
        let original = try String(contentsOf: app, encoding: .utf8)
        try (original + "def broken(:\n    pass\n").write(to: app, atomically: true, encoding: .utf8)
        let lines = original.split(separator: "\n", omittingEmptySubsequences: false).count
        let py = try await TestSupport.run(Binary.url.path, ["package", python.path])
        #expect(py.status == 1 && py.stderr.contains("src/app.py:\(lines): SyntaxError"), "\(py.stderr)")
        #expect(!FileManager.default.fileExists(atPath: python.appendingPathComponent(".lambda-async/build/ApiFunction.zip").path))

        let mjs = node.appendingPathComponent("src/app.mjs")
        try (try String(contentsOf: mjs, encoding: .utf8) + "export const x = ;\n").write(to: mjs, atomically: true, encoding: .utf8)
        let js = try await TestSupport.run(Binary.url.path, ["package", node.path])
        #expect(js.status == 1 && js.stderr.contains("src/app.mjs:") && js.stderr.contains("SyntaxError: Unexpected token ';'"), "\(js.stderr)")

        try original.write(to: app, atomically: true, encoding: .utf8)
        let template = python.appendingPathComponent("template.yaml")
        let yaml = try String(contentsOf: template, encoding: .utf8)
        try yaml.replacingOccurrences(of: "Runtime: python3.14", with: "Runtime: python9.9").write(to: template, atomically: true, encoding: .utf8)
        let runtime = try await TestSupport.run(Binary.url.path, ["package", python.path])
        #expect(runtime.status == 1 && runtime.stderr.contains("its Runtime python9.9 is not a Lambda runtime: did you mean python3.9?"), "\(runtime.stderr)")

        // A Ref to nothing: CloudFormation refuses the template; here it no longer falls back to 128 MB.
        try yaml.replacingOccurrences(of: "MemorySize: !Ref MemorySize", with: "MemorySize: !Ref NoSuchParam").write(to: template, atomically: true, encoding: .utf8)
        let dangling = try await TestSupport.run(Binary.url.path, ["package", python.path])
        #expect(dangling.status == 64 && dangling.stderr.contains("Ref NoSuchParam (line ") && dangling.stderr.contains("names no parameter and no resource"),
                "\(dangling.stderr)")

        try yaml.write(to: template, atomically: true, encoding: .utf8)
        let fixed = try await TestSupport.run(Binary.url.path, ["package", python.path])
        #expect(fixed.status == 0, "\(fixed.stderr)")
    }

    @Test func corruptAndMissingZips() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fake = dir.appendingPathComponent("fake.zip")
        try "this is not a zip".write(to: fake, atomically: true, encoding: .utf8)
        let corrupt = try await TestSupport.run(Binary.url.path, ["inspect", fake.path])
        #expect(corrupt.status == 1)
        #expect(corrupt.stderr.contains("may be corrupt"))
        let missing = try await TestSupport.run(Binary.url.path, ["inspect", dir.appendingPathComponent("none.zip").path])
        // A path that does not exist is bad input (64), as the README's exit-code table has it.
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("none.zip does not exist"))
    }
}

/// Names and files a zip cannot represent, and modes that mean trouble: nothing dropped silently.
@Suite(.timeLimit(.minutes(5))) struct UnrepresentableFilesTests {
    /// A name that is not UTF-8 is refused with its bytes shown; a FIFO is left out and named; a
    /// non-ASCII name is written with the zip's UTF-8 flag, so every reader decodes it alike.
    @Test func namesAndSpecialFilesAreRefusedOrNamed() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let code = dir.appendingPathComponent("code")
        try FileManager.default.createDirectory(at: code, withIntermediateDirectories: true)
        try Data("def handler(e, c):\n    return 1\n".utf8).write(to: code.appendingPathComponent("app.py"))
        try Data("x = 1\n".utf8).write(to: code.appendingPathComponent("café.py"))
        #expect(mkfifo(code.appendingPathComponent("pipe").path, 0o644) == 0)
        let zip = dir.appendingPathComponent("out.zip")
        let arguments = ["package", "--function", code.path, "-o", zip.path, "--runtime", "python3.13", "--handler", "app.handler"]
        let packaged = try await TestSupport.run(Binary.url.path, arguments)
        #expect(packaged.status == 0, "\(packaged.stderr)")
        #expect(packaged.stderr.contains("pipe is a FIFO, which a zip cannot hold: left out"), "\(packaged.stderr)")
        let read = try await TestSupport.run("python3", ["-c", """
            import sys, zipfile
            for info in zipfile.ZipFile(sys.argv[1]).infolist():
                print(info.filename, bool(info.flag_bits & 0x800))
            """, zip.path])
        #expect(read.stdout.contains("café.py True"), "\(read.stdout)")
        #expect(!read.stdout.contains("pipe"), "\(read.stdout)")

        // A name of Latin-1 bytes: refused, nothing written.
        let bad = "bad\u{FF}".data(using: .isoLatin1)!
        let path = Array(code.path.utf8) + [UInt8(ascii: "/")] + Array(bad) + [0]
        let fd = path.withUnsafeBufferPointer { open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o644) }
        #expect(fd >= 0)
        close(fd)
        try FileManager.default.removeItem(at: zip)
        let refused = try await TestSupport.run(Binary.url.path, arguments)
        #expect(refused.status == 64, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains(#"bad\xff has a name that is not UTF-8"#), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: zip.path))
    }

    /// inspect shows setuid, setgid and world-writable entries in MODE and warns about them.
    @Test func inspectFlagsPrivilegedAndWritableEntries() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let zip = dir.appendingPathComponent("odd.zip")
        let made = try await TestSupport.run("python3", ["-c", """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w") as z:
                for name, mode in [("app.py", 0o100644), ("helper", 0o104755), ("shared", 0o102755), ("open.txt", 0o100666)]:
                    info = zipfile.ZipInfo(name)
                    info.create_system = 3
                    info.external_attr = mode << 16
                    z.writestr(info, "def handler(e, c):\\n    return 1\\n" if name == "app.py" else "x")
            """, zip.path])
        #expect(made.status == 0, "\(made.stderr)")
        let inspected = try await TestSupport.run(Binary.url.path, ["inspect", zip.path, "--runtime", "python3.13", "--handler", "app.handler"])
        #expect(inspected.stdout.contains("-rwsr-xr-x"), "\(inspected.stdout)")
        #expect(inspected.stdout.contains("-rwxr-sr-x"), "\(inspected.stdout)")
        #expect(inspected.stdout.contains("helper is setuid"), "\(inspected.stdout)")
        #expect(inspected.stdout.contains("shared is setgid"), "\(inspected.stdout)")
        #expect(inspected.stdout.contains("open.txt is writable by anyone"), "\(inspected.stdout)")
        #expect(!inspected.stdout.contains("No defects"), "\(inspected.stdout)")
    }

    /// A zip whose central directory points many entries at the same bytes (a zip bomb): refused before
    /// anything is unpacked, with what unpacking would really write.
    @Test func overlappingEntriesAreRefusedWithWhatTheyWouldWrite() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bomb = dir.appendingPathComponent("bomb.zip")
        // One deflated entry of 10 MB of zeros, then 30 central directory entries all pointing at it.
        let made = try await TestSupport.run("python3", ["-c", """
            import struct, sys, zlib
            data = b"\\0" * (10 * 1024 * 1024)
            packed = zlib.compressobj(9, zlib.DEFLATED, -15)
            packed = packed.compress(data) + packed.flush()
            crc = zlib.crc32(data)
            name = b"app.py"
            local = struct.pack("<IHHHHHIIIHH", 0x04034b50, 20, 0, 8, 0, 0, crc, len(packed), len(data), len(name), 0) + name
            central = b""
            for i in range(30):
                n = f"f{i:02}.py".encode()
                central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 0x031e, 20, 0, 8, 0, 0, crc, len(packed), len(data),
                                       len(n), 0, 0, 0, 0, 0o100644 << 16, 0) + n
            body = local + packed
            end = struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, 30, 30, len(central), len(body), 0)
            open(sys.argv[1], "wb").write(body + central + end)
            """, bomb.path])
        #expect(made.status == 0, "\(made.stderr)")
        let inspected = try await TestSupport.run(Binary.url.path, ["inspect", bomb.path, "--format", "json"])
        #expect(inspected.status == 1, "\(inspected.stdout)\(inspected.stderr)")
        let report = try #require((try? JSONSerialization.jsonObject(with: Data(inspected.stdout.utf8))) as? [String: Any], "\(inspected.stdout)")
        #expect(report["unpackedBytes"] as? Int == 30 * 10 * 1_048_576)
        let messages = (report["findings"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
        #expect(messages.contains { $0.contains("30 entries share their bytes") && $0.contains("zip bomb") }, "\(messages)")
    }
}
