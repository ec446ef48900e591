import Foundation
import NIOCore
import TrailStore

/// Opens a ``Store`` on PostgreSQL from a `postgres://` URL.
public enum PostgresStore {
    /// Opens the store at `url`: writers create and migrate the schema (under an advisory lock,
    /// so workers starting together migrate once); readers only check it. Fails at once, with
    /// `.connection`, when the server cannot be reached or refuses the login, and with `.schema`
    /// for a database that is not a TrailWatch store (readers) or was migrated by a newer version.
    ///
    /// Once open, an operation that loses the server (or gets no answer for 5 minutes) retries
    /// for up to `TRAILWATCH_DB_RETRY_SECONDS` (default 900) with backoff, then fails; `onRetry`
    /// hears of each retry and of the recovery.
    ///
    /// A writer refreshes the planner's statistics (ANALYZE) once it has stored
    /// `TRAILWATCH_ANALYZE_EVENTS` events (default 100,000), again at each doubling, and at the
    /// end of a `backfill` that stored that many.
    public static func open(
        url: String, readOnly: Bool = false, environment: [String: String] = ProcessInfo.processInfo.environment,
        onRetry: (@Sendable (PostgresRetryEvent) -> Void)? = nil
    ) throws(StoreError) -> Store {
        let location = try PostgresLocation(parsing: url, environment: environment)
        let retrySeconds = environment["TRAILWATCH_DB_RETRY_SECONDS"].flatMap { Int($0) }.map { max(0, min($0, 86_400)) } ?? 900
        let analyzeAfter = environment["TRAILWATCH_ANALYZE_EVENTS"].flatMap { Int($0) }.map { max(1, $0) } ?? 100_000
        let backend = try PostgresBackend(
            location: location.redacted, readOnly: readOnly, notes: location.warnings,
            retryLimit: .seconds(retrySeconds), analyzeAfterEvents: analyzeAfter, sleep: { Thread.sleep(forTimeInterval: Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18) },
            onRetry: onRetry,
            connect: { () throws(StoreError) -> any PostgresLink in
                // A statement unanswered for 5 minutes means a dead connection (a partition drops
                // packets without a reset): it is closed, and the operation retried on a new one.
                let session = PostgresSession(location: location, statementTimeout: .minutes(5))
                try session.connect()
                return SessionLink(session: session)
            })
        return Store(backend: backend)
    }
}

/// A ``PostgresSession`` as the backend's pooled connection.
final class SessionLink: PostgresLink {
    let session: PostgresSession

    init(session: PostgresSession) {
        self.session = session
    }

    var dialect: SQLDialect { .postgres }

    func statement(_ sql: String) throws -> any SQLStatement {
        try PostgresSQLConnection(session: session).statement(sql)
    }

    func transaction<T>(_ body: () throws -> T) throws -> T {
        try session.transaction(body)
    }

    func copy(into table: String, columns: [String], rows: [[PostgresBindValue]]) throws {
        try session.copy(into: table, columns: columns, rows: rows)
    }

    func executeLong(_ sql: String, timeout: Duration) throws {
        let (seconds, attoseconds) = timeout.components
        try session.query(sql, timeout: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
    }

    func close() {
        session.close()
    }
}
