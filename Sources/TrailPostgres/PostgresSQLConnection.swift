import TrailStore

/// The store's statement interface on a PostgreSQL session: the SQL the store shares between
/// engines runs here with its `?` parameters numbered for PostgreSQL.
public struct PostgresSQLConnection: SQLConnection {
    public let session: PostgresSession

    public init(session: PostgresSession) { self.session = session }

    public var dialect: SQLDialect { .postgres }

    /// A statement for `sql`; nothing reaches the server until its first `step()` or `run()`.
    public func statement(_ sql: String) throws -> any SQLStatement {
        PostgresStatement(session: session, sql: sql)
    }
}

/// A statement on a PostgreSQL session, with SQLite's stepping interface over a buffered result.
///
/// Binds are collected in order; the first `step()` or `run()` sends the statement with them
/// (translated once per SQL text from `?` to `$n`) and buffers every row; `step()` then walks the
/// rows. Accessors read the current row, converting as SQLite does: NULL reads as 0 or "", an
/// integer as its decimal text, a text as its integer value or 0.
public struct PostgresStatement: SQLStatement {
    public let session: PostgresSession
    /// The SQL as written, with `?` parameters.
    public let sql: String
    private var binds: [PostgresBindValue] = []
    private var rows: [[PostgresCellValue]]?
    private var position = -1
    private var changed: Int32 = 0

    public init(session: PostgresSession, sql: String) {
        self.session = session
        self.sql = sql
    }

    public mutating func bind(_ value: String?) { binds.append(value.map { .text($0) } ?? .null) }
    public mutating func bind(_ value: Int64?) { binds.append(value.map { .int($0) } ?? .null) }
    public mutating func bind(_ value: Int?) { binds.append(value.map { .int(Int64($0)) } ?? .null) }
    public mutating func bind(_ value: Bool?) { binds.append(value.map { .int($0 ? 1 : 0) } ?? .null) }

    public mutating func step() throws -> Bool {
        if rows == nil { try execute() }
        position += 1
        return position < (rows?.count ?? 0)
    }

    public mutating func run() throws {
        try execute()
        reset()
    }

    public mutating func reset() {
        binds.removeAll(keepingCapacity: true)
        rows = nil
        position = -1
    }

    /// Rows changed by the last run (from the command tag; a SELECT counts the rows it returned).
    public var changes: Int32 { changed }

    private mutating func execute() throws(StoreError) {
        let result = try session.query(PlaceholderTranslation.translate(sql), binds)
        rows = result.rows
        position = -1
        changed = Int32(clamping: result.affectedRows)
    }

    private func cell(_ column: Int32) -> PostgresCellValue {
        guard let rows, position >= 0, position < rows.count, column >= 0, Int(column) < rows[position].count else { return .null }
        return rows[position][Int(column)]
    }

    public func int64(_ column: Int32) -> Int64 {
        switch cell(column) {
        case .null: 0
        case .int(let value): value
        case .text(let text): Int64(text) ?? 0
        }
    }

    public func int(_ column: Int32) -> Int { Int(int64(column)) }
    public func isNull(_ column: Int32) -> Bool { cell(column) == .null }
    public func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }

    public func string(_ column: Int32) -> String {
        switch cell(column) {
        case .null: ""
        case .int(let value): String(value)
        case .text(let text): text
        }
    }

    public func optionalString(_ column: Int32) -> String? { isNull(column) ? nil : string(column) }
}
