import LambdaAsyncCore
/// What can go wrong reading or writing an archive, said so that the user knows what to do.
public enum ArchiveError: Error, CustomStringConvertible, Equatable {
    case cannotCreate(path: String, reason: String)
    case cannotRead(path: String, reason: String)
    case libarchive(operation: String, path: String, message: String)
    case invalidEntryPath(String)

    public var description: String {
        switch self {
        case .cannotCreate(let path, let reason):
            return "cannot write \(path): \(reason); check that its folder exists and is writable"
        case .cannotRead(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .libarchive(let operation, let path, let message):
            return "\(operation) failed for \(path): \(message); if this is a zip, it may be corrupt: rebuild it or check it with `unzip -t`"
        case .invalidEntryPath(let path):
            return "'\(path)' cannot be stored in a zip: entry paths are relative, with no '..' and no empty parts"
        }
    }
}

extension ArchiveError: UserFacingError {
    public var kind: FailureKind { .failed }
}
