import GRDB

/// The ``SQLConnection`` of the SQLite store: GRDB's connection inside a `read` or `write`
/// closure, handing out ``RawStatement``s (prepared once per connection by GRDB's cache).
struct SQLiteConnection: SQLConnection {
    let db: Database

    var dialect: SQLDialect { .sqlite }

    func statement(_ sql: String) throws -> any SQLStatement {
        try RawStatement(db, sql)
    }
}

/// `step` and `run` throw ``SQLiteFailure``, which the store maps to `StoreError.Kind.sqlite`.
extension RawStatement: SQLStatement {}
