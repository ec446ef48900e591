/// Which SQL engine a connection speaks, for the few statements whose spelling differs.
public enum SQLDialect: String, Sendable {
    case sqlite
    case postgres
}

/// A prepared statement on one connection, whichever the engine.
///
/// Parameters are written `?` in the SQL and bound in order; every value reaches the engine as a
/// bound parameter, never as text spliced into SQL. Columns are numbered from 0. A statement is
/// used on one thread, inside the `read` or `write` closure that made it.
///
/// The SQL the store shares between engines keeps to their common subset: `?` parameters,
/// `ON CONFLICT … DO UPDATE/NOTHING`, `RETURNING`, `CASE` (not two-argument `min`/`max`),
/// integers 0/1 for flags, `coalesce`, `LIMIT ? OFFSET ?`.
public protocol SQLStatement {
    mutating func bind(_ value: String?)
    mutating func bind(_ value: Int64?)
    mutating func bind(_ value: Int?)
    mutating func bind(_ value: Bool?)
    /// Runs the statement if it has not run since its last reset, then moves to the next row:
    /// true when a row is available.
    mutating func step() throws -> Bool
    /// Runs a statement that returns no rows (or whose rows are not wanted), then resets it.
    mutating func run() throws
    /// Resets the statement and its bindings for the next use.
    mutating func reset()
    /// Rows changed by the last run.
    var changes: Int32 { get }

    func int64(_ column: Int32) -> Int64
    func int(_ column: Int32) -> Int
    func isNull(_ column: Int32) -> Bool
    func optionalInt64(_ column: Int32) -> Int64?
    func string(_ column: Int32) -> String
    func optionalString(_ column: Int32) -> String?
}

/// One connection of a store, for the duration of a `read` or `write` closure.
public protocol SQLConnection {
    var dialect: SQLDialect { get }
    /// A statement for `sql` (prepared once per connection where the engine caches them).
    func statement(_ sql: String) throws -> any SQLStatement
}

extension SQLConnection {
    /// Runs `sql` with `values` bound in order, for statements that return no rows.
    func execute(_ sql: String, _ values: [SQLValue] = []) throws {
        var s = try statement(sql)
        s.bind(all: values)
        try s.run()
    }
}

/// A value for a bound SQL parameter.
enum SQLValue {
    case int(Int64)
    case text(String)
}

extension SQLStatement {
    mutating func bind(all values: [SQLValue]) {
        for v in values {
            switch v {
            case .int(let i): bind(i)
            case .text(let s): bind(s)
            }
        }
    }
}
