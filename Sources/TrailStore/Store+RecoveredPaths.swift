
extension Store {
    /// Forgets the ledger's failed rows for `paths`, which a walk has now read (a directory that
    /// could not be listed before, an entry that could not be examined). Rows of other statuses
    /// are kept. Returns how many rows were removed.
    @discardableResult
    public func forgetFailures(of paths: [String]) throws(StoreError) -> Int {
        guard !paths.isEmpty else { return 0 }
        return try write("forget recovered failures") { db in
            var statement = try db.statement("DELETE FROM files WHERE path = ? AND status = 'failed'")
            var removed = 0
            for path in paths {
                statement.bind(path)
                _ = try statement.step()
                removed += Int(statement.changes)
                statement.reset()
            }
            return removed
        }
    }
}
