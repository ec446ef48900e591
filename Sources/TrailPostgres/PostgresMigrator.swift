import TrailStore

/// Applies ``PostgresSchema/migrations`` once, however many workers start together, and refuses
/// a store that a newer TrailWatch has migrated.
enum PostgresMigrator {
    /// The table that records applied migrations.
    static let table = "trailwatch_migrations"

    /// Migrates in one transaction under an advisory lock: the first worker applies what is
    /// missing, the others wait for it and then find nothing to do.
    static func migrate(_ db: any PostgresLink, location: String) throws {
        try db.transaction {
            try db.execute("SELECT 1 FROM pg_advisory_xact_lock(?)", [.int(PostgresSchema.migrationLock)])
            try db.execute("""
                CREATE TABLE IF NOT EXISTS \(table) (name TEXT COLLATE "C" PRIMARY KEY, applied_at BIGINT NOT NULL)
                """)
            let applied = try appliedMigrations(db)
            try refuseNewer(applied, location: location)
            for (name, sql) in PostgresSchema.migrations where !applied.contains(name) {
                // The extended protocol takes one statement at a time.
                for statement in sql.split(separator: ";\n") where !statement.allSatisfy(\.isWhitespace) {
                    try db.execute(String(statement))
                }
                try db.execute("INSERT INTO \(table) (name, applied_at) VALUES (?, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)", [.text(name)])
            }
        }
    }

    /// For readers: the store must be migrated by this version (or an older one it can read).
    static func check(_ db: any SQLConnection, location: String) throws {
        var exists = try db.statement("SELECT to_regclass(?) IS NOT NULL")
        exists.bind("public." + table)
        let present = try exists.step() && exists.int64(0) == 1
        exists.reset()
        guard present else {
            throw StoreError(.schema, path: location, operation: "open",
                             message: "the database is not a trailwatch store (run `trailwatch backfill --db URL` first)")
        }
        let applied = try appliedMigrations(db)
        try refuseNewer(applied, location: location)
        let missing = PostgresSchema.migrations.map(\.name).filter { !applied.contains($0) }
        if !missing.isEmpty {
            throw StoreError(.schema, path: location, operation: "open",
                             message: "the store predates this version (missing \(missing.joined(separator: ", "))); run `trailwatch backfill --db URL` to migrate it")
        }
    }

    static func appliedMigrations(_ db: any SQLConnection) throws -> Set<String> {
        var s = try db.statement("SELECT name FROM \(table)")
        var names = Set<String>()
        while try s.step() { names.insert(s.string(0)) }
        s.reset()
        return names
    }

    private static func refuseNewer(_ applied: Set<String>, location: String) throws {
        let known = Set(PostgresSchema.migrations.map(\.name))
        let unknown = applied.subtracting(known).sorted()
        if !unknown.isEmpty {
            throw StoreError(.schema, path: location, operation: "open",
                             message: "the store was migrated by a newer trailwatch (\(unknown.joined(separator: ", "))); upgrade trailwatch to use it")
        }
    }
}
