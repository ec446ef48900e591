#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tells whether files have stopped changing, for the bounded retry of files that are still
/// being written: a caller checks a path each time it retries it, and treats the file as settled
/// once its size and modification time are the same as at the previous check.
public struct FileStability: Sendable {
    /// What is compared between checks.
    public struct Snapshot: Sendable, Hashable {
        /// Size in bytes.
        public var size: Int64
        /// Modification time, nanoseconds since the epoch.
        public var modifiedNanoseconds: Int64
        /// Inode number (a file replaced by a rename is a new file).
        public var inode: UInt64
    }

    private var previous: [String: Snapshot] = [:]

    public init() {}

    /// The current snapshot of `path` (following symlinks), or nil when it cannot be stat'ed.
    public static func snapshot(_ path: String) -> Snapshot? {
        guard let status = FileStatus.of(path) else { return nil }
        return Snapshot(size: status.size, modifiedNanoseconds: status.modifiedNanoseconds, inode: status.identity.inode)
    }

    /// Records the current snapshot of `path` and returns true when it equals the one recorded at
    /// the previous check. The first check of a path returns false; a path that cannot be stat'ed
    /// is never stable (and is forgotten).
    public mutating func isStable(_ path: String) -> Bool {
        guard let now = FileStability.snapshot(path) else {
            previous[path] = nil
            return false
        }
        defer { previous[path] = now }
        return previous[path] == now
    }

    /// Forgets `path` (call it when the file has been ingested or given up on).
    public mutating func forget(_ path: String) {
        previous[path] = nil
    }

    /// The number of paths being tracked.
    public var count: Int { previous.count }
}
