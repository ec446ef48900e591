/// A file found by `ArchiveWalker` or `DirectoryTailer`: its path (as formed from the PATH the
/// user gave, so it is stable across runs) and its size in bytes when it was found.
///
/// Zero-length files are reported too: the decoder classifies them as empty and the pipeline
/// counts them as skipped, which keeps the S3 "folder" placeholders of some sync tools visible
/// instead of silently dropped.
public struct DiscoveredFile: Sendable, Hashable, CustomStringConvertible {
    /// The path, built from the given PATH plus the names walked below it.
    public var path: String
    /// Size in bytes at discovery time (compressed size for gzip files).
    public var size: Int64

    public init(path: String, size: Int64) {
        self.path = path
        self.size = size
    }

    /// True for a zero-length file.
    public var isEmpty: Bool { size == 0 }

    public var description: String { "\(path) (\(size) bytes)" }
}
