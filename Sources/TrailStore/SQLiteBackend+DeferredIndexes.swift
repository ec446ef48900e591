import GRDB

/// The secondary indexes of the two large tables (`events`, `access`), which a first load into
/// an empty store builds once at the end instead of maintaining row by row, and the unique index
/// of event ids, which such a load builds at the end too.
///
/// The statements are those of the migrations, byte for byte (a test compares them with a
/// freshly migrated store's `sqlite_master`). The event ids' index (``eventIDs``) is missing only
/// while the writer that dropped it tracks every committed id exactly (``CommittedEventIDs``):
/// the commit then checks ids in memory as the index would. Any other writer builds it before
/// its first commit (``SQLiteBackend/lockForWriting()``). The tables' own keys are never
/// dropped. `access_event` is unique too, but no writer path can insert a second row for an
/// (event, secret) pair (access rows follow only a new event), and building it at the end still
/// checks that.
enum DeferredIndexes {
    /// The unique index of `events.event_id` (v8).
    static let eventIDs = (name: "events_event_id", sql: "CREATE UNIQUE INDEX events_event_id ON events(event_id)")

    /// Every deferred index, the unique one first (a build that fails on it fails fast).
    static let statements: [(name: String, sql: String)] = [
        eventIDs,
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
    /// Most event ids a first load holds in memory (about 100 bytes each) while it goes without
    /// their unique index; the commit that would pass it builds the index.
    static let defaultExactEventIDLimit = 1_000_000

    func deferIndexesForFirstLoad() throws(StoreError) -> Bool {
        try deferIndexesForFirstLoad(exactEventIDLimit: Self.defaultExactEventIDLimit)
    }

    /// Also turns off this connection's foreign-key checks until ``buildDeferredIndexes(beforeBuilding:)``:
    /// during a first load the commit is the only writer of `events` and `access`, and takes
    /// every principal, secret and event id from its own upserts and inserts in the same
    /// transaction (PostgreSQL's `events` and `access` declare no foreign keys, for the same
    /// reason). The three checks of each `access` row were a third of its insert.
    ///
    /// Into an empty store the event ids' unique index is dropped too, and every id committed
    /// is then tracked in memory, up to `exactEventIDLimit`. A store an earlier first load left
    /// without its indexes keeps (or gets back) the event ids' index: its stored ids are not
    /// in this writer's memory.
    func deferIndexesForFirstLoad(exactEventIDLimit: Int) throws(StoreError) -> Bool {
        let (deferred, exact) = try writeDatabase("defer indexes for a first load") { db -> (Bool, Bool) in
            let missing = try Self.missingDeferredIndexes(db)
            let empty = try Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM events) AND NOT EXISTS (SELECT 1 FROM files)") ?? false
            if !empty { try Self.ensureEventIDIndex(db) }
            let secondaryMissing = missing.subtracting([DeferredIndexes.eventIDs.name])
            guard empty || !secondaryMissing.isEmpty else { return (false, false) }
            for (name, _) in DeferredIndexes.statements where !missing.contains(name) {
                if name == DeferredIndexes.eventIDs.name && !empty { continue }
                try db.execute(sql: "DROP INDEX IF EXISTS \(name)")
            }
            return (true, empty)
        }
        if exact { committedEventIDs.startExactTracking(limit: exactEventIDLimit) }
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
        committedEventIDs.stopExactTracking()
        try setForeignKeyChecks(true)
        return built
    }

    /// Creates the event ids' unique index when it is missing (inside a write transaction).
    static func ensureEventIDIndex(_ db: Database) throws {
        let present = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?)",
                                        arguments: [DeferredIndexes.eventIDs.name]) ?? false
        if !present { try db.execute(sql: DeferredIndexes.eventIDs.sql) }
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
