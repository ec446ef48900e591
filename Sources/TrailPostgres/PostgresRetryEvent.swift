import TrailStore

/// What a store on PostgreSQL reports while an operation waits for the server to come back (a
/// restart, a failover, a partition), so that a long-running command is not silent meanwhile.
public enum PostgresRetryEvent: Sendable {
    /// `operation` lost the server (`error`) and runs again after `pause`; it has waited
    /// `waited` so far and gives up once it has waited `limit`.
    case retrying(operation: String, error: StoreError, waited: Duration, pause: Duration, limit: Duration)
    /// `operation` succeeded after waiting `waited` for the server.
    case recovered(operation: String, waited: Duration)
}
