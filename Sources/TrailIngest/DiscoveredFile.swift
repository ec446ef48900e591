/// A file found by `ArchiveWalker` or `DirectoryTailer`: its path (as formed from the PATH the
/// user gave, so it is stable across runs) and its size in bytes when it was found.
///
/// Zero-length files are reported too: the decoder classifies them as empty and the pipeline
/// counts them as skipped, which keeps the S3 "folder" placeholders of some sync tools visible
/// instead of silently dropped.
public struct DiscoveredFile: Sendable, Hashable, CustomStringConvertible {
    /// The path, built from the given PATH plus the names walked below it. A path whose bytes
    /// are not UTF-8 shows them escaped (see `PathBytes.display`); `rawPath` then holds them.
    public var path: String
    /// Size in bytes at discovery time (compressed size for gzip files).
    public var size: Int64
    /// The path's exact bytes when they are not valid UTF-8 (so `path` cannot spell them);
    /// nil when `path` is the path.
    public var rawPath: [UInt8]?

    public init(path: String, size: Int64) {
        self.path = path
        self.size = size
        self.rawPath = nil
    }

    /// A file found under a path given as bytes, which may not be UTF-8.
    public init(rawPath: [UInt8], size: Int64) {
        self.path = PathBytes.display(rawPath)
        self.size = size
        self.rawPath = PathBytes.isUTF8(rawPath) ? nil : rawPath
    }

    /// True for a zero-length file.
    public var isEmpty: Bool { size == 0 }

    public var description: String { "\(path) (\(size) bytes)" }
}
