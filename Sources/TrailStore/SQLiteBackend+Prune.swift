extension SQLiteBackend {
    /// Deletes events older than `cutoff`, oldest first, 10,000 at a time (one transaction each),
    /// their access rows with them.
    func prune(before cutoff: Int64) throws(StoreError) -> PruneReport {
        // Access rows are found by event through `access_event`, which a stopped first load may lack.
        _ = try buildDeferredIndexes(beforeBuilding: {})
        var report = PruneReport(cutoff: cutoff, events: 0, accessRows: 0, partitions: [])
        while true {
            let (events, access) = try write("prune events before \(cutoff)") { db -> (Int64, Int64) in
                var batch = try db.statement("SELECT id FROM events WHERE time < ? ORDER BY time, id LIMIT 10000")
                batch.bind(cutoff)
                var ids: [Int64] = []
                while try batch.step() { ids.append(batch.int64(0)) }
                batch.reset()
                var access: Int64 = 0
                var dropAccess = try db.statement("DELETE FROM access WHERE event = ?")
                var dropEvent = try db.statement("DELETE FROM events WHERE id = ?")
                for id in ids {
                    dropAccess.bind(id)
                    _ = try dropAccess.step()
                    access += Int64(dropAccess.changes)
                    dropAccess.reset()
                    dropEvent.bind(id)
                    try dropEvent.run()
                }
                return (Int64(ids.count), access)
            }
            report.events += events
            report.accessRows += access
            if events < 10_000 { return report }
        }
    }
}
