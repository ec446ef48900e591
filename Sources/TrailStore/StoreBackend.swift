/// The engine behind a ``Store``: SQLite (``Store/open(path:readOnly:lockForWriting:)``) or
/// PostgreSQL (the TrailPostgres target).
///
/// Everything the two engines can say alike (queries, the outbox, detector state, claims) is
/// written once in `Store` and `QueryService` against ``SQLConnection``, in SQL both engines
/// speak. A backend supplies connections, and the few paths where the engines differ: the bulk
/// insert of a commit, the ledger and event-id lookups of the parallel stage, locking and schema.
public protocol StoreBackend: AnyObject, Sendable {
    /// Where the store is, for messages: a file path, or a URL without its password.
    var location: String { get }
    /// Whether the store was opened for reading only.
    var readOnly: Bool { get }
    /// Remarks for standard error made while opening (for example: permissions tightened).
    var openingNotes: [String] { get }
    /// Whether several writers may share this store (claims on files are then needed).
    var isShared: Bool { get }

    /// Runs `body` on a connection that sees one consistent state of the store.
    func read<T>(_ operation: String, _ body: (any SQLConnection) throws -> T) throws(StoreError) -> T
    /// Runs `body` in one write transaction: committed when it returns, rolled back when it throws.
    func write<T>(_ operation: String, _ body: (any SQLConnection) throws -> T) throws(StoreError) -> T
    /// A short write transaction that locks at most one row at a time, so it cannot deadlock with
    /// a commit and need not queue behind other writers' commits (a file claim): PostgreSQL runs
    /// it without the store's write lock, each statement committed on its own; SQLite as ``write(_:_:)``.
    func briefWrite<T>(_ operation: String, _ body: (any SQLConnection) throws -> T) throws(StoreError) -> T
    /// A read by the writing process for the pipeline (the outbox, state): the backend may answer
    /// on the writer's own connection.
    func pipelineRead<T>(_ operation: String, _ body: (any SQLConnection) throws -> T) throws(StoreError) -> T

    /// Commits files in ONE transaction (see ``Store/commit(_:)-swift.method``).
    func commit(_ commits: [FileCommit], label: String) throws(StoreError) -> [[String]]
    /// The ledger row for `path`, if the file was seen before; callable from several tasks at once.
    func ledgerEntry(path: String) throws(StoreError) -> FileLedgerEntry?
    /// The ledger rows of those of `paths` seen before, by path; callable from several tasks at once.
    func ledgerEntries(paths: [String]) throws(StoreError) -> [PathKey: FileLedgerEntry]
    /// Which of `ids` are stored already; callable from several tasks at once.
    func existingEventIDs(_ ids: [String]) throws(StoreError) -> Set<String>
    /// Takes whatever the engine needs before writing (SQLite: the exclusive writer lock).
    func lockForWriting() throws(StoreError)

    /// For a first load into an empty store: drops secondary indexes to build them at the end.
    func deferIndexesForFirstLoad() throws(StoreError) -> Bool
    /// Builds the deferred indexes that are missing; returns their names.
    func buildDeferredIndexes(beforeBuilding: () -> Void) throws(StoreError) -> [String]
    /// The deferred indexes the store lacks now.
    func missingDeferredIndexes() throws(StoreError) -> Set<String>
    /// At the end of a load (`backfill`): whatever the engine does once the rows are in
    /// (PostgreSQL: refresh the planner's statistics after a large load; SQLite: nothing).
    func finishLoad()

    /// Removes events (and their access rows) older than `cutoff` (see ``Store/prune(before:)``).
    func prune(before cutoff: Int64) throws(StoreError) -> PruneReport
}

extension StoreBackend {
    public func finishLoad() {}
}
