import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Small files of /proc and /sys, read with open and read. Foundation's String(contentsOfFile:)
/// leaks its buffer on them (their size is reported as 4,096 or 0 and the read comes up short): 4 KB
/// a read, and a teardown read cgroup.procs a thousand times, so `serve` grew 4 MB per cold start.
enum KernelFile {
    static func read(_ path: String, limit: Int = 1 << 20) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < limit {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count > 0 { bytes += chunk[..<count]; continue }
            if count < 0, errno == EINTR { continue }
            if count < 0 { return nil }
            break
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
