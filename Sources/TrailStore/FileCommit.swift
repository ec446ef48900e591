import TrailModel

/// Everything one file contributes to the store, committed in one transaction.
public struct FileCommit: Sendable {
    public var ledger: FileLedgerEntry
    /// The file's secret-related events (duplicates of stored events are ignored).
    public var events: [AuditEvent]
    /// New alerts with their JSON line; an alert whose id is stored already is ignored.
    public var alerts: [(alert: Alert, json: String)]
    /// Repeats folded into stored alerts: `count` is added to the alert's count.
    public var suppressed: [(alertID: String, count: Int)]
    /// Detector state changes; an entry with a nil value deletes its key.
    public var state: [DetectorStateEntry]
    /// Full-ARN secrets learned while reading the file.
    public var learnedSecrets: [SecretRef]
    /// CloudTrail digests verified by this file (a digest file checked in `tail`); each replaces
    /// the stored one of its account, region and trail when it ends no earlier.
    public var verifiedDigests: [VerifiedDigest] = []
    /// The worker whose claim on the file this commit consumes (the fencing check): when that
    /// claim was lost, the commit is refused with `StoreError.Kind.claimLost`. Nil: no claim is
    /// checked (a single writer).
    public var claim: String? = nil
    /// False for detections that belong to no file (`detectionsOnly`): no ledger row is written.
    public private(set) var hasFile = true

    /// Alerts, folded repeats and detector state that no file brings: the held threshold alerts
    /// a backfill releases after its last file.
    public static func detectionsOnly(
        alerts: [(alert: Alert, json: String)], suppressed: [(alertID: String, count: Int)], state: [DetectorStateEntry]
    ) -> FileCommit {
        let none = FileLedgerEntry(
            path: "", size: 0, fingerprint: "", format: "", records: 0, skipped: 0, invalid: 0, status: .done,
            reason: nil, ingestedAt: EventTime(milliseconds: 0), newestEventTime: nil)
        var c = FileCommit(ledger: none, alerts: alerts, suppressed: suppressed, state: state)
        c.hasFile = false
        return c
    }

    public init(
        ledger: FileLedgerEntry, events: [AuditEvent] = [], alerts: [(alert: Alert, json: String)] = [],
        suppressed: [(alertID: String, count: Int)] = [], state: [DetectorStateEntry] = [],
        learnedSecrets: [SecretRef] = []
    ) {
        self.ledger = ledger
        self.events = events
        self.alerts = alerts
        self.suppressed = suppressed
        self.state = state
        self.learnedSecrets = learnedSecrets
    }
}

/// A CloudTrail digest whose signature verified, as `status` shows it.
public struct VerifiedDigest: Sendable, Hashable {
    public var account: String
    public var region: String
    public var trail: String
    /// The digest's path.
    public var digest: String
    /// The end of the hour the digest covers.
    public var digestEnd: EventTime
    /// When it was verified (wall clock).
    public var verifiedAt: EventTime

    public init(account: String, region: String, trail: String, digest: String, digestEnd: EventTime, verifiedAt: EventTime) {
        self.account = account
        self.region = region
        self.trail = trail
        self.digest = digest
        self.digestEnd = digestEnd
        self.verifiedAt = verifiedAt
    }
}
