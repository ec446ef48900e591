/// A value for a bound parameter (`$1`, `$2`, …): bound on the wire, never spliced into SQL.
public enum PostgresBindValue: Sendable, Equatable {
    case null
    /// Sent as `int8`; flags are 0 and 1 (the SQL the store shares with SQLite has no booleans).
    case int(Int64)
    /// Sent as `text`.
    case text(String)

    /// `.text`, or `.null` for nil.
    init(_ value: String?) { self = value.map { .text($0) } ?? .null }
}

/// One cell of a result row.
///
/// `int` holds `int2`, `int4`, `int8`, `bool` (0 or 1), `oid` and a `numeric` without a fraction
/// (what `sum` of integers returns); `text` holds `text`, `varchar`, `name`, `bpchar`, `json` and
/// `jsonb`. Any other column type is an error naming the column: cast it in the SQL.
public enum PostgresCellValue: Sendable, Equatable {
    case null
    case int(Int64)
    case text(String)
}

/// The rows of one statement, all buffered, and the rows it changed.
public struct PostgresResult: Sendable, Equatable {
    /// Column names, in order (empty when the statement returned no rows).
    public var columns: [String]
    /// The rows, each with one cell per column.
    public var rows: [[PostgresCellValue]]
    /// The command tag's verb: `SELECT`, `INSERT`, `UPDATE`, `BEGIN`, …
    public var command: String
    /// Rows inserted, updated, deleted, selected or copied, from the command tag (0 when it has none).
    public var affectedRows: Int

    public init(columns: [String] = [], rows: [[PostgresCellValue]] = [], command: String = "", affectedRows: Int = 0) {
        self.columns = columns
        self.rows = rows
        self.command = command
        self.affectedRows = affectedRows
    }
}

/// How much of a result a session buffers before it refuses the statement: a query that would
/// return more is an error, not unbounded memory.
public struct PostgresResultLimits: Sendable, Equatable {
    /// Cells (rows × columns).
    public var cells: Int
    /// Bytes of text and integers together.
    public var bytes: Int

    public init(cells: Int = 4_000_000, bytes: Int = 512 << 20) {
        self.cells = cells
        self.bytes = bytes
    }
}
