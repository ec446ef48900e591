import TrailStore

extension PostgresBackend {
    /// Drops the monthly partitions of `events` and `access` that end on or before `cutoff`, then
    /// forgets their event ids (in batches) and the rows of the default partitions (forged times
    /// outside the partitioned years) older than the cutoff.
    public func prune(before cutoff: Int64) throws(StoreError) -> PruneReport {
        let partitions = try read("list partitions") { db in try PostgresPartitions.list(db) }
        var report = PruneReport(cutoff: cutoff, events: 0, accessRows: 0, partitions: [])
        // Months wholly before the cutoff.
        var months: [(year: Int, month: Int)] = []
        for p in partitions where p.table == "events" {
            let end = p.month == 12 ? PostgresSchema.monthStart(year: p.year + 1, month: 1) : PostgresSchema.monthStart(year: p.year, month: p.month + 1)
            if end <= cutoff { months.append((p.year, p.month)) }
        }
        if let last = months.last {
            report.cutoff = last.month == 12 ? PostgresSchema.monthStart(year: last.year + 1, month: 1) : PostgresSchema.monthStart(year: last.year, month: last.month + 1)
        } else {
            report.cutoff = partitions.first.map { PostgresSchema.monthStart(year: $0.year, month: $0.month) } ?? cutoff
            report.cutoff = min(report.cutoff, cutoff)
        }
        for (year, month) in months {
            try write("drop the partitions of \(year)-\(month)") { db in
                for table in PostgresPartitions.tables {
                    let name = PostgresSchema.partitionName(table, year: year, month: month)
                    var count = try db.statement("SELECT count(*) FROM \(name)")
                    _ = try count.step()
                    if table == "events" { report.events += count.int64(0) } else { report.accessRows += count.int64(0) }
                    count.reset()
                    try db.execute("DROP TABLE \(name)")
                    report.partitions.append(name)
                }
            }
        }
        // Forged times before the first partitioned year sit in the default partitions.
        let defaultCutoff = min(report.cutoff, PostgresSchema.monthStart(year: PostgresSchema.firstPartitionYear, month: 1))
        try write("prune the default partitions") { db in
            var access = try db.statement("DELETE FROM access_default WHERE time < ?")
            access.bind(defaultCutoff)
            _ = try access.step()
            report.accessRows += Int64(access.changes)
            access.reset()
            var events = try db.statement("DELETE FROM events_default WHERE time < ?")
            events.bind(defaultCutoff)
            _ = try events.step()
            report.events += Int64(events.changes)
            events.reset()
        }
        while true {
            let removed = try write("forget pruned event ids") { db -> Int32 in
                var s = try db.statement("""
                    DELETE FROM event_ids WHERE event_id IN (SELECT event_id FROM event_ids WHERE time < ? LIMIT 10000)
                    """)
                s.bind(report.cutoff)
                _ = try s.step()
                let n = s.changes
                s.reset()
                return n
            }
            if removed < 10_000 { break }
        }
        return report
    }
}
