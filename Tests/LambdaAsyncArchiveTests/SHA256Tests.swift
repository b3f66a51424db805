import Foundation
import Testing
import TestSupport
@testable import LambdaAsyncArchive

@Suite struct SHA256Tests {
    @Test func knownVectors() {
        var empty = SHA256()
        #expect(empty.finalize().hexString == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        var abc = SHA256()
        abc.update(Array("abc".utf8))
        #expect(abc.finalize().hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func agreesWithPythonAcrossBlockBoundariesAndChunkings() async throws {
        var generator = SystemRandomNumberGenerator()
        for length in [1, 55, 56, 63, 64, 65, 127, 1000, 100_000] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let python = try await run("python3", ["-c", "import hashlib,sys; print(hashlib.sha256(bytes.fromhex(sys.stdin.read())).hexdigest())"],
                                 input: bytes.hexString)
            var whole = SHA256()
            bytes.withUnsafeBytes { whole.update($0) }
            #expect(whole.finalize().hexString == python.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "length \(length)")
            // Uneven chunks must give the same digest as one update.
            var chunked = SHA256()
            var index = 0
            while index < bytes.count {
                let end = min(bytes.count, index + 1 + index % 70)
                bytes[index..<end].withUnsafeBytes { chunked.update($0) }
                index = end
            }
            #expect(chunked.finalize().hexString == python.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "chunked \(length)")
        }
    }
}
