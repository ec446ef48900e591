import GRDB

/// A GRDB connection seen through ``SQLConnection``: statements are GRDB's cached ones, driven
/// through the SQLite C API (``RawStatement``).
struct SQLiteConnection: SQLConnection {
    let db: Database

    var dialect: SQLDialect { .sqlite }

    func statement(_ sql: String) throws -> any SQLStatement {
        try RawStatement(db, sql)
    }
}

extension RawStatement: SQLStatement {}
