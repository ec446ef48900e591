import GRDB

/// The secondary indexes of the two large tables (`events`, `access`), which a first load into
/// an empty store builds once at the end instead of maintaining row by row.
///
/// The statements are those of the migrations, byte for byte (a test compares them with a
/// freshly migrated store's `sqlite_master`). Unique constraints of the tables themselves
/// (`events.event_id`, the primary keys) are never dropped: duplicate checks and exactly-once
/// rely on them. `access_event` is unique too, but no writer path can insert a second row for
/// an (event, secret) pair (access rows follow only a new event), and building it at the end
/// still checks that.
enum DeferredIndexes {
    static let statements: [(name: String, sql: String)] = [
        ("events_time", "CREATE INDEX events_time ON events(time)"),
        ("events_principal_time", "CREATE INDEX events_principal_time ON events(principal, time)"),
        ("events_name_time", "CREATE INDEX events_name_time ON events(name, time)"),
        ("events_failed_time", "CREATE INDEX events_failed_time ON events(time) WHERE error_code IS NOT NULL"),
        ("access_event", "CREATE UNIQUE INDEX access_event ON access(event, secret)"),
        ("access_notable_secret", "CREATE INDEX access_notable_secret ON access(secret, time) WHERE notable = 1"),
        ("access_notable_name", "CREATE INDEX access_notable_name ON access(name, time) WHERE notable = 1"),
        ("access_failed", "CREATE INDEX access_failed ON access(secret, time) WHERE failed = 1"),
    ]

    static let names: Set<String> = Set(statements.map(\.name))
}

extension SQLiteBackend {
    /// Also turns off this connection's foreign-key checks until ``buildDeferredIndexes(beforeBuilding:)``:
    /// during a first load the commit is the only writer of `events` and `access`, and takes
    /// every principal, secret and event id from its own upserts and inserts in the same
    /// transaction (PostgreSQL's `events` and `access` declare no foreign keys, for the same
    /// reason). The three checks of each `access` row were a third of its insert.
    func deferIndexesForFirstLoad() throws(StoreError) -> Bool {
        let deferred = try writeDatabase("defer indexes for a first load") { db in
            let missing = try Self.missingDeferredIndexes(db)
            let empty = try Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM events) AND NOT EXISTS (SELECT 1 FROM files)") ?? false
            guard empty || !missing.isEmpty else { return false }
            for (name, _) in DeferredIndexes.statements where !missing.contains(name) {
                try db.execute(sql: "DROP INDEX IF EXISTS \(name)")
            }
            return true
        }
        if deferred { try setForeignKeyChecks(false) }
        return deferred
    }

    func buildDeferredIndexes(beforeBuilding: () -> Void) throws(StoreError) -> [String] {
        let built = try writeDatabase("build indexes") { db in
            let missing = try Self.missingDeferredIndexes(db)
            if !missing.isEmpty { beforeBuilding() }
            var built: [String] = []
            for (name, sql) in DeferredIndexes.statements where missing.contains(name) {
                try db.execute(sql: sql)
                built.append(name)
            }
            return built
        }
        try setForeignKeyChecks(true)
        return built
    }

    /// `PRAGMA foreign_keys` of the writer's connection (outside any transaction, where SQLite
    /// ignores it).
    private func setForeignKeyChecks(_ on: Bool) throws(StoreError) {
        if readOnly { return }
        do {
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA foreign_keys = \(on ? "ON" : "OFF")") }
        } catch {
            throw StoreError(.sqlite, path: path, operation: "foreign-key checks \(on ? "on" : "off")", message: SQLiteBackend.message(error))
        }
    }

    func missingDeferredIndexes() throws(StoreError) -> Set<String> {
        try readDatabase("list indexes") { db in try Self.missingDeferredIndexes(db) }
    }

    private static func missingDeferredIndexes(_ db: Database) throws -> Set<String> {
        let present = try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index'")
        return DeferredIndexes.names.subtracting(present)
    }
}
