import TrailPostgres

/// The standard-error lines that say a command is waiting for its PostgreSQL store, and when it
/// has the server back (the URL in them is the redacted one every store error carries).
enum DatabaseWaitNotice {
    static func text(_ event: PostgresRetryEvent) -> String {
        switch event {
        case let .retrying(operation, error, waited, pause, limit):
            let since = waited > .zero ? ", waiting \(seconds(waited)) so far" : ""
            return "warning: \(error); \(operation) runs again in \(seconds(pause))\(since) (gives up after \(seconds(limit)): TRAILWATCH_DB_RETRY_SECONDS)"
        case let .recovered(operation, waited):
            return "the database answered again after \(seconds(waited)); \(operation) done, continuing"
        }
    }

    /// To the nearest tenth: `0.5 s`, `12 s`, `900 s`.
    static func seconds(_ d: Duration) -> String {
        let ms = d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
        let tenths = (ms + 50) / 100
        return tenths % 10 == 0 ? "\(tenths / 10) s" : "\(tenths / 10).\(tenths % 10) s"
    }
}
