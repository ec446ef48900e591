import GRDB
import GRDBSQLite

/// A prepared statement driven through the SQLite C API, for the hot insert path and for queries.
///
/// Wraps one of GRDB's cached statements, so it is prepared once per connection; values are
/// always bound as parameters. Used only inside a GRDB access closure, on that closure's thread.
struct RawStatement {
    let handle: OpaquePointer
    let connection: OpaquePointer?
    private var index: Int32 = 0

    init(_ db: Database, _ sql: String) throws {
        let statement = try db.cachedStatement(sql: sql)
        handle = statement.sqliteStatement
        connection = db.sqliteConnection
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    mutating func bind(_ value: String?) {
        index += 1
        guard let value else { sqlite3_bind_null(handle, index); return }
        var copy = value
        let position = index
        let statement = handle
        copy.withUTF8 { buffer in
            if let base = buffer.baseAddress {
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { chars in
                    _ = sqlite3_bind_text(statement, position, chars, Int32(buffer.count), RawStatement.transient)
                }
            } else {
                _ = sqlite3_bind_text(statement, position, "", 0, RawStatement.transient)
            }
        }
    }

    mutating func bind(_ value: Int64?) {
        index += 1
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    mutating func bind(_ value: Int?) { bind(value.map(Int64.init)) }
    mutating func bind(_ value: Bool?) { bind(value.map { $0 ? Int64(1) : Int64(0) }) }

    /// Steps once: true when a row is available.
    mutating func step() throws(SQLiteFailure) -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "SQLite error \(rc)"
        sqlite3_reset(handle)
        throw SQLiteFailure(message: message)
    }

    /// Runs a statement that returns no rows, then resets it for the next use.
    mutating func run() throws(SQLiteFailure) {
        _ = try step()
        reset()
    }

    /// Resets the statement and its bindings for the next use.
    mutating func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        index = 0
    }

    /// Rows changed by the last run.
    var changes: Int32 { connection.map { sqlite3_changes($0) } ?? 0 }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }
    func string(_ column: Int32) -> String {
        guard let text = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }
    func optionalString(_ column: Int32) -> String? { isNull(column) ? nil : string(column) }
}

/// An SQLite error met while stepping a raw statement.
struct SQLiteFailure: Error {
    var message: String
}
