import TrailModel

/// The options every query shares: a time range, an account and region, and a row limit.
public struct QueryScope: Sendable, Equatable {
    /// Inclusive lower bound on event time.
    public var since: EventTime?
    /// Exclusive upper bound on event time.
    public var until: EventTime?
    public var account: String?
    public var region: String?
    /// Maximum rows; 0 means all.
    public var limit: Int

    public init(since: EventTime? = nil, until: EventTime? = nil, account: String? = nil, region: String? = nil, limit: Int = 100) {
        self.since = since
        self.until = until
        self.account = account
        self.region = region
        self.limit = limit
    }

    var hasTimeRange: Bool { since != nil || until != nil }
    /// The SQL LIMIT value (-1 = no limit).
    var sqlLimit: Int64 { limit > 0 ? Int64(limit) : Int64.max }
    var lower: Int64 { since?.milliseconds ?? Int64.min }
    var upper: Int64 { until?.milliseconds ?? Int64.max }
    func contains(_ t: Int64) -> Bool { t >= lower && t < upper }
    func truncate<T>(_ rows: [T]) -> [T] { limit > 0 && rows.count > limit ? Array(rows.prefix(limit)) : rows }
}
