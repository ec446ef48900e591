import Foundation
import Synchronization
import TrailSync
import GRDBSQLite
import TrailModel

/// Ledger lookups for the pipeline's parallel stage, on a read-only connection of their own.
///
/// Every file asks the ledger once before it is decoded. Sending those lookups through the writer's
/// connection would make the parallel stage wait behind group commits, and a GRDB read (a savepoint
/// plus `PRAGMA query_only`, which expires every prepared statement of the connection) would make
/// the writer recompile its statements. This connection is opened on first use, keeps one prepared
/// statement, and is used under a lock; in WAL mode it sees every committed transaction.
///
/// `@unchecked Sendable`: the connection and statements below are touched only under `lock`.
final class LedgerReader: @unchecked Sendable {
    private let path: String
    private let lock = Mutex(())
    private var connection: OpaquePointer?
    private var statement: OpaquePointer?
    /// `SELECT event_id … IN (?, …)` statements by number of parameters.
    private var idStatements: [Int: OpaquePointer] = [:]

    static let sql = "SELECT \(FileLedgerEntry.columns) FROM files WHERE path = ?"

    init(path: String) {
        self.path = path
    }

    deinit {
        for s in idStatements.values { sqlite3_finalize(s) }
        sqlite3_finalize(statement)
        sqlite3_close_v2(connection)
    }

    /// The ledger row for `file`, if any.
    func entry(_ file: String) throws(StoreError) -> FileLedgerEntry? {
        try lock.locked { _ throws(StoreError) in try entryLocked(file) }
    }

    private func entryLocked(_ file: String) throws(StoreError) -> FileLedgerEntry? {
        let s = try prepared()
        defer {
            sqlite3_reset(s)
            sqlite3_clear_bindings(s)
        }
        var raw = RawStatement(handle: s, connection: connection)
        raw.bind(file)
        do {
            guard try raw.step() else { return nil }
        } catch {
            throw StoreError(.sqlite, path: path, operation: "ledger lookup", message: error.message)
        }
        return FileLedgerEntry(row: raw)
    }

    /// Which of `ids` are stored, as of the last commit. Reading here rather than on the writer's
    /// connection lets the committer look up the next files while a group is being written.
    func existingEventIDs(_ ids: [String], chunk: Int, sql: (Int) -> String) throws(StoreError) -> Set<String> {
        try lock.locked { _ throws(StoreError) in try existingEventIDsLocked(ids, chunk: chunk, sql: sql) }
    }

    private func existingEventIDsLocked(_ ids: [String], chunk: Int, sql: (Int) -> String) throws(StoreError) -> Set<String> {
        _ = try prepared()
        var found = Set<String>()
        var start = 0
        while start < ids.count {
            let end = min(start + chunk, ids.count)
            var width = 8
            while width < end - start { width *= 2 }
            let handle: OpaquePointer
            if let cached = idStatements[width] {
                handle = cached
            } else {
                var s: OpaquePointer?
                guard sqlite3_prepare_v3(connection, sql(width), -1, UInt32(SQLITE_PREPARE_PERSISTENT), &s, nil) == SQLITE_OK, let s else {
                    throw StoreError(.sqlite, path: path, operation: "event id lookup", message: connection.map { String(cString: sqlite3_errmsg($0)) } ?? "")
                }
                idStatements[width] = s
                handle = s
            }
            var raw = RawStatement(handle: handle, connection: connection)
            for id in ids[start..<end] { raw.bind(id) }
            for _ in (end - start)..<width { raw.bind(String?.none) }
            do {
                while try raw.step() { found.insert(raw.string(0)) }
            } catch {
                raw.reset()
                throw StoreError(.sqlite, path: path, operation: "event id lookup", message: error.message)
            }
            raw.reset()
            start = end
        }
        return found
    }

    private func prepared() throws(StoreError) -> OpaquePointer {
        if let statement { return statement }
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "SQLite error \(rc)"
            sqlite3_close_v2(db)
            throw StoreError(.sqlite, path: path, operation: "ledger lookup", message: message)
        }
        sqlite3_busy_timeout(db, 10_000)
        var s: OpaquePointer?
        guard sqlite3_prepare_v3(db, Self.sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &s, nil) == SQLITE_OK, let s else {
            let message = String(cString: sqlite3_errmsg(db))
            sqlite3_close_v2(db)
            throw StoreError(.sqlite, path: path, operation: "ledger lookup", message: message)
        }
        connection = db
        statement = s
        return s
    }
}
