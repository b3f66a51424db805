import Foundation
import LambdaAsyncEnvironment
import LambdaAsyncCore

/// What a function's code folders look like on disk: every file's path, size and modification time.
/// Cheap enough to take every second for a project's code; `serve` compares two to see an edit.
struct CodeFingerprint: Equatable, Sendable {
    private let entries: [String]

    /// `ignoring`: absolute paths left out, such as the file serve's own output goes to.
    init(_ folders: [URL], ignoring: Set<String> = []) {
        var entries: [String] = []
        let keys: [URLResourceKey] = [.fileSizeKey, .contentModificationDateKey, .isDirectoryKey]
        for (index, folder) in folders.enumerated() {
            guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: keys) else { continue }
            for case let url as URL in walker {
                if NotCode.matches(name: url.lastPathComponent) {
                    walker.skipDescendants()
                    continue
                }
                guard let values = try? url.resourceValues(forKeys: Set(keys)), values.isDirectory != true,
                      !ignoring.contains(url.standardizedFileURL.path) else { continue }
                let stamp = values.contentModificationDate?.timeIntervalSince1970 ?? 0
                entries.append("\(index):\(url.path):\(values.fileSize ?? -1):\(stamp)")
            }
        }
        self.entries = entries.sorted()
    }

    /// The files this process's standard output and error go to, when they are files: with
    /// `serve > serve.log` in a function's code folder, each line logged would otherwise be an edit.
    static var ownOutputFiles: Set<String> {
        Set([1, 2].compactMap { fd in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)"))
                .map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        })
    }
}
