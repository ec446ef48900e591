import TrailModel

/// A digest file as the analysis needs it: where it is, what its name says, its parsed content
/// and the SHA-256 of its uncompressed bytes, and its signature from a sidecar when there is one.
public struct DigestInput: Sendable {
    public var path: String
    public var name: TrailObjectName
    public var record: DigestRecord
    public var sha256: String
    public var sidecarSignature: String?

    public init(path: String, name: TrailObjectName, record: DigestRecord, sha256: String, sidecarSignature: String?) {
        self.path = path
        self.name = name
        self.record = record
        self.sha256 = sha256
        self.sidecarSignature = sidecarSignature
    }
}

/// A log file as the analysis needs it: where it is, what its name says, and the SHA-256 of its
/// uncompressed content (or why it could not be read).
public struct LogInput: Sendable {
    public var path: String
    public var name: TrailObjectName
    public var sha256: Result<String, VerifyError>

    public init(path: String, name: TrailObjectName, sha256: Result<String, VerifyError>) {
        self.path = path
        self.name = name
        self.sha256 = sha256
    }
}
