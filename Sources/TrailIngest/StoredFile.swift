/// A file's bytes exactly as stored on disk, before any decompression, with what the file
/// ledger records about them. Reading a file this far is cheap (one read and a hash); whether it
/// must be inflated and decoded can then be decided from the ledger.
public struct StoredFile: Sendable {
    /// The bytes as stored (compressed for gzip files).
    public var bytes: [UInt8]
    /// `ContentFingerprint` of `bytes` (16 lowercase hex digits).
    public var fingerprint: String

    public init(bytes: [UInt8], fingerprint: String) {
        self.bytes = bytes
        self.fingerprint = fingerprint
    }

    /// The size on disk in bytes.
    public var size: Int64 { Int64(bytes.count) }

    /// True when the bytes start with the gzip magic number.
    public var isGzip: Bool { Gunzip.isGzip(bytes) }
}
