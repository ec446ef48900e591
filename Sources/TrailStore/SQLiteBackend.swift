import CSQLiteTuning
import Foundation
import GRDB
import TrailModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The SQLite engine of a ``Store``: one file, one writer (`backfill` or `tail`, holding the
/// writer lock), any number of readers (`query`, `alerts`, `status`, `serve`) thanks to WAL.
final class SQLiteBackend: StoreBackend {
    /// The database path, or `:memory:`.
    let path: String
    let readOnly: Bool
    let queue: DatabaseQueue
    private let writerLock: WriterLock
    /// Ledger lookups on a connection of their own (nil for an in-memory store, whose data only
    /// its one connection sees).
    private let ledgerReader: LedgerReader?
    /// Event ids committed since this writer found the events table empty (see ``CommittedEventIDs``).
    let committedEventIDs = CommittedEventIDs()
    /// Remarks for standard error made while opening (for example: permissions tightened to 0600).
    let openingNotes: [String]
    var location: String { path }
    /// One file, one writer: the writer lock keeps a second from starting.
    var isShared: Bool { false }

    /// Process-wide SQLite settings, applied once before the first connection opens (a Swift
    /// `static let` runs its initialiser once, on first use, under a lock): memory statistics
    /// off, since with them every allocation inside SQLite takes one mutex that the writer and
    /// the readers share.
    static let libraryConfigured: Bool = trailwatch_sqlite_disable_memory_statistics() == 0

    private init(path: String, readOnly: Bool, queue: DatabaseQueue, writerLock: WriterLock = WriterLock(), notes: [String] = []) {
        self.path = path
        self.readOnly = readOnly
        self.queue = queue
        self.writerLock = writerLock
        openingNotes = notes
        ledgerReader = path == ":memory:" ? nil : LedgerReader(path: path)
    }

    /// Opens (and for writers creates and migrates) the SQLite store at `path`.
    ///
    /// A new file is created with mode 0600 whatever the umask; the database uses WAL, foreign keys
    /// and a busy timeout. Read-only opening never creates the file: a missing file is `.notFound`.
    /// A path that exists but is not a regular file (a device, a FIFO, a directory) is refused
    /// (`.invalidArgument`) before SQLite touches it or creates files beside it, as is an empty
    /// path. A writer tightens
    /// an existing store (and its WAL files) readable by others to 0600 and says so in
    /// ``openingNotes``.
    ///
    /// With `lockForWriting`, a writer takes the writer lock before it creates or migrates the
    /// schema, so that of two writers racing on a new store the second gets `.locked`, not a
    /// migration conflict; call ``lockForWriting()`` afterwards as usual.
    static func open(path: String, readOnly: Bool, lockForWriting: Bool) throws(StoreError) -> SQLiteBackend {
        _ = libraryConfigured
        guard !path.isEmpty else {
            // Checked before the lock file, which would otherwise be created as `./.lock`.
            throw StoreError(.invalidArgument, path: path, operation: "open", message: "an empty path names no store (give --db FILE or a postgres:// URL)")
        }
        let exists = try StoreFile.checkRegular(path)
        if readOnly && !exists {
            throw StoreError(.notFound, path: path, operation: "open", message: "no such database (run `trailwatch backfill` first, or give --db)")
        }
        let lock = WriterLock()
        var notes: [String] = []
        if !readOnly {
            if lockForWriting { try lock.acquire(lockPath: path + ".lock", dbPath: path) }
            if exists { notes = try StoreFile.tightenPermissions(path) }
        }
        if !exists { try createPrivateFile(path) }
        var config = Configuration()
        config.readonly = readOnly
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(10)
        if !readOnly { config.journalMode = .wal }
        config.prepareDatabase { db in
            if readOnly {
                try db.execute(sql: "PRAGMA cache_size = -32768")
            } else {
                // NORMAL: a commit survives a crash of the process (kill -9), not of the machine; checkpoints
                // every 64 MB of WAL rather than 4 MB, since each costs two fsyncs.
                try db.execute(sql: """
                    PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;
                    PRAGMA wal_autocheckpoint = 16384; PRAGMA journal_size_limit = 67108864
                    """)
            }
        }
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
        } catch {
            throw SQLiteBackend.failure(error, path: path, operation: "open")
        }
        let backend = SQLiteBackend(path: path, readOnly: readOnly, queue: queue, writerLock: lock, notes: notes)
        try backend.prepareSchema()
        return backend
    }

    /// An empty store in memory (tests, dry runs); it never needs the writer lock.
    static func inMemory() throws(StoreError) -> SQLiteBackend {
        var config = Configuration()
        config.foreignKeysEnabled = true
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(configuration: config)
        } catch {
            throw StoreError(.sqlite, path: ":memory:", operation: "open", message: SQLiteBackend.message(error))
        }
        let backend = SQLiteBackend(path: ":memory:", readOnly: false, queue: queue)
        try backend.prepareSchema()
        backend.committedEventIDs.startTracking()
        return backend
    }

    private func prepareSchema() throws(StoreError) {
        let migrator = StoreSchema.migrator
        if readOnly {
            let (completed, superseded) = try readDatabase("check schema") { db in
                (try migrator.hasCompletedMigrations(db), try migrator.hasBeenSuperseded(db))
            }
            if !completed && !superseded {
                throw StoreError(.schema, path: path, operation: "open",
                                 message: "the database is not a trailwatch store or predates this version (run `trailwatch backfill` to migrate it)")
            }
            return
        }
        // A store a newer trailwatch migrated holds tables and rows this build does not know how
        // to keep consistent: reading it is fine, writing it is refused.
        if try readDatabase("check schema", { try migrator.hasBeenSuperseded($0) }) {
            throw StoreError(.schema, path: path, operation: "open",
                             message: "the store was migrated by a newer trailwatch; write to it with that version (this one may only read it)")
        }
        do {
            try migrator.migrate(queue)
        } catch {
            throw SQLiteBackend.failure(error, path: path, operation: "migrate")
        }
    }

    /// Creates `path` with mode 0600 (then fchmod, so the umask cannot widen or narrow it).
    private static func createPrivateFile(_ path: String) throws(StoreError) {
        let fd = posixOpen(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            if errno == EEXIST { return }
            throw StoreError(.io, path: path, operation: "create", message: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        if fchmod(fd, 0o600) != 0 {
            throw StoreError(.io, path: path, operation: "create", message: "chmod 0600: \(String(cString: strerror(errno)))")
        }
    }

    /// Takes the exclusive writer lock (`<db>.lock`) for the life of this `Store`.
    ///
    /// A second `tail` or `backfill` on the same database gets `.locked` with the holder's pid.
    /// Readers never need the lock.
    func lockForWriting() throws(StoreError) {
        if path == ":memory:" { return }
        try writerLock.acquire(lockPath: path + ".lock", dbPath: path)
        // No other process writes now: if no event is stored yet, every stored id will have gone
        // through this store's commits, so lookups can skip the ids it never committed.
        let empty = try readDatabase("count events") { db in try Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM events)") ?? false }
        if empty { committedEventIDs.startTracking() }
    }

    // MARK: - Access helpers mapping errors to StoreError

    func read<T>(_ operation: String, _ body: (any SQLConnection) throws -> T) throws(StoreError) -> T {
        try readDatabase(operation) { db in try body(SQLiteConnection(db: db)) }
    }

    func write<T>(_ operation: String, _ body: (any SQLConnection) throws -> T) throws(StoreError) -> T {
        try writeDatabase(operation) { db in try body(SQLiteConnection(db: db)) }
    }

    func briefWrite<T>(_ operation: String, _ body: (any SQLConnection) throws -> T) throws(StoreError) -> T {
        try write(operation, body)
    }

    func pipelineRead<T>(_ operation: String, _ body: (any SQLConnection) throws -> T) throws(StoreError) -> T {
        try pipelineReadDatabase(operation) { db in try body(SQLiteConnection(db: db)) }
    }

    func readDatabase<T>(_ operation: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try queue.read { db in try body(db) }
        } catch let error as StoreError {
            throw error
        } catch {
            throw SQLiteBackend.failure(error, path: path, operation: operation)
        }
    }

    func writeDatabase<T>(_ operation: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        if readOnly { throw StoreError(.sqlite, path: path, operation: operation, message: "the store is open read-only") }
        do {
            return try queue.write { db in try body(db) }
        } catch let error as StoreError {
            throw error
        } catch {
            throw SQLiteBackend.failure(error, path: path, operation: operation)
        }
    }

    /// A read by the writing process on its own connection: no savepoint and no
    /// `PRAGMA query_only` around it (GRDB's `read` sets that pragma, which expires every prepared
    /// statement of the connection, so each commit after a read would compile its statements again).
    func pipelineReadDatabase<T>(_ operation: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        if readOnly { return try readDatabase(operation, body) }
        do {
            return try queue.inDatabase { db in try body(db) }
        } catch let error as StoreError {
            throw error
        } catch {
            throw SQLiteBackend.failure(error, path: path, operation: operation)
        }
    }

    /// The store error for what SQLite threw: `.damaged` when the file is not a database or is
    /// corrupt, `.sqlite` otherwise.
    static func failure(_ error: any Error, path: String, operation: String) -> StoreError {
        var kind = StoreError.Kind.sqlite
        if let error = error as? DatabaseError,
           [ResultCode.SQLITE_NOTADB, .SQLITE_CORRUPT].contains(error.resultCode.primaryResultCode) {
            kind = .damaged
        }
        return StoreError(kind, path: path, operation: operation, message: SQLiteBackend.message(error))
    }

    static func message(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "\(error)"
        }
        if let error = error as? SQLiteFailure { return error.message }
        return "\(error)"
    }

    // MARK: - Pipeline reads

    /// The ledger row for `path`, if the file was seen before.
    ///
    /// Safe to call from several tasks at once: a file store answers on a read-only connection of
    /// its own (see ``LedgerReader``), so lookups never wait behind a commit.
    func ledgerEntry(path file: String) throws(StoreError) -> FileLedgerEntry? {
        if let ledgerReader { return try ledgerReader.entry(file) }
        return try pipelineReadDatabase("ledger lookup") { db in
            var s = try RawStatement(db, LedgerReader.sql)
            s.bind(file)
            defer { s.reset() }
            guard try s.step() else { return nil }
            return FileLedgerEntry(row: s)
        }
    }

    /// The ledger rows of those of `paths` seen before: one look-up each, in process, on the
    /// ledger's own connection (no round trip to save).
    func ledgerEntries(paths: [String]) throws(StoreError) -> [PathKey: FileLedgerEntry] {
        var entries: [PathKey: FileLedgerEntry] = [:]
        for path in paths {
            if let entry = try ledgerEntry(path: path) { entries[PathKey(path)] = entry }
        }
        return entries
    }

    /// Largest number of ids one lookup statement takes.
    static let idChunk = 256

    /// Which of `ids` are stored already.
    ///
    /// Ids go in chunks through statements with a power-of-two number of parameters (unused ones
    /// bound to NULL, which matches nothing), so a handful of statements are prepared once per
    /// connection whatever the number of ids.
    /// Ids this writer never committed to a store that was empty when it took the writer lock are
    /// answered without a lookup (see ``CommittedEventIDs``).
    func existingEventIDs(_ ids: [String]) throws(StoreError) -> Set<String> {
        let ids = committedEventIDs.candidates(ids) ?? ids
        if ids.isEmpty { return [] }
        if let ledgerReader { return try ledgerReader.existingEventIDs(ids, chunk: Self.idChunk, sql: Self.idLookupSQL) }
        return try pipelineReadDatabase("event id lookup") { db in
            var found = Set<String>()
            var start = 0
            while start < ids.count {
                let end = min(start + Self.idChunk, ids.count)
                var width = 8
                while width < end - start { width *= 2 }
                var s = try RawStatement(db, Self.idLookupSQL(width))
                for id in ids[start..<end] { s.bind(id) }
                for _ in (end - start)..<width { s.bind(String?.none) }
                while try s.step() { found.insert(s.string(0)) }
                s.reset()
                start = end
            }
            return found
        }
    }

    private static let idLookupSQLs: [Int: String] = {
        var out: [Int: String] = [:]
        var width = 8
        while width <= idChunk {
            out[width] = "SELECT event_id FROM events WHERE event_id IN (" + Array(repeating: "?", count: width).joined(separator: ",") + ")"
            width *= 2
        }
        return out
    }()

    private static func idLookupSQL(_ width: Int) -> String {
        idLookupSQLs[width] ?? "SELECT event_id FROM events WHERE event_id IN (" + Array(repeating: "?", count: width).joined(separator: ",") + ")"
    }
}
