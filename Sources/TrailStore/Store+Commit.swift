extension Store {
    /// Commits one file in ONE transaction: events and access rows, secrets and principals with
    /// first/last seen, usage totals, alerts (ignored when their id is stored), suppressed counts,
    /// detector state, learned secrets and the ledger row (upserted by path).
    ///
    /// An event whose `eventID` is stored already adds nothing. If anything fails, nothing of the
    /// file is stored. Returns the ids of the alerts newly inserted, in the order given.
    @discardableResult
    public func commit(_ c: FileCommit) throws(StoreError) -> [String] {
        try commit([c]).first ?? []
    }

    /// Commits several files in ONE transaction, each exactly as `commit(_:)` would: all of them or
    /// none. A writer with several files ready (a backfill, a tail catching up) saves most of the
    /// per-transaction cost, since pages that every file touches (index tails, totals) are written
    /// once. Returns, per file, the ids of its alerts newly inserted.
    public func commit(_ commits: [FileCommit]) throws(StoreError) -> [[String]] {
        guard let first = commits.first else { return [] }
        let label = commits.count == 1 ? first.ledger.path : "\(first.ledger.path) and \(commits.count - 1) more files"
        return try backend.commit(commits, label: label)
    }
}
