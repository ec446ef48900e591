import Foundation
import Synchronization
import TrailModel
import TrailStore
import TrailSync

/// A PostgreSQL connection as the backend uses it: statements and transactions.
protocol PostgresLink: AnyObject, SQLConnection, Sendable {
    /// Runs `body` between BEGIN and COMMIT, rolled back when it throws; a connection lost in
    /// the middle fails the transaction (it is never continued on a new connection).
    func transaction<T>(_ body: () throws -> T) throws -> T
    /// Loads `rows` into `table` with `COPY … FROM STDIN` (inside the open transaction, if any).
    func copy(into table: String, columns: [String], rows: [[PostgresBindValue]]) throws
    /// Runs `sql` (no parameters, no rows), allowed to take up to `timeout` however short the
    /// connection's own statement timeout is.
    func executeLong(_ sql: String, timeout: Duration) throws
    func close()
}

extension PostgresLink {
    /// A link without a statement timeout of its own runs it as any statement.
    func executeLong(_ sql: String, timeout: Duration) throws {
        try execute(sql)
    }
}

/// The PostgreSQL engine of a ``Store``: one database shared by any number of workers and readers.
///
/// Connections are opened on demand and pooled (a caller borrows one for a read, a write or a
/// lookup, so the parallel stage's ledger lookups never wait behind a commit). Reads run in a
/// read-only, repeatable-read transaction: one consistent snapshot. Every write transaction
/// first takes one transaction-scoped advisory lock, so the writes of several workers are
/// serialised: commits cannot deadlock one another, and new monthly partitions are created by
/// one writer at a time. Workers read and decode in parallel; only the writes queue.
public final class PostgresBackend: StoreBackend {
    public let location: String
    public let readOnly: Bool
    public let openingNotes: [String]
    public var isShared: Bool { true }

    private let connect: @Sendable () throws(StoreError) -> any PostgresLink
    private let idle = Mutex<[any PostgresLink]>([])
    /// How long an operation keeps retrying while the server cannot be reached (a restart, a
    /// failover, a partition) before it fails.
    let retryLimit: Duration
    /// Waits between retries (the real clock in use; tests inject a recorder).
    let sleep: @Sendable (Duration) -> Void
    /// Told of every retry and of the recovery that ends them (the CLI prints them).
    let onRetry: (@Sendable (PostgresRetryEvent) -> Void)?
    /// The wall clock, in milliseconds since the epoch (commit tokens are dated by it).
    let now: @Sendable () -> Int64
    /// Months whose partitions this process has seen created (to skip asking again).
    private let knownMonths = Mutex<Set<Int>>([])
    /// While this worker loads with deferred indexes: the connection holding the loaders' lock
    /// shared (see ``deferIndexesForFirstLoad()``).
    let loaderLink = Mutex<(any PostgresLink)?>(nil)

    /// The advisory lock every write transaction takes ("TrailWrit" in ASCII, any constant).
    static let writeLock: Int64 = 0x5472_6169_6C57_7269

