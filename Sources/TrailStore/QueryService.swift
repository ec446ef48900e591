import TrailModel

/// The read side of the store: the `trailwatch query`, `alerts` and `status` answers as tables.
///
/// `now` is the wall-clock time given by the caller (relative times, lags and `unused` use it);
/// the service never reads the clock itself, so tests are exact.
public struct QueryService: Sendable {
    public let store: Store
    public let now: EventTime
    /// Rows per page when PostgreSQL rows are tested against a `--source-ip` block here (tests
    /// make it small to cross page boundaries).
    var cidrPageRows: Int64 = 2_000

    public init(store: Store, now: EventTime) {
        self.store = store
        self.now = now
    }

    func read<T>(_ operation: String, _ body: (any SQLConnection, NameResolver) throws -> T) throws(StoreError) -> T {
        let path = store.path
        return try store.read(operation) { db in
            try body(db, NameResolver(db: db, path: path))
        }
    }
}

/// Counts gathered per principal or per secret for `callers` and `secrets`.
struct UsageAggregate {
    var first: Int64
    var last: Int64
    var count: Int64
    var errors: Int64
    var names: Set<String>

    init(first: Int64, last: Int64, count: Int64, errors: Int64, name: String) {
        self.first = first
        self.last = last
        self.count = count
        self.errors = errors
        self.names = [name]
    }

    mutating func merge(first f: Int64, last l: Int64, count c: Int64, errors e: Int64, name: String) {
        first = min(first, f)
        last = max(last, l)
        count += c
        errors += e
        names.insert(name)
    }
}

extension ResultTable {
    static func empty(_ columns: [Column], note: String) -> ResultTable {
        ResultTable(columns: columns, rows: [], notes: [note])
    }
}
