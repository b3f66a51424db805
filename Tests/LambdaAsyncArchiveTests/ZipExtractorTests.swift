import Foundation
import Testing
import TestSupport
@testable import LambdaAsyncArchive

@Suite struct ZipExtractorTests {
    @Test func unpacksWithModesAndLinks() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let zip = dir.appendingPathComponent("f.zip")
        let writer = try ZipWriter(destination: zip)
        try writer.addFile("bootstrap", permissions: 0o755, contents: Array("#!/bin/sh\n".utf8))
        try writer.addDirectory("lib")
        try writer.addFile("lib/a.py", permissions: 0o644, contents: Array("A = 1\n".utf8))
        try writer.addSymlink("current.py", target: "lib/a.py")
        try writer.commit()
        let target = dir.appendingPathComponent("task")
        try ZipExtractor.extract(zip, into: target)
        let attributes = try FileManager.default.attributesOfItem(atPath: target.appendingPathComponent("bootstrap").path)
        #expect(attributes[.posixPermissions] as? Int == 0o755)
        #expect(try String(contentsOf: target.appendingPathComponent("current.py"), encoding: .utf8) == "A = 1\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: target.appendingPathComponent("current.py").path) == "lib/a.py")
    }

    @Test func refusesEntriesThatEscape() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let zip = dir.appendingPathComponent("evil.zip")
        let made = try await run("python3", ["-c", "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],'w'); z.writestr('../escaped.txt','x'); z.close()", zip.path])
        #expect(made.status == 0)
        #expect(throws: ArchiveError.self) { try ZipExtractor.extract(zip, into: dir.appendingPathComponent("task")) }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("escaped.txt").path))
    }

    @Test func setuidSetgidAndStickyBitsAreNotKept() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let zip = dir.appendingPathComponent("setuid.zip")
        let made = try await run("python3", ["-c", """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w") as z:
                for name, mode in (("su", 0o104755), ("sg", 0o102755), ("sticky", 0o101777)):
                    info = zipfile.ZipInfo(name)
                    info.create_system = 3
                    info.external_attr = mode << 16
                    z.writestr(info, "#!/bin/sh\\n")
            """, zip.path])
        #expect(made.status == 0, "\(made.stderr)")
        let target = dir.appendingPathComponent("task")
        try ZipExtractor.extract(zip, into: target)
        for (name, kept) in [("su", 0o755), ("sg", 0o755), ("sticky", 0o777)] {
            var info = stat()
            #expect(lstat(target.appendingPathComponent(name).path, &info) == 0)
            #expect(Int(info.st_mode) & 0o7777 == kept, "\(name): \(String(Int(info.st_mode) & 0o7777, radix: 8))")
        }
    }
}
