/// The store's totals for `tail --metrics`: files by status, records, events, alerts by rule and
/// severity, the outbox per sink, and the newest event per account and region.
public struct StoreMetrics: Sendable, Equatable {
    public var files: [String: Int64] = [:]
    public var records: Int64 = 0
    public var events: Int64 = 0
    /// (rule, severity) → alerts.
    public var alerts: [AlertKey: Int64] = [:]
    public var outbox: [SinkOutbox] = []
    /// (account, region) → newest event time (ms since epoch).
    public var newest: [PlaceKey: Int64] = [:]

    public struct AlertKey: Hashable, Sendable {
        public var rule: String
        public var severity: String
    }

    public struct PlaceKey: Hashable, Sendable {
        public var account: String
        public var region: String
    }
}

extension Store {
    /// A consistent reading of the totals (one read transaction, besides the outbox's own).
    public func metrics() throws(StoreError) -> StoreMetrics {
        var m = try read("read metrics") { db in
            var m = StoreMetrics()
            var files = try db.statement("SELECT status, count(*), coalesce(sum(records), 0) FROM files GROUP BY status")
            while try files.step() {
                m.files[files.string(0)] = files.int64(1)
                m.records += files.int64(2)
            }
            files.reset()
            var alerts = try db.statement("SELECT rule, severity, count(*) FROM alerts GROUP BY rule, severity")
            while try alerts.step() { m.alerts[.init(rule: alerts.string(0), severity: alerts.string(1))] = alerts.int64(2) }
            alerts.reset()
            var places = try db.statement("SELECT account, region, events, newest FROM regions")
            while try places.step() {
                m.events += places.int64(2)
                m.newest[.init(account: places.string(0), region: places.string(1))] = places.int64(3)
            }
            places.reset()
            return m
        }
        m.outbox = try outbox()
        return m
    }
}
