import Foundation
import Testing
import TestSupport

/// `lambda-async package` and `inspect` as a user runs them, checked with Python's zipfile and unzip.
@Suite(.timeLimit(.minutes(10))) struct PackageTests {
    /// A small SAM project: a Python function with a layer holding an external extension.
    static func makeProject(at root: URL) throws {
        func write(_ path: String, _ text: String, mode: Int = 0o644) throws {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
        }
        try write("template.yaml", """
            AWSTemplateFormatVersion: '2010-09-09'
            Transform: AWS::Serverless-2016-10-31
            Globals:
              Function:
                Runtime: python3.13
                Timeout: 10
            Resources:
              OrdersFunction:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: src/
                  Handler: app.handler
                  Layers:
                    - !Ref WorkerLayer
                  Environment:
                    Variables:
                      QUEUE_URL: !Ref Queue
              WorkerLayer:
                Type: AWS::Serverless::LayerVersion
                Properties:
                  ContentUri: layer/
              Queue:
                Type: AWS::SQS::Queue

            """)
        try write("src/app.py", "import json\n\ndef handler(event, context):\n    return {\"ok\": True}\n", mode: 0o600)
        try write("src/lib/util.py", "X = 1\n", mode: 0o664)
        try write("src/__pycache__/app.cpython-313.pyc", "junk")
        try write("layer/extensions/orders-worker", "#!/bin/sh\nexec python3 /opt/worker.py\n", mode: 0o644)
        try write("layer/worker.py", "print('worker')\n")
    }

    @Test func projectModeBuildsZipsAnIndependentReaderAgreesWith() async throws {
        let project = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: project) }
        try Self.makeProject(at: project)
        let result = try await TestSupport.run(Binary.url.path, ["package", project.path, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        let artifacts = report["artifacts"] as! [[String: Any]]
        #expect(artifacts.map { $0["name"] as! String } == ["WorkerLayer", "OrdersFunction"])

        let build = project.appendingPathComponent(".lambda-async/build")
        let function = try await pythonZipListing(build.appendingPathComponent("OrdersFunction.zip"))
        #expect(function.stdout.split(separator: "\n") == [
            "app.py 0o100644 66 1980-01-01T00:00:00 3",
            "lib/ 0o40755 0 1980-01-01T00:00:00 3",
            "lib/util.py 0o100644 6 1980-01-01T00:00:00 3",
        ])
        let layer = try await pythonZipListing(build.appendingPathComponent("WorkerLayer.zip"))
        #expect(layer.stdout.split(separator: "\n") == [
            "extensions/ 0o40755 0 1980-01-01T00:00:00 3",
            "extensions/orders-worker 0o100755 38 1980-01-01T00:00:00 3",
            "worker.py 0o100644 16 1980-01-01T00:00:00 3",
        ])
        let unzip = try await TestSupport.run("unzip", ["-Z", build.appendingPathComponent("WorkerLayer.zip").path])
        #expect(unzip.stdout.contains("-rwxr-xr-x  2.0 unx       38 bX defN 80-Jan-01 00:00 extensions/orders-worker"))

        // The reported CodeSha256 is the base64 SHA-256 of the file, as Lambda computes it.
        let digest = try await TestSupport.run("python3", ["-c", "import hashlib,base64,sys; print(base64.b64encode(hashlib.sha256(open(sys.argv[1],'rb').read()).digest()).decode())",
                                                      build.appendingPathComponent("OrdersFunction.zip").path])
        #expect(artifacts[1]["codeSha256"] as? String == digest.stdout.trimmingCharacters(in: .whitespacesAndNewlines))

        // The packaged template points at the zips and keeps everything else, short tags included.
        let template = try String(contentsOf: build.appendingPathComponent("template.yaml"), encoding: .utf8)
        #expect(template.contains("CodeUri: 'OrdersFunction.zip'"))
        #expect(template.contains("ContentUri: 'WorkerLayer.zip'"))
        #expect(template.contains("- !Ref WorkerLayer"))
        #expect(template.contains("QUEUE_URL: !Ref Queue"))
        #expect(report["template"] as? String == build.appendingPathComponent("template.yaml").path)
    }

    @Test func thePackagedTemplateStillFindsEveryOtherLocalFile() async throws {
        let project = try makeTemporaryDirectory(), elsewhere = try makeTemporaryDirectory()
        defer { for url in [project, elsewhere] { try? FileManager.default.removeItem(at: url) } }
        try Self.makeProject(at: project)
        var text = try String(contentsOf: project.appendingPathComponent("template.yaml"), encoding: .utf8)
        text += """
              Prebuilt:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: dist/prebuilt.zip
                  Handler: app.handler
              Api:
                Type: AWS::Serverless::Api
                Properties:
                  StageName: prod
                  DefinitionUri: ./api/openapi.yaml
              Remote:
                Type: AWS::Serverless::Api
                Properties:
                  StageName: prod
                  DefinitionUri: s3://bucket/openapi.yaml

            """
        try Data(text.utf8).write(to: project.appendingPathComponent("template.yaml"))
        for (folder, contents) in [("api/openapi.yaml", "openapi: 3.0.1\n"), ("dist/prebuilt.zip", "PK")] {
            let url = project.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contents.utf8).write(to: url)
        }
        let inside = project.appendingPathComponent(".lambda-async/build"), outside = elsewhere.appendingPathComponent("out")
        for output in [inside, outside] {
            let result = try await TestSupport.run(Binary.url.path, ["package", project.path, "--output", output.path])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("left as it is: Prebuilt: dist/prebuilt.zip is a zip already"), "\(result.stdout)")
            let packaged = try String(contentsOf: output.appendingPathComponent("template.yaml"), encoding: .utf8)
            // `sam deploy` resolves these against the packaged template's folder: each must name the original file.
            func value(_ key: String, after marker: String) -> String? {
                let tail = packaged.components(separatedBy: marker).dropFirst().first ?? ""
                let line = tail.split(separator: "\n").first { $0.contains("\(key): ") } ?? ""
                return line.components(separatedBy: "\(key): ").last?.trimmingCharacters(in: CharacterSet(charactersIn: "' "))
            }
            for (key, marker, original) in [("CodeUri", "Prebuilt:", "dist/prebuilt.zip"), ("DefinitionUri", "  Api:", "api/openapi.yaml")] {
                let written = try #require(value(key, after: marker), "\(packaged)")
                #expect(!written.hasPrefix("/"), "\(written)")
                #expect(output.appendingPathComponent(written).standardizedFileURL.path == project.appendingPathComponent(original).standardizedFileURL.path,
                        "\(key) \(written) from \(output.path)")
            }
            #expect(value("DefinitionUri", after: "Remote:") == "s3://bucket/openapi.yaml")
            #expect(value("CodeUri", after: "OrdersFunction:") == "OrdersFunction.zip")
        }
    }

    @Test func copiesWithOtherMtimesOwnersAndPathsGiveTheSameBytes() async throws {
        let first = try makeTemporaryDirectory(), second = try makeTemporaryDirectory("elsewhere-with-a-longer-name")
        defer { for url in [first, second] { try? FileManager.default.removeItem(at: url) } }
        try Self.makeProject(at: first)
        try Self.makeProject(at: second)
        // Different mtimes, owner and group, and a group-writable mode as another umask would give.
        let touched = try await TestSupport.run("sh", ["-c", "cd '\(second.path)' && find . -exec touch -d '2031-05-06 07:08:09' {} + && chown -R nobody:nogroup . 2>/dev/null; chmod g+w src/app.py layer/worker.py"])
        #expect(touched.status == 0)
        for root in [first, second] {
            let result = try await TestSupport.run(Binary.url.path, ["package", root.path])
            #expect(result.status == 0, "\(result.stderr)")
        }
        for zip in ["OrdersFunction.zip", "WorkerLayer.zip"] {
            let a = try Data(contentsOf: first.appendingPathComponent(".lambda-async/build/\(zip)"))
            let b = try Data(contentsOf: second.appendingPathComponent(".lambda-async/build/\(zip)"))
            #expect(a == b, "\(zip) differs between the two copies")
        }
        // SOURCE_DATE_EPOCH sets the one timestamp.
        let epoch = try await TestSupport.run(Binary.url.path, ["package", "--function", first.appendingPathComponent("src").path, "-o",
                                                           first.appendingPathComponent("epoch.zip").path],
                                        environment: ["SOURCE_DATE_EPOCH": "1700000000"])
        #expect(epoch.status == 0, "\(epoch.stderr)")
        #expect(try await pythonZipListing(first.appendingPathComponent("epoch.zip")).stdout.contains("2023-11-14T22:13:20"))
    }

    @Test func anUnchangedProjectReusesItsZips() async throws {
        let project = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: project) }
        try Self.makeProject(at: project)
        func status() async throws -> [String] {
            let result = try await TestSupport.run(Binary.url.path, ["package", project.path, "--format", "json"])
            let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
            return (report["artifacts"] as! [[String: Any]]).map { ($0["upToDate"] as! Bool) ? "reused" : "built" }
        }
        await #expect(try status() == ["built", "built"])
        await #expect(try status() == ["reused", "reused"])
        try "X = 2\n".write(to: project.appendingPathComponent("src/lib/util.py"), atomically: true, encoding: .utf8)
        await #expect(try status() == ["reused", "built"])
        let forced = try await TestSupport.run(Binary.url.path, ["package", project.path, "--force"])
        #expect(forced.stdout.components(separatedBy: " built ").count == 3)
        #expect(!forced.stdout.contains("up to date"))
    }

    /// An unchanged run reads nothing again, so it must still say what the checks said, and anything
    /// the checks depend on besides the files (the handler, the runtime) makes it check again.
    @Test func anUnchangedRunKeepsItsWarningsAndAChangedHandlerIsCheckedAgain() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let code = dir.appendingPathComponent("src")
        try FileManager.default.createDirectory(at: code, withIntermediateDirectories: true)
        try "def handler(event, context):\n    return 1\n".write(to: code.appendingPathComponent("app.py"), atomically: true, encoding: .utf8)
        // A shared object that needs a library nobody ships: a warning.
        try "int helper(void);\nint g(void) { return helper(); }\n".write(to: dir.appendingPathComponent("uses.c"), atomically: true, encoding: .utf8)
        try "int helper(void) { return 1; }\n".write(to: dir.appendingPathComponent("helper.c"), atomically: true, encoding: .utf8)
        #expect(try await TestSupport.run("cc", ["-shared", "-fPIC", "-o", "libhelper.so", "helper.c"], directory: dir).status == 0)
        #expect(try await TestSupport.run("cc", ["-shared", "-fPIC", "-o", code.appendingPathComponent("libuses.so").path, "uses.c", "-L.", "-lhelper"],
                                    directory: dir).status == 0)
        func package(_ handler: String) async throws -> ProcessResult {
            try await TestSupport.run(Binary.url.path, ["package", "--function", code.path, "--runtime", "python3.13", "--handler", handler,
                                                  "-o", dir.appendingPathComponent("f.zip").path])
        }
        let first = try await package("app.handler")
        #expect(first.status == 0 && first.stdout.contains(" built "), "\(first.stderr)")
        #expect(first.stderr.contains("libuses.so needs libhelper.so"))
        let again = try await package("app.handler")
        #expect(again.stdout.contains("up to date"))
        #expect(again.stderr.contains("libuses.so needs libhelper.so"), "the warning is said again: \(again.stderr)")
        let otherHandler = try await package("nope.handler")
        #expect(otherHandler.status == 1, "checked again, and refused: \(otherHandler.stdout)")
        #expect(otherHandler.stderr.contains("nope.py"))
    }

    @Test func directModes() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.makeProject(at: dir)
        let ext = dir.appendingPathComponent("ext")
        try FileManager.default.createDirectory(at: ext, withIntermediateDirectories: true)
        try "#!/bin/sh\necho hi\n".write(to: ext.appendingPathComponent("notifier"), atomically: true, encoding: .utf8)

        func listing(_ arguments: [String], zip: String) async throws -> [Substring] {
            let result = try await TestSupport.run(Binary.url.path, ["package"] + arguments + ["-o", dir.appendingPathComponent(zip).path])
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            return try await pythonZipListing(dir.appendingPathComponent(zip)).stdout.split(separator: "\n").map { $0.split(separator: " ")[0...1].joined(separator: " ")[...] }
        }
        await #expect(try listing(["--layer", ext.path, "--layer-kind", "extension"], zip: "e.zip") == ["extensions/ 0o40755", "extensions/notifier 0o100755"])
        await #expect(try listing(["--layer", ext.path, "--layer-kind", "python"], zip: "p.zip") == ["python/ 0o40755", "python/notifier 0o100644"])
        await #expect(try listing(["--layer", ext.path, "--layer-kind", "node"], zip: "n.zip") == ["nodejs/ 0o40755", "nodejs/node_modules/ 0o40755", "nodejs/node_modules/notifier 0o100644"])
        await #expect(try listing(["--layer", ext.path], zip: "l.zip") == ["notifier 0o100644"])
        await #expect(try listing(["--bootstrap", ext.appendingPathComponent("notifier").path], zip: "b.zip") == ["bootstrap 0o100755"])
        await #expect(try listing(["--function", dir.appendingPathComponent("src").path, "--runtime", "python3.13", "--handler", "app.handler"], zip: "f.zip")
                == ["app.py 0o100644", "lib/ 0o40755", "lib/util.py 0o100644"])
    }

    @Test func requirementsAreInstalledFromAWheelForLambdasPlatform() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let wheels = dir.appendingPathComponent("wheels")
        let made = try await makeTinyWheel(in: wheels)
        #expect(made.status == 0, "\(made.stderr)")
        let src = dir.appendingPathComponent("src")
        try FileManager.default.createDirectory(at: src, withIntermediateDirectories: true)
        try "import tinydep\n\ndef handler(e, c):\n    return tinydep.VALUE\n".write(to: src.appendingPathComponent("app.py"), atomically: true, encoding: .utf8)
        try "tinydep==1.0\n".write(to: src.appendingPathComponent("requirements.txt"), atomically: true, encoding: .utf8)
        let zip = dir.appendingPathComponent("f.zip")
        let result = try await TestSupport.run(Binary.url.path, ["package", "--function", src.path, "--runtime", "python3.12", "--arch", "arm64", "-o", zip.path],
                                         environment: ["PIP_NO_INDEX": "1", "PIP_FIND_LINKS": wheels.path])
        #expect(result.status == 0, "\(result.stderr)")
        let names = try await pythonZipListing(zip).stdout.split(separator: "\n").map { String($0.split(separator: " ")[0]) }
        #expect(names.contains("tinydep/__init__.py"))
        #expect(names.contains("app.py"))
        #expect(names.contains("requirements.txt"))

        // A requirement with no wheel fails with pip's reason, and writes nothing.
        try "nosuchpackage==9.9\n".write(to: src.appendingPathComponent("requirements.txt"), atomically: true, encoding: .utf8)
        let missing = try await TestSupport.run(Binary.url.path, ["package", "--function", src.path, "--runtime", "python3.12", "-o", dir.appendingPathComponent("g.zip").path],
                                          environment: ["PIP_NO_INDEX": "1", "PIP_FIND_LINKS": wheels.path])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("pip could not install"))
        #expect(missing.stderr.contains("nosuchpackage"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("g.zip").path))
    }

    /// pip is told every manylinux tag the runtime's glibc loads: Amazon Linux 2023 (python3.13) gets
    /// the newest wheel, built for glibc 2.34; Amazon Linux 2 (python3.11, glibc 2.26) must not.
    @Test func wheelsAreChosenForTheRuntimesGlibc() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let wheels = dir.appendingPathComponent("wheels")
        #expect(try await makePlatformWheel(in: wheels, name: "natdep", version: "2.0", tag: "manylinux_2_34_x86_64").status == 0)
        #expect(try await makePlatformWheel(in: wheels, name: "natdep", version: "1.5", tag: "manylinux_2_26_x86_64").status == 0)
        #expect(try await makePlatformWheel(in: wheels, name: "natdep", version: "1.0", tag: "manylinux2014_x86_64").status == 0)
        let src = dir.appendingPathComponent("src")
        try FileManager.default.createDirectory(at: src, withIntermediateDirectories: true)
        try "def handler(e, c):\n    return 1\n".write(to: src.appendingPathComponent("app.py"), atomically: true, encoding: .utf8)
        try "natdep\n".write(to: src.appendingPathComponent("requirements.txt"), atomically: true, encoding: .utf8)
        func installed(_ runtime: String) async throws -> String? {
            let zip = dir.appendingPathComponent("\(runtime).zip")
            let result = try await TestSupport.run(Binary.url.path, ["package", "--function", src.path, "--runtime", runtime, "--handler", "app.handler",
                                                               "--arch", "x86_64", "-o", zip.path],
                                             environment: ["PIP_NO_INDEX": "1", "PIP_FIND_LINKS": wheels.path])
            #expect(result.status == 0, "\(result.stderr)")
            let listing = try await pythonZipListing(zip).stdout
            return listing.split(separator: "\n").map { String($0.split(separator: " ")[0]) }
                .first { $0.hasPrefix("natdep-") && $0.hasSuffix(".dist-info/METADATA") }
        }
        await #expect(try installed("python3.13") == "natdep-2.0.dist-info/METADATA")
        await #expect(try installed("python3.11") == "natdep-1.5.dist-info/METADATA")
    }

    @Test func nodeDependenciesNeedALockFile() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try #"{"name":"f","dependencies":{"left-pad":"1.3.0"}}"#.write(to: dir.appendingPathComponent("package.json"), atomically: true, encoding: .utf8)
        try "export const handler = async () => 1;\n".write(to: dir.appendingPathComponent("index.mjs"), atomically: true, encoding: .utf8)
        let result = try await TestSupport.run(Binary.url.path, ["package", "--function", dir.path, "--runtime", "nodejs22.x", "--handler", "index.handler",
                                                            "-o", dir.appendingPathComponent("f.zip").path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no package-lock.json"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("f.zip").path))
    }
}

