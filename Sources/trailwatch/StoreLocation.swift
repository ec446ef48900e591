import Foundation
import TrailPostgres
import TrailStore

/// What `--db` names: an SQLite file, or a PostgreSQL database by `postgres://` URL.
///
/// Without `--db`, `TRAILWATCH_DB` is used, else `trailwatch.db`. A URL is only ever shown
/// redacted (no password), in messages as in errors.
struct StoreLocation: CustomStringConvertible {
    /// The `--db` value, `TRAILWATCH_DB`, or the default file.
    let value: String

    init(_ option: String?, environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let option {
            value = option
        } else if let fromEnvironment = environment["TRAILWATCH_DB"], !fromEnvironment.isEmpty {
            value = fromEnvironment
        } else {
            value = "trailwatch.db"
        }
    }

    var isPostgres: Bool { PostgresLocation.isPostgres(value) }

    /// The value as it may be shown: a URL without its password.
    var description: String {
        guard isPostgres else { return value }
        return PostgresLocation.redact(value)
    }

    /// Whether there is a store to open without creating one (a URL is assumed to name one;
    /// opening says otherwise).
    var exists: Bool {
        isPostgres || FileManager.default.fileExists(atPath: value)
    }

    /// Opens the store: read-only for the read commands (never created), else created and migrated.
    func open(readOnly: Bool = false, lockForWriting: Bool = false) throws(StoreError) -> Store {
        if isPostgres {
            return try PostgresStore.open(url: value, readOnly: readOnly) { event in
                StandardError.note(DatabaseWaitNotice.text(event))
            }
        }
        return try Store.open(path: value, readOnly: readOnly, lockForWriting: lockForWriting)
    }
}
