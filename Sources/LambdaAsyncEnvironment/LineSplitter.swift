/// A process's output cut into log lines in linear time, whatever it writes: each byte is looked at
/// once (a line without a newline used to be searched again at every read: 10 MB took 38 s of the
/// runner's CPU), and no line is held past `limit` bytes: a longer one goes on in pieces of `limit`.
struct LineSplitter {
    /// What one log line may hold: 256 KiB, CloudWatch Logs' event size for most of Lambda's life
    /// (1 MB since 2025), so a line shown here is never one Lambda would have cut less.
    static let lineLimit = 256 * 1024

    let limit: Int
    private var line: [UInt8] = []
    /// The line so far was passed on whole at the limit: a newline right after it ends nothing new.
    private var cutAtLimit = false

    init(limit: Int = LineSplitter.lineLimit) { self.limit = limit }

    mutating func append(_ bytes: [UInt8], emit: (String) -> Void) {
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let newline = bytes[start...].firstIndex(of: 0x0A)
            let end = newline ?? bytes.endIndex
            while start < end {
                let taken = min(limit - line.count, end - start)
                line.append(contentsOf: bytes[start..<(start + taken)])
                start += taken
                cutAtLimit = false
                if line.count == limit {
                    emit(String(decoding: line, as: UTF8.self))
                    line.removeAll(keepingCapacity: true)
                    cutAtLimit = true
                }
            }
            guard let newline else { break }
            if !(line.isEmpty && cutAtLimit) { emit(String(decoding: line, as: UTF8.self)) }
            line.removeAll(keepingCapacity: true)
            cutAtLimit = false
            start = newline + 1
        }
    }

    /// The last line, when the output ended without a newline.
    mutating func finish(emit: (String) -> Void) {
        if !line.isEmpty { emit(String(decoding: line, as: UTF8.self)) }
        line.removeAll()
    }
}