@Suite(.timeLimit(.minutes(10))) struct SwiftProductTests {
    /// A Swift package with one executable and a resource; `main` is the executable's code.
    func package(in dir: URL, main: String) async throws {
        let sources = dir.appendingPathComponent("Sources/Hello")
        try FileManager.default.createDirectory(at: sources, withIntermediateDirectories: true)
        try """
            // swift-tools-version:5.9
            import PackageDescription
            let package = Package(name: "hello", targets: [.executableTarget(name: "Hello", resources: [.copy("greeting.txt")])])
            """.write(to: dir.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        try main.write(to: sources.appendingPathComponent("main.swift"), atomically: true, encoding: .utf8)
        try "hello from a resource\n".write(to: sources.appendingPathComponent("greeting.txt"), atomically: true, encoding: .utf8)
    }

    /// This machine's glibc, as [major, minor].
    static var hostGlibc: [Int] {
        // "glibc 2.36"
        let text = (try? TestSupport.runBlocking("getconf", ["GNU_LIBC_VERSION"]).stdout) ?? ""
        return text.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").compactMap { Int($0) } ?? []
    }

    /// Builds a tiny executable with a resource, packages it, unpacks it with unzip and runs it.
    @Test func aSwiftExecutableBecomesARunnableBootstrapWithItsResources() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // No Foundation: the static Swift runtime alone needs no glibc newer than provided.al2023's.
        try await package(in: dir, main: "print(\"hello from a bootstrap\")\n")

        let result = try await TestSupport.run(Binary.url.path, ["package", "--swift-product", "Hello", "-o", "lambda.zip"], directory: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let listing = try await pythonZipListing(dir.appendingPathComponent("lambda.zip")).stdout
        #expect(listing.hasPrefix("bootstrap 0o100755 "))
        #expect(listing.contains("hello_Hello.resources/greeting.txt 0o100644"))

        // Unpacked elsewhere, as Lambda unpacks it into /var/task, the bootstrap runs.
        let task = dir.appendingPathComponent("task")
        #expect(try await TestSupport.run("unzip", ["-q", dir.appendingPathComponent("lambda.zip").path, "-d", task.path]).status == 0)
        let ran = try await TestSupport.run(task.appendingPathComponent("bootstrap").path, [], directory: task)
        #expect(ran.stdout == "hello from a bootstrap\n", "\(ran.stderr)")

        let notAProduct = try await TestSupport.run(Binary.url.path, ["package", "--swift-product", "Nope", "-o", "x.zip"], directory: dir)
        #expect(notAProduct.status == 1)
        #expect(notAProduct.stderr.contains("swift build of Nope failed"))
    }

    /// Foundation pulls in glibc symbols newer than provided.al2023's 2.34 when the machine's glibc
    /// is newer (Debian 12 here): such a bootstrap would die at load on Lambda, so it is refused with
    /// the ways out. On a machine with an older glibc it builds.
    @Test func aBootstrapLinkedAgainstANewerGlibcIsRefused() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try await package(in: dir, main: """
            import Foundation
            let url = Bundle.module.url(forResource: "greeting", withExtension: "txt")!
            print(try! String(contentsOf: url, encoding: .utf8), terminator: "")
            """)
        let result = try await TestSupport.run(Binary.url.path, ["package", "--swift-product", "Hello", "-o", "lambda.zip"], directory: dir)
        guard [2, 34].lexicographicallyPrecedes(Self.hostGlibc) else {
            #expect(result.status == 0, "glibc \(Self.hostGlibc) is not newer than Lambda's: \(result.stderr)")
            return
        }
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("Hello was linked against this machine's glibc and needs GLIBC_2.3"), "\(result.stderr)")
        #expect(result.stderr.contains("--swift-sdk \(SwiftProductTests.cpu)-swift-linux-musl"))
        #expect(result.stderr.contains("Amazon Linux 2023"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("lambda.zip").path))
    }

    /// The Static Linux SDK's id for this machine's CPU, when `swift sdk list` has it.
    static let staticSDK: String? = {
        let listed = (try? TestSupport.runBlocking("swift", ["sdk", "list"]).stdout) ?? ""
        return listed.split(separator: "\n").map(String.init).first { $0.contains("\(cpu)-swift-linux-musl") }.map { _ in "\(cpu)-swift-linux-musl" }
    }()

    /// The way out the refusal names, end to end: fully static, so no glibc version can be too new.
    @Test(.enabled(if: SwiftProductTests.staticSDK != nil,
                   "the Static Linux SDK is not installed here (swift sdk install <its bundle from swift.org>); nothing to build with"))
    func theStaticLinuxSDKMakesABootstrapThatLoadsOnLambda() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try await package(in: dir, main: "import Foundation\nprint(Date(timeIntervalSince1970: 0).timeIntervalSince1970)\n")
        let result = try await TestSupport.run(Binary.url.path, ["package", "--swift-product", "Hello", "--swift-sdk", Self.staticSDK!, "-o", "lambda.zip"],
                                         directory: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let task = dir.appendingPathComponent("task")
        #expect(try await TestSupport.run("unzip", ["-q", dir.appendingPathComponent("lambda.zip").path, "-d", task.path]).status == 0)
        let ran = try await TestSupport.run(task.appendingPathComponent("bootstrap").path, [], directory: task)
        #expect(ran.stdout == "0.0\n", "\(ran.stderr)")
    }

    static var cpu: String {
        #if arch(x86_64)
        return "x86_64"
        #else
        return "aarch64"
        #endif
    }
}
