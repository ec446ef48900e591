import TrailModel

/// The store: access history, secrets and principals, alerts and their deliveries, file ledger,
/// detector state; on SQLite (a file, one writer) or PostgreSQL (shared by several workers).
///
/// What both engines answer alike is written here once against ``SQLConnection``; the engine
/// (``StoreBackend``) supplies connections and the paths where the engines differ. Every value
/// reaches SQL as a bound parameter.
public final class Store: Sendable {
    /// The engine behind this store.
    public let backend: any StoreBackend

    /// Wraps an opened engine (the PostgreSQL one; SQLite stores come from ``open(path:readOnly:lockForWriting:)``).
    public init(backend: any StoreBackend) {
        self.backend = backend
    }

    /// Where the store is, for messages: the database path (`:memory:`), or a URL without its password.
    public var path: String { backend.location }
    /// Whether the store was opened read-only.
    public var readOnly: Bool { backend.readOnly }
    /// Remarks for standard error made while opening (for example: permissions tightened to 0600).
    public var openingNotes: [String] { backend.openingNotes }
    /// Whether several writers may share the store, so that files must be claimed before reading.
    public var isShared: Bool { backend.isShared }

    /// Opens (and for writers creates and migrates) the SQLite store at `path`.
    ///
    /// A new file is created with mode 0600 whatever the umask; the database uses WAL, foreign keys
    /// and a busy timeout. Read-only opening never creates the file: a missing file is `.notFound`.
    /// A path that exists but is not a regular file (a device, a FIFO, a directory) is refused
    /// (`.invalidArgument`) before SQLite touches it or creates files beside it. A writer tightens
    /// an existing store (and its WAL files) readable by others to 0600 and says so in
    /// ``openingNotes``.
    ///
    /// With `lockForWriting`, a writer takes the writer lock before it creates or migrates the
    /// schema, so that of two writers racing on a new store the second gets `.locked`, not a
    /// migration conflict; call ``lockForWriting()`` afterwards as usual.
    public static func open(path: String, readOnly: Bool = false, lockForWriting: Bool = false) throws(StoreError) -> Store {
        Store(backend: try SQLiteBackend.open(path: path, readOnly: readOnly, lockForWriting: lockForWriting))
    }

    /// An empty SQLite store in memory (tests, dry runs); it never needs the writer lock.
    public static func inMemory() throws(StoreError) -> Store {
        Store(backend: try SQLiteBackend.inMemory())
    }

    /// Takes what the engine needs before writing: on SQLite the exclusive writer lock
    /// (`<db>.lock`) for the life of this `Store`, so a second `tail` or `backfill` on the same
    /// file gets `.locked` with the holder's pid. Readers never need it.
    public func lockForWriting() throws(StoreError) {
        try backend.lockForWriting()
    }

    // MARK: - Access helpers

    func read<T>(_ operation: String, _ body: (any SQLConnection) throws -> T) throws(StoreError) -> T {
        try backend.read(operation, body)
    }

    func write<T>(_ operation: String, _ body: (any SQLConnection) throws -> T) throws(StoreError) -> T {
        try backend.write(operation, body)
    }

    /// A read by the writing process (see ``StoreBackend/pipelineRead(_:_:)``).
    func pipelineRead<T>(_ operation: String, _ body: (any SQLConnection) throws -> T) throws(StoreError) -> T {
        try backend.pipelineRead(operation, body)
    }

    // MARK: - Pipeline reads

    /// The ledger row for `path`, if the file was seen before.
    ///
    /// Safe to call from several tasks at once: the engine answers without waiting behind a commit.
    public func ledgerEntry(path file: String) throws(StoreError) -> FileLedgerEntry? {
        try backend.ledgerEntry(path: file)
    }

    /// The ledger rows of those of `paths` seen before, by path, asked in one go (a shared store
    /// answers a batch of files in one round trip).
    public func ledgerEntries(paths: [String]) throws(StoreError) -> [PathKey: FileLedgerEntry] {
        if paths.isEmpty { return [:] }
        return try backend.ledgerEntries(paths: paths)
    }

    /// Which of `ids` are stored already.
    public func existingEventIDs(_ ids: [String]) throws(StoreError) -> Set<String> {
        try backend.existingEventIDs(ids)
    }

    /// All detector state entries, for `DetectionEngine` at start.
    public func loadDetectorState() throws(StoreError) -> [DetectorStateEntry] {
        try read("load detector state") { db in
            var s = try db.statement("SELECT namespace, key, value FROM detector_state ORDER BY namespace, key")
            var out: [DetectorStateEntry] = []
            while try s.step() { out.append(DetectorStateEntry(namespace: s.string(0), key: s.string(1), value: s.string(2))) }
            s.reset()
            return out
        }
    }

    /// Secrets known by full ARN stored after row `rowID` (0: all, for `SecretCatalog` at start),
    /// in the order they were stored, with the last row's id: then what other workers of a shared
    /// store have learned since a worker last asked.
    public func knownSecrets(after rowID: Int64) throws(StoreError) -> (secrets: [SecretRef], lastRowID: Int64) {
        try read("known secrets") { db in
            var s = try db.statement("SELECT id, arn, name, account, region FROM secrets WHERE is_full = 1 AND id > ? ORDER BY id")
            s.bind(all: [.int(rowID)])
            var out: [SecretRef] = []
            var last = rowID
            while try s.step() {
                last = s.int64(0)
                out.append(SecretRef(id: s.string(1), name: s.string(2), account: s.string(3), region: s.string(4), isFullARN: true))
            }
            s.reset()
            return (out, last)
        }
    }
}
