import Foundation
import Testing
import TestSupport
import LambdaAsyncCore
@testable import LambdaAsyncArchive

/// Several writers at once must give the bytes of one.
@Suite struct ShardedZipTests {
    @Test func shardedBytesAreExactlyASingleWritersAndTheHashIsTheirs() throws {
        let tree = try Tree()
        defer { tree.remove() }
        // Compressible sources, incompressible binaries, folders, a link, an executable: ~9 MB.
        var random = SystemRandomNumberGenerator()
        for index in 0..<300 {
            try tree.file("pkg\(index % 7)/mod\(index).py", String(repeating: "lambda extension freeze \(index)\n", count: 200))
        }
        for index in 0..<3 {
            let bytes = (0..<2_500_000).map { _ in UInt8.random(in: 0...255, using: &random) }
            try Data(bytes).write(to: tree.root.appendingPathComponent("lib\(index).bin"))
        }
        try tree.file("bin/tool", "#!/bin/sh\necho hi\n", mode: 0o755)
        try tree.link("pkg0/alias.py", to: "mod0.py")
        let plan = try ArtifactPlan(spec: ArtifactSpec(name: "f", kind: .function, sources: [ArtifactSource(root: tree.root)]))
        #expect(ShardedZip.shardCount(for: plan, cores: 2) == 2)
        #expect(ShardedZip.ranges(of: plan.entries, into: 2).count == 2)

        let out = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        func build(_ parallelism: Int, _ name: String) throws -> (Data, ArtifactResult) {
            var options = PackagingOptions(force: true)
            options.parallelism = parallelism
            let zip = out.appendingPathComponent("\(name).zip")
            let result = try Packager.build(plan, to: zip, options: options)
            defer { try? FileManager.default.removeItem(at: zip) }
            return (try Data(contentsOf: zip), result)
        }
        let (one, single) = try build(1, "one")
        let (two, sharded) = try build(2, "two")
        let (three, _) = try build(3, "three")
        #expect(one == two, "2 writers: \(one.count) vs \(two.count) bytes")
        #expect(one == three, "3 writers")
        #expect(single.sha256 == sharded.sha256 && single.zippedBytes == sharded.zippedBytes)
        // The hash is the bytes': an independent one agrees.
        var check = SHA256()
        check.update(Array(two))
        #expect(check.finalize().hexString == sharded.sha256)
        // Nothing left beside the zip.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test func smallTreesUseOneWriter() throws {
        let tree = try Tree()
        defer { tree.remove() }
        try tree.file("app.py", "def handler(e, c):\n    return 1\n")
        let plan = try ArtifactPlan(spec: ArtifactSpec(name: "f", kind: .function, sources: [ArtifactSource(root: tree.root)]))
        #expect(ShardedZip.shardCount(for: plan, cores: 8) == 1)
    }
}
