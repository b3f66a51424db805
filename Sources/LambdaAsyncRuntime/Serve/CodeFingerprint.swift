import Foundation
import LambdaAsyncCore

/// What a function's code folders look like on disk: every file's path, size and modification time.
/// Cheap enough to take every second for a project's code; `serve` compares two to see an edit.
struct CodeFingerprint: Equatable, Sendable {
    private let entries: [String]

    init(_ folders: [URL]) {
        var entries: [String] = []
        let keys: [URLResourceKey] = [.fileSizeKey, .contentModificationDateKey, .isDirectoryKey]
        for (index, folder) in folders.enumerated() {
            guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: keys) else { continue }
            for case let url as URL in walker {
                if NotCode.matches(name: url.lastPathComponent) {
                    walker.skipDescendants()
                    continue
                }
                guard let values = try? url.resourceValues(forKeys: Set(keys)), values.isDirectory != true else { continue }
                let stamp = values.contentModificationDate?.timeIntervalSince1970 ?? 0
                entries.append("\(index):\(url.path):\(values.fileSize ?? -1):\(stamp)")
            }
        }
        self.entries = entries.sorted()
    }
}