    /// Opens the store: connects once, then (for writers) migrates the schema under an advisory
    /// lock, or (for readers) checks that it is a TrailWatch store this version can read.
    init(location: String, readOnly: Bool, notes: [String], retryLimit: Duration, analyzeAfterEvents: Int = 100_000,
         sleep: @escaping @Sendable (Duration) -> Void,
         onRetry: (@Sendable (PostgresRetryEvent) -> Void)? = nil,
         now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) },
         connect: @escaping @Sendable () throws(StoreError) -> any PostgresLink) throws(StoreError) {
        self.location = location
        self.analyzeAfterEvents = analyzeAfterEvents
        self.growth = Mutex(Growth(nextAnalyze: analyzeAfterEvents))
        self.readOnly = readOnly
        self.openingNotes = notes
        self.retryLimit = retryLimit
        self.sleep = sleep
        self.onRetry = onRetry
        self.now = now
        self.connect = connect
        try prepareSchema()
    }

    deinit {
        for link in idle.locked({ $0 }) { link.close() }
        loaderLink.locked { $0 }?.close()
    }

    /// A connection outside the pool, for a session-level lock that must outlive any one operation.
    func connectForLoaderLock() throws(StoreError) -> any PostgresLink {
        try connect()
    }

    // MARK: - Connections

    private func borrow() throws(StoreError) -> any PostgresLink {
        if let link = idle.locked({ pool -> (any PostgresLink)? in pool.popLast() }) { return link }
        return try connect()
    }

    private func giveBack(_ link: any PostgresLink) {
        let extra = idle.locked { pool -> (any PostgresLink)? in
            if pool.count >= 8 { return link }
            pool.append(link)
            return nil
        }
        extra?.close()
    }

    /// Runs `body` on a borrowed connection, mapping errors to ``StoreError``. When the server
    /// cannot be reached (`.connection`: restarting, failing over, partitioned away), `body` runs
    /// again after 0.5 s, doubling to 30 s, until ``retryLimit``; `body` must be safe to run again
    /// (a transaction that failed this way was rolled back by the server). Each retry, and the
    /// success that ends them, is told to ``onRetry``. A transaction the server rolled back to
    /// break a deadlock (or a serialization failure) runs again at once, up to
    /// ``rolledBackRetries`` times, silently: the other transaction has gone on.
    private func withLink<T>(_ operation: String, retry: Bool = true, _ body: (any PostgresLink) throws -> T) throws(StoreError) -> T {
        var waited = Duration.zero
        var pause = Duration.milliseconds(500)
        var rolledBack = 0
        while true {
            do {
                let result = try once(operation, body)
                if waited > .zero { onRetry?(.recovered(operation: operation, waited: waited)) }
                return result
            } catch where retry && error.kind == .connection && waited < retryLimit {
                onRetry?(.retrying(operation: operation, error: error, waited: waited, pause: pause, limit: retryLimit))
                sleep(pause)
                waited += pause
                pause = min(pause * 2, .seconds(30))
            } catch where retry && PostgresErrors.isRolledBack(error) && rolledBack < Self.rolledBackRetries {
                rolledBack += 1
            }
        }
    }

    /// How many times an operation runs again after the server rolled it back for a deadlock.
    static let rolledBackRetries = 5

    private func once<T>(_ operation: String, _ body: (any PostgresLink) throws -> T) throws(StoreError) -> T {
        let link = try borrow()
        defer { giveBack(link) }
        do {
            return try body(link)
        } catch var error as StoreError {
            // The engine's errors are told in the terms of what the store was doing; the store's
            // own (an ambiguous name, a bad argument) keep theirs.
            error.path = location
            if error.kind == .postgres || error.kind == .connection { error.operation = operation }
            throw error
        } catch let lost as ClaimLost {
            throw lost.storeError(store: location, operation: operation)
        } catch {
            throw StoreError(.postgres, path: location, operation: operation, message: "\(error)")
        }
    }

    private func refuseIfReadOnly(_ operation: String) throws(StoreError) {
        if readOnly { throw StoreError(.postgres, path: location, operation: operation, message: "the store is open read-only") }
    }

    public func read<T>(_ operation: String, _ body: (any SQLConnection) throws -> T) throws(StoreError) -> T {
        try withLink(operation) { link in
            try link.transaction {
                try link.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                return try body(link)
            }
        }
    }

    public func write<T>(_ operation: String, _ body: (any SQLConnection) throws -> T) throws(StoreError) -> T {
        try refuseIfReadOnly(operation)
        return try withLink(operation) { link in
            try link.transaction {
                try link.execute("SELECT 1 FROM pg_advisory_xact_lock(?)", [.int(Self.writeLock)])
                return try body(link)
            }
        }
    }

    /// A file claim locks one row: it never waits for the write lock, so a worker can claim files
    /// while another commits (or is stalled in a commit). Its statements run on their own, each
    /// committed when it ends (no BEGIN and COMMIT around them: two round trips fewer per file):
    /// each is correct alone (insert if absent, take over if expired or one's own, read the
    /// holder), as they are in a read-committed transaction, and running one again after a lost
    /// answer finds the worker's own claim.
    public func briefWrite<T>(_ operation: String, _ body: (any SQLConnection) throws -> T) throws(StoreError) -> T {
        try refuseIfReadOnly(operation)
        return try withLink(operation) { link in try body(link) }
    }

    public func pipelineRead<T>(_ operation: String, _ body: (any SQLConnection) throws -> T) throws(StoreError) -> T {
        try withLink(operation) { link in try body(link) }
    }

    // MARK: - Schema

    /// Opening does not wait for the server: a wrong password or an unreachable host is reported at once.
    private func prepareSchema() throws(StoreError) {
        try withLink("open", retry: false) { link in
            if readOnly {
                try PostgresMigrator.check(link, location: location)
            } else {
                try PostgresMigrator.migrate(link, location: location)
            }
        }
    }

    // MARK: - The insert path

    /// Commits the group in one transaction. A retry after a lost answer to COMMIT finds the
    /// group's ``CommitToken`` and writes nothing again (its alerts not yet handed over are
    /// returned as new).
    public func commit(_ commits: [FileCommit], label: String) throws(StoreError) -> [[String]] {
        try ensurePartitions(for: commits)
        let token = CommitToken.make()
        let written = try write("commit of \(label)") { db in
            guard try CommitToken.record(token, now: now(), on: db) else {
                return (alerts: try CommitToken.alertsNotHandedOver(commits, on: db), events: 0)
            }
            guard let link = db as? any PostgresLink else { preconditionFailure("a PostgreSQL write runs on a PostgresLink") }
            return try PostgresCommitWriter(db: link).write(commits)
        }
        let due = growth.locked { g -> Bool in
            g.stored += written.events
            g.sinceAnalyze += written.events
            // Loading without the deferred indexes, no statement of the load reads the history;
            // the end of the load analyses it, after building them.
            guard g.stored >= g.nextAnalyze, !g.indexesDeferred else { return false }
            g.nextAnalyze = 2 * g.stored
            return true
        }
        if due { analyze() }
        return written.alerts
    }

    // MARK: - Planner statistics after a bulk load

    /// Events this process stored, and since its last ANALYZE; the count that triggers the next.
    private struct Growth {
        var stored = 0
        var sinceAnalyze = 0
        var nextAnalyze: Int
        /// This process deferred the history's indexes and has not built them yet.
        var indexesDeferred = false
    }
    private let growth: Mutex<Growth>
    /// Events a process stores before it first refreshes the statistics (then at each doubling).
    let analyzeAfterEvents: Int

    /// Refreshes the planner's statistics of the history tables. Autovacuum analyses the monthly
    /// partitions on its own, later, but never the partitioned tables themselves, whose
    /// statistics the plans of `query` use: straight after a bulk load, queries would be planned
    /// as if the history were empty (seconds instead of milliseconds on millions of events).
    /// ANALYZE samples a fixed number of rows and does not block writers; a failure (another
    /// worker analysing at the same moment) is left for the next one.
    ///
    /// Only the columns that queries filter, join or group on: the long text columns (`event_id`,
    /// `details`, the caller's address, agent and session, the error message) took more than half
    /// of the time (an ANALYZE of all of `events` 410–510 ms after the 1M-record tree, of these
    /// columns 180–240 ms), and nothing plans with them. `event_ids` is only ever probed by its
    /// unique key, which needs no statistics.
    private func analyze() {
        _ = try? withLink("analyze", retry: false) { link in try link.execute(Self.analyzeSQL) }
        growth.locked { g in
            g.sinceAnalyze = 0
            g.nextAnalyze = max(g.nextAnalyze, 2 * g.stored)
        }
    }

    static let analyzeSQL = "ANALYZE events (id, time, source, name, account, region, principal, error_code), access"

    /// Whether this process is loading without the deferred indexes (no periodic ANALYZE then).
    func setIndexesDeferred(_ deferred: Bool) {
        growth.locked { $0.indexesDeferred = deferred }
    }

    /// At the end of a load (`backfill`): refreshes the statistics when the load stored at
    /// least ``analyzeAfterEvents`` events, some of them since the last refresh.
    public func finishLoad() {
        let due = growth.locked { g in g.stored >= analyzeAfterEvents && g.sinceAnalyze > 0 }
        if due { analyze() }
    }

    /// Creates the monthly partitions the group's events fall in (each in its own short
    /// transaction, before the commit's, so that the commit never waits on DDL).
    private func ensurePartitions(for commits: [FileCommit]) throws(StoreError) {
        var months = Set<Int>()
        for c in commits {
            for e in c.events {
                if let m = PostgresSchema.month(of: e.eventTime.milliseconds) { months.insert(m.year * 12 + m.month - 1) }
            }
        }
        let missing = knownMonths.locked { known in months.subtracting(known) }
        guard !missing.isEmpty else { return }
        try write("create monthly partitions") { db in
            for key in missing.sorted() {
                try PostgresPartitions.create(db, year: key / 12, month: key % 12 + 1)
            }
        }
        knownMonths.locked { known in known.formUnion(missing) }
    }

    public func ledgerEntry(path: String) throws(StoreError) -> FileLedgerEntry? {
        try withLink("ledger lookup") { link in
            var s = try link.statement(Self.ledgerSQL + "path = ?")
            s.bind(path)
            defer { s.reset() }
            guard try s.step() else { return nil }
            return FileLedgerEntry(row: s)
        }
    }

    /// One round trip for the lot: the paths go as one bound `text[]` (see ``arrayParameter``).
    public func ledgerEntries(paths: [String]) throws(StoreError) -> [PathKey: FileLedgerEntry] {
        try withLink("ledger lookup of \(paths.count) files") { link in
            var entries: [PathKey: FileLedgerEntry] = [:]
            var start = 0
            while start < paths.count {
                let end = min(start + 5_000, paths.count)
                var s = try link.statement(Self.ledgerSQL + "path = " + Self.arrayParameter)
                s.bind(PostgresArrayLiteral.text(paths[start..<end]))
                while try s.step() {
                    let entry = FileLedgerEntry(row: s)
                    entries[PathKey(entry.path)] = entry
                }
                s.reset()
                start = end
            }
            return entries
        }
    }

    /// How a look-up binds its list of values: one `text` parameter, cast to `text[]` and
    /// unnested once into an array the plan computes before its scan. Written `= ANY(?::text[])`,
    /// the cast is not a constant (`array_in` is only stable), so the planner parses the array for
    /// every element's selectivity (0.6 ms a look-up of 40 `eventID`s), and a sequential scan,
    /// which it picks while a table is small, parses it again for every row (5–11 ms a batch of 32
    /// paths over 512 ledger rows); this form plans in 0.04 ms and runs in 0.1–0.3 ms.
    static let arrayParameter = "ANY(ARRAY(SELECT unnest(?::text[])))"

    private static let ledgerSQL = "SELECT \(FileLedgerEntry.columns) FROM files WHERE "

    public func existingEventIDs(_ ids: [String]) throws(StoreError) -> Set<String> {
        if ids.isEmpty { return [] }
        return try withLink("event id lookup") { link in
            var found = Set<String>()
            var start = 0
            while start < ids.count {
                let end = min(start + 5_000, ids.count)
                var s = try link.statement("SELECT event_id FROM event_ids WHERE event_id = " + Self.arrayParameter)
                s.bind(PostgresArrayLiteral.text(ids[start..<end]))
                while try s.step() { found.insert(s.string(0)) }
                s.reset()
                start = end
            }
            return found
        }
    }

    /// Nothing to take: several workers share the store, and claims on files keep them apart.
    public func lockForWriting() throws(StoreError) {}
}
