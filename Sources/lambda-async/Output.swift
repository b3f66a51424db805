import Foundation
import LambdaAsyncCore

extension TextStyle {
    static var standardOutput: TextStyle {
        TextStyle(width: Terminal.standardOutputWidth, color: Terminal.standardOutputSupportsColor)
    }
}

/// A progress bar on standard error for large trees, only when standard error is a terminal.
enum ProgressBar {
    static let minimumEntries = 2000

    static func forStandardError() -> (@Sendable (Int, Int) -> Void)? {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        return { done, total in
            guard total >= minimumEntries else { return }
            let width = 30
            let filled = width * done / max(1, total)
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            FileHandle.standardError.write(Data("\r  zipping [\(bar)] \(done)/\(total)".utf8))
        }
    }

    static func clear() {
        guard isatty(STDERR_FILENO) == 1 else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

/// A word as a POSIX shell reads it back: as it is when it is plain, in single quotes otherwise, so a
/// printed command with a path holding spaces or quotes can be pasted.
enum Shell {
    static func quote(_ word: String) -> String {
        let plain = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-=:,+@%")
        if !word.isEmpty, word.unicodeScalars.allSatisfy(plain.contains) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
