import TrailModel

/// What happened to one file in the sequential stage, for progress, summaries and exit codes.
public struct FileReport: Sendable {
    public enum Status: Sendable, Equatable {
        case done, skipped, failed, alreadyDone
        /// Not recorded: the file looks half-written and the caller will retry it.
        case deferred
        /// Not read: another worker on the shared store holds the file's claim (`reason` names
        /// it). `tail` tries again later; not counted as done or failed.
        case claimedElsewhere
        /// Read, but not committed: this worker lost the file's claim and another worker took it
        /// over (the commit was refused). Not counted, not retried.
        case takenOver
        /// Not read: the file belongs to another shard (`--shard`).
        case outsideShard
    }

    public var path: String
    public var status: Status
    public var records: Int = 0
    public var invalid: Int = 0
    public var eventsStored: Int = 0
    public var alertsEmitted: Int = 0
    /// Why the file failed or was skipped.
    public var reason: String?
    /// The invalid records, with their locations, for diagnostics.
    public var invalidRecords: [String] = []
    /// `.claimedElsewhere` after the file was read (its content differed from the ledger's row
    /// at the same size, so it was claimed, and another worker held it): the fingerprint read.
    public var fingerprintRead: String?

    public init(path: String, status: Status) {
        self.path = path
        self.status = status
    }
}
