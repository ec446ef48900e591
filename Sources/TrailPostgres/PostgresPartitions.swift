import TrailStore

/// The monthly partitions of `events` and `access`: created as months appear, dropped by `prune`.
enum PostgresPartitions {
    /// The partitioned tables.
    static let tables = ["events", "access"]

    /// Creates the partitions of `year`-`month` when missing. Call inside a write transaction
    /// (which holds the store's write lock, so two workers never race to create one).
    static func create(_ db: any SQLConnection, year: Int, month: Int) throws {
        let lower = PostgresSchema.monthStart(year: year, month: month)
        let upper = month == 12 ? PostgresSchema.monthStart(year: year + 1, month: 1) : PostgresSchema.monthStart(year: year, month: month + 1)
        for table in tables {
            // Names and bounds are computed here from integers, never taken from input; DDL takes no parameters.
            try db.execute("""
                CREATE TABLE IF NOT EXISTS \(PostgresSchema.partitionName(table, year: year, month: month))
                PARTITION OF \(table) FOR VALUES FROM (\(lower)) TO (\(upper))
                """)
        }
    }

    /// The monthly partitions that exist, as (table, partition, year, month), oldest first.
    static func list(_ db: any SQLConnection) throws -> [(table: String, name: String, year: Int, month: Int)] {
        var s = try db.statement("""
            SELECT parent.relname, child.relname FROM pg_inherits
            JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
            JOIN pg_class child ON child.oid = pg_inherits.inhrelid
            JOIN pg_namespace n ON n.oid = child.relnamespace
            WHERE n.nspname = current_schema() AND parent.relname IN ('events', 'access')
            """)
        var out: [(table: String, name: String, year: Int, month: Int)] = []
        while try s.step() {
            let table = s.string(0), name = s.string(1)
            let suffix = name.dropFirst(table.count)
            // `_yYYYYmMM`
            guard suffix.count == 9, suffix.hasPrefix("_y"), let y = Int(suffix.dropFirst(2).prefix(4)),
                  suffix.dropFirst(6).first == "m", let m = Int(suffix.suffix(2)) else { continue }
            out.append((table, name, y, m))
        }
        s.reset()
        return out.sorted { ($0.year, $0.month, $0.table) < ($1.year, $1.month, $1.table) }
    }
}
