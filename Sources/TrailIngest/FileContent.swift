/// A file's content as the decoder needs it: decompressed when it was gzip, plus what the file
/// ledger records about the stored file.
public struct FileContent: Sendable {
    /// The content, decompressed when the file was gzip; otherwise the file's bytes as read.
    public var bytes: [UInt8]
    /// The file's size on disk in bytes (the compressed size for gzip files).
    public var compressedSize: Int64
    /// `ContentFingerprint` of the file's bytes as stored (16 lowercase hex digits).
    public var fingerprint: String
    /// True when the file started with the gzip magic number and was inflated.
    public var wasGzip: Bool

    public init(bytes: [UInt8], compressedSize: Int64, fingerprint: String, wasGzip: Bool) {
        self.bytes = bytes
        self.compressedSize = compressedSize
        self.fingerprint = fingerprint
        self.wasGzip = wasGzip
    }
}
