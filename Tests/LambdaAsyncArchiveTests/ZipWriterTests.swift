import Foundation
import Testing
import TestSupport
@testable import LambdaAsyncArchive

@Suite struct ZipWriterTests {
    func writeSample(to zip: URL, source: URL) throws {
        let writer = try ZipWriter(destination: zip)
        try writer.addFile("bootstrap", permissions: 0o755, contents: Array("#!/bin/sh\necho hi\n".utf8))
        try writer.addDirectory("extensions")
        try writer.addFile("extensions/worker", permissions: 0o755, from: source)
        try writer.addFile("handler.py", permissions: 0o644, contents: Array("def handler(e, c):\n    return e\n".utf8))
        try writer.addSymlink("latest", target: "handler.py")
        try writer.commit()
    }

    @Test func pythonZipfileReadsWhatLibarchiveWrote() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = dir.appendingPathComponent("worker")
        let payload = String(repeating: "incompressible? no, but long enough to span chunks\n", count: 5000)
        try payload.write(to: source, atomically: true, encoding: .utf8)
        let zip = dir.appendingPathComponent("function.zip")
        try writeSample(to: zip, source: source)

        let listing = try await pythonZipListing(zip)
        #expect(listing.status == 0, "\(listing.stderr)")
        let lines = listing.stdout.split(separator: "\n").map(String.init)
        #expect(lines == [
            "bootstrap 0o100755 18 1980-01-01T00:00:00 3",
            "extensions/ 0o40755 0 1980-01-01T00:00:00 3",
            "extensions/worker 0o100755 \(payload.utf8.count) 1980-01-01T00:00:00 3",
            "handler.py 0o100644 32 1980-01-01T00:00:00 3",
            "latest 0o120777 10 1980-01-01T00:00:00 3",
        ])
        let content = try await run("python3", ["-c", "import zipfile,sys; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read('extensions/worker').decode())", zip.path])
        #expect(content.stdout == payload)

        // And libarchive's own reader agrees.
        let entries = try ZipReader.entries(of: zip)
        #expect(entries.map(\.path) == ["bootstrap", "extensions", "extensions/worker", "handler.py", "latest"])
        #expect(entries[4].kind == .symlink(target: "handler.py"))
        #expect(entries[0].isExecutable && !entries[3].isExecutable)
    }

    @Test func theSameInputsGiveTheSameBytes() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = dir.appendingPathComponent("worker")
        try "echo worker\n".write(to: source, atomically: true, encoding: .utf8)
        let first = dir.appendingPathComponent("a.zip"), second = dir.appendingPathComponent("b.zip")
        try writeSample(to: first, source: source)
        // A different mtime on the source must not change the zip.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_700_000_000)], ofItemAtPath: source.path)
        try writeSample(to: second, source: source)
        #expect(try Data(contentsOf: first) == Data(contentsOf: second))
    }

    @Test func anAbandonedWriterLeavesNothing() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let zip = dir.appendingPathComponent("broken.zip")
        do {
            let writer = try ZipWriter(destination: zip)
            try writer.addFile("a.txt", permissions: 0o644, contents: [1, 2, 3])
            #expect(throws: ArchiveError.self) { try writer.addFile("../escape", permissions: 0o644, contents: []) }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [])
    }

    @Test func aCorruptZipIsReportedNotListed() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let zip = dir.appendingPathComponent("ok.zip")
        let writer = try ZipWriter(destination: zip)
        // Incompressible bytes, so offset 1000 lies inside the entry's data, not a header.
        var generator = SystemRandomNumberGenerator()
        try writer.addFile("data.bin", permissions: 0o644, contents: (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try writer.commit()
        var bytes = try Data(contentsOf: zip)
        bytes[1000] ^= 0xFF
        try bytes.write(to: zip)
        #expect(throws: ArchiveError.self) { try ZipReader.entries(of: zip) }
        #expect(throws: ArchiveError.self) { try ZipReader.entries(of: dir.appendingPathComponent("missing.zip")) }
    }
}
