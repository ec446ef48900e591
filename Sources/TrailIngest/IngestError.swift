/// A file-level problem met while finding, reading or decompressing input, or while watching
/// directories. It names the path and, where one is known, the byte offset in the file as stored
/// on disk (the compressed offset for gzip input).
public struct IngestError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of problem this is.
    public enum Code: String, Sendable, Equatable {
        /// The path does not exist (a missing PATH argument: the CLI exits 2).
        case notFound
        /// The path exists but cannot be opened, listed or read (permissions, I/O error).
        case unreadable
        /// The path is neither a regular file nor a directory (FIFO, socket, device).
        case unsupportedFileType
        /// The gzip stream ends early: the file may still be being written.
        case truncated
        /// The gzip stream is damaged.
        case corrupt
        /// The decompressed content is larger than the allowed maximum.
        case tooLarge
        /// Watching directories failed (inotify, thread or descriptor setup).
        case watch
        /// The process ran out of file descriptors or memory opening the file (`EMFILE`,
        /// `ENFILE`, `ENOMEM`): a passing condition, not a property of the file.
        case exhausted
    }

    /// The file or directory concerned, as given or discovered.
    public var path: String
    /// Byte offset in the stored file where the problem was found, when known.
    public var byteOffset: Int?
    /// A human explanation, without the path.
    public var reason: String
    /// The kind of problem.
    public var code: Code

    public init(path: String, byteOffset: Int? = nil, reason: String, code: Code) {
        self.path = path
        self.byteOffset = byteOffset
        self.reason = reason
        self.code = code
    }

    /// True when the input ended early (a truncated gzip stream: the file may still be being
    /// written) or the process was out of descriptors or memory: a caller that tails directories
    /// should retry it later instead of failing it.
    public var isIncomplete: Bool { code == .truncated || code == .exhausted }

    /// `path: byte N: reason`, or `path: reason` when no offset is known.
    public var description: String {
        if let byteOffset { return "\(path): byte \(byteOffset): \(reason)" }
        return "\(path): \(reason)"
    }
}
