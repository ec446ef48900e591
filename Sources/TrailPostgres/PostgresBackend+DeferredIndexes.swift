import TrailStore

/// The secondary indexes of the two large partitioned tables (`events`, `access`), which a first
/// load into an empty store builds once at the end instead of maintaining row by row.
///
/// The statements are those of migration `pg1-history`, byte for byte (`pg2` and `pg3` do not
/// touch these indexes; a test compares what the build creates with a freshly migrated store's
/// `pg_indexes`). An index created on the partitioned table is created on every partition, and
/// partitions created later inherit it.
///
/// Kept during a load: the primary keys of `events` and `access` and `event_ids`' (the unique
/// `eventID`, which exactly-once relies on), and every index of the other tables. No statement of
/// the commit, the claims and their fencing reads `events` or `access` (the commit only appends to
/// them by COPY); `prune` drops whole partitions and deletes only from the small default
/// partitions.
enum PostgresDeferredIndexes {
    static let statements: [(name: String, sql: String)] = [
        ("events_time", "CREATE INDEX events_time ON events(time)"),
        ("events_principal_time", "CREATE INDEX events_principal_time ON events(principal, time)"),
        ("events_name_time", "CREATE INDEX events_name_time ON events(name, time)"),
        ("events_failed_time", "CREATE INDEX events_failed_time ON events(time) WHERE error_code IS NOT NULL"),
        ("access_event", "CREATE INDEX access_event ON access(event, secret)"),
        ("access_principal_time", "CREATE INDEX access_principal_time ON access(principal, time)"),
        ("access_notable_secret", "CREATE INDEX access_notable_secret ON access(secret, time) WHERE notable = 1"),
        ("access_notable_name", "CREATE INDEX access_notable_name ON access(name, time) WHERE notable = 1"),
        ("access_failed", "CREATE INDEX access_failed ON access(secret, time) WHERE failed = 1"),
    ]

    static let names: Set<String> = Set(statements.map(\.name))

    /// The deferred indexes missing from the store (on the partitioned tables themselves).
    static func missing(_ db: any SQLConnection) throws -> Set<String> {
        var s = try db.statement("""
            SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ('events', 'access')
            """)
        var present = Set<String>()
        while try s.step() { present.insert(s.string(0)) }
        s.reset()
        return names.subtracting(present)
    }
}

extension PostgresBackend {
    /// Drops the deferred indexes when the store holds no event and no ledger row, in the
    /// transaction that checks it. Like every write it first takes the store's write lock, so it
    /// is serialised with the commits, partition creation, `prune` and the build of other
    /// workers: workers starting together on an empty store drop the indexes once, and none
    /// drops them under another's rows. True when the indexes are deferred (dropped now, or
    /// missing already because an earlier first load stopped before building them); until the
    /// build, this process skips the periodic ANALYZE of the history (``finishLoad()`` runs it).
    public func deferIndexesForFirstLoad() throws(StoreError) -> Bool {
        let deferred = try write("defer indexes for a first load") { db in
            let missing = try PostgresDeferredIndexes.missing(db)
            guard missing.isEmpty else { return true }
            var empty = try db.statement("SELECT NOT EXISTS (SELECT 1 FROM events) AND NOT EXISTS (SELECT 1 FROM files)")
            let isEmpty = try empty.step() && empty.int64(0) == 1
            empty.reset()
            guard isEmpty else { return false }
            // Names are constants of this file; DDL takes no parameters.
            for (name, _) in PostgresDeferredIndexes.statements {
                try db.execute("DROP INDEX IF EXISTS \(name)")
            }
            return true
        }
        setIndexesDeferred(deferred)
        if deferred { joinLoaders() }
        return deferred
    }

    /// The advisory lock of the workers loading with deferred indexes ("TrailLoa" in ASCII): each
    /// holds it shared, on a connection of its own, while it loads; a build takes it exclusively,
    /// so it runs only when no other worker is still loading.
    static let loadLock: Int64 = 0x5472_6169_6C4C_6F61

