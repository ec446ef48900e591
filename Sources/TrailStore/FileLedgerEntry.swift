import TrailModel

/// One row of the file ledger: what TrailWatch did with a file, keyed by path.
///
/// A closed CloudTrail file never changes, so path plus size plus content fingerprint says whether
/// a file has been read already.
public struct FileLedgerEntry: Sendable, Hashable {
    public var path: String
    /// Size on disk (compressed size for `.gz`).
    public var size: Int64
    /// A content fingerprint chosen by the reader.
    public var fingerprint: String
    /// The detected input format (`cloudTrailLog`, `jsonLines`, ...).
    public var format: String
    public var records: Int
    public var skipped: Int
    public var invalid: Int
    public var status: FileStatus
    /// Why the file failed or was skipped.
    public var reason: String?
    /// Wall-clock time of ingestion, given by the caller (the store never reads the clock).
    public var ingestedAt: EventTime
    /// The newest `eventTime` among the file's records, when it had any.
    public var newestEventTime: EventTime?

    public init(
        path: String, size: Int64, fingerprint: String, format: String, records: Int, skipped: Int = 0,
        invalid: Int = 0, status: FileStatus, reason: String? = nil, ingestedAt: EventTime,
        newestEventTime: EventTime? = nil
    ) {
        self.path = path
        self.size = size
        self.fingerprint = fingerprint
        self.format = format
        self.records = records
        self.skipped = skipped
        self.invalid = invalid
        self.status = status
        self.reason = reason
        self.ingestedAt = ingestedAt
        self.newestEventTime = newestEventTime
    }

    /// The account and region of the S3 layout (`AWSLogs/[o-org/]ACCOUNT/CloudTrail/REGION/...`), when the path follows it.
    public var accountAndRegion: (account: String, region: String)? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard let logs = parts.lastIndex(of: "AWSLogs") else { return nil }
        var i = logs + 1
        if i < parts.count, parts[i].hasPrefix("o-") { i += 1 }
        guard i + 2 < parts.count, parts[i + 1] == "CloudTrail" else { return nil }
        return (String(parts[i]), String(parts[i + 2]))
    }
}
