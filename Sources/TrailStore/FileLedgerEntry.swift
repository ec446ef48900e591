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
    ///
    /// An ASCII path (every CloudTrail key) is split byte by byte: splitting by `Character` costs
    /// about 10 µs a path, on the single writer, once per file. Any other path is split by
    /// `Character`, where a combining mark after a `/` keeps it from separating.
    public var accountAndRegion: (account: String, region: String)? {
        var path = path
        if case let .ascii(place) = path.withUTF8(Self.asciiAccountAndRegion) { return place }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard let (account, region) = Self.layoutIndexes(parts, is: { $0 == $1 }, isOrganization: { $0.hasPrefix("o-") })
        else { return nil }
        return (String(parts[account]), String(parts[region]))
    }

    private enum LayoutScan {
        case ascii((account: String, region: String)?)
        case notASCII
    }

    /// ``accountAndRegion`` read from the bytes of an ASCII path.
    private static func asciiAccountAndRegion(_ bytes: UnsafeBufferPointer<UInt8>) -> LayoutScan {
        if bytes.contains(where: { $0 >= 0x80 }) { return .notASCII }
        let parts = bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true)
        guard let (account, region) = layoutIndexes(parts, is: { $0.elementsEqual($1.utf8) }, isOrganization: { $0.starts(with: "o-".utf8) })
        else { return .ascii(nil) }
        return .ascii((String(decoding: parts[account], as: UTF8.self), String(decoding: parts[region], as: UTF8.self)))
    }

    /// Where the account and the region sit among a path's parts (`AWSLogs/[o-org/]ACCOUNT/CloudTrail/REGION`,
    /// after the last `AWSLogs`), for parts split by `Character` or by byte alike.
    private static func layoutIndexes<Part>(_ parts: [Part], is: (Part, String) -> Bool, isOrganization: (Part) -> Bool) -> (account: Int, region: Int)? {
        guard let logs = parts.lastIndex(where: { `is`($0, "AWSLogs") }) else { return nil }
        var i = logs + 1
        if i < parts.count, isOrganization(parts[i]) { i += 1 }
        guard i + 2 < parts.count, `is`(parts[i + 1], "CloudTrail") else { return nil }
        return (i, i + 2)
    }
}

extension FileLedgerEntry {
    /// The columns of `files` that ``init(row:)`` reads, in its order, for `SELECT … FROM files`
    /// on either engine.
    package static let columns =
        "path, size, fingerprint, format, records, skipped, invalid, status, reason, ingested_at, newest_event_time"

    /// Reads a ledger row from a statement positioned on a row of ``columns``.
    package init(row s: any SQLStatement) {
        self.init(
            path: s.string(0), size: s.int64(1), fingerprint: s.string(2), format: s.string(3),
            records: s.int(4), skipped: s.int(5), invalid: s.int(6),
            status: FileStatus(rawValue: s.string(7)) ?? .failed, reason: s.optionalString(8),
            ingestedAt: EventTime(milliseconds: s.int64(9)),
            newestEventTime: s.optionalInt64(10).map { EventTime(milliseconds: $0) })
    }
}