    /// Takes the loaders' lock shared on a connection kept for the load. Not taken (the server
    /// cannot be reached, or a build holds it now): this worker does not count as loading, and at
    /// its end builds unless another worker does.
    private func joinLoaders() {
        guard loaderLink.locked({ $0 == nil }), let link = try? connectForLoaderLock() else { return }
        let joined: Bool
        do {
            // A worker whose host dies holds the lock until the server notices its connection is
            // dead: within about a minute with these keepalives (on TCP; a local socket closes
            // with the process), not after the system's default two hours. Until then the other
            // loaders and writers leave the build to it; the next writer after that builds.
            try link.execute("SET tcp_keepalives_idle = 30")
            try link.execute("SET tcp_keepalives_interval = 10")
            try link.execute("SET tcp_keepalives_count = 3")
            var s = try link.statement("SELECT pg_try_advisory_lock_shared(?)")
            s.bind(Self.loadLock)
            joined = try s.step() && s.int64(0) == 1
            s.reset()
        } catch {
            joined = false
        }
        // Kept unless another defer on this backend joined meanwhile: one share is enough.
        let kept = joined && loaderLink.locked { held -> Bool in
            guard held == nil else { return false }
            held = link
            return true
        }
        if !kept { link.close() }
    }

    /// Whether this worker may build now, and the connection holding the lock that says so.
    enum BuildPermission {
        /// Build; close the link (if any) afterwards to release the lock. Nil: the lock could not
        /// be asked for (the server unreachable for it), so build as a lone worker would: the
        /// write lock keeps that correct, it only costs other loaders their speed.
        case granted(lockHolder: (any PostgresLink)?)
        /// Another worker still loads, and builds when it ends (or, if it dies, the next writer does).
        case othersLoading
    }

    /// Leaves the loaders (if this worker is one), then takes their lock exclusively, which fails
    /// while another worker still holds it shared.
    func askToBuild() -> BuildPermission {
        let joined = loaderLink.locked { held -> (any PostgresLink)? in
            defer { held = nil }
            return held
        }
        guard let link = joined ?? (try? connectForLoaderLock()) else { return .granted(lockHolder: nil) }
        do {
            if joined != nil {
                var leave = try link.statement("SELECT pg_advisory_unlock_shared(?)")
                leave.bind(Self.loadLock)
                _ = try leave.step()
                leave.reset()
            }
            var take = try link.statement("SELECT pg_try_advisory_lock(?)")
            take.bind(Self.loadLock)
            let taken = try take.step() && take.int64(0) == 1
            take.reset()
            if taken { return .granted(lockHolder: link) }
            link.close()
            return .othersLoading
        } catch {
            link.close()
            return .granted(lockHolder: nil)
        }
    }

    /// Creates the missing deferred indexes in one transaction under the write lock (commits of
    /// other workers wait for it; readers do not). Returns the names built: none while another
    /// worker still loads with the indexes deferred, since a build in the middle of its load
    /// would make it maintain them row by row for the rest; the last loader to end builds them.
    ///
    /// Each `CREATE INDEX` may run for up to ``buildTimeout``, not the 5 minutes after which
    /// other statements count as lost: on a history of hundreds of millions of events one index
    /// can take longer, and a build cut short would be retried, and cut short, again (and `tail`
    /// could not start, as it builds missing indexes first).
    public func buildDeferredIndexes(beforeBuilding: () -> Void) throws(StoreError) -> [String] {
        defer { setIndexesDeferred(false) }
        guard case let .granted(lockHolder) = askToBuild() else { return [] }
        defer { lockHolder?.close() }
        return try write("build indexes") { db in
            guard let link = db as? any PostgresLink else { preconditionFailure("a PostgreSQL write runs on a PostgresLink") }
            let missing = try PostgresDeferredIndexes.missing(db)
            if !missing.isEmpty { beforeBuilding() }
            var built: [String] = []
            for (name, sql) in PostgresDeferredIndexes.statements where missing.contains(name) {
                try link.executeLong(sql, timeout: Self.buildTimeout)
                built.append(name)
            }
            return built
        }
    }

    /// How long one `CREATE INDEX` of the build may run before its connection counts as lost.
    static let buildTimeout = Duration.seconds(6 * 3600)

    public func missingDeferredIndexes() throws(StoreError) -> Set<String> {
        try read("list indexes") { db in try PostgresDeferredIndexes.missing(db) }
    }
}
