/// What `trailwatch prune` removed.
public struct PruneReport: Sendable, Equatable {
    /// Events older than this were removed (ms since epoch): the date asked for on SQLite; on
    /// PostgreSQL the start of the month that holds it, since whole monthly partitions are dropped.
    public var cutoff: Int64
    public var events: Int64
    public var accessRows: Int64
    /// Monthly partitions dropped (PostgreSQL), as `events_y2024m01`, … .
    public var partitions: [String]

    public init(cutoff: Int64, events: Int64, accessRows: Int64, partitions: [String]) {
        self.cutoff = cutoff
        self.events = events
        self.accessRows = accessRows
        self.partitions = partitions
    }
}

extension Store {
    /// Retention: removes the events older than `cutoff` (ms since epoch) with their access rows.
    ///
    /// The file ledger is never touched, so a later run does not read the pruned files again;
    /// alerts, secrets, principals and the running totals (`usage`, `regions`, which answer
    /// `query callers` and `secrets` without a time range) are kept. SQLite deletes in batches of
    /// 10,000 events, each batch its own transaction, so a writer never waits long; PostgreSQL
    /// drops whole monthly partitions, so it removes only months that end on or before `cutoff`.
    public func prune(before cutoff: Int64) throws(StoreError) -> PruneReport {
        try backend.prune(before: cutoff)
    }
}
