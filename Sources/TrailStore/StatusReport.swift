import TrailJSON
import TrailModel

/// What the ledger and the history hold, for `trailwatch status`.
public struct StatusReport: Sendable, Equatable {
    public var filesDone: Int64
    public var filesSkipped: Int64
    public var filesFailed: Int64
    public var records: Int64
    public var skippedRecords: Int64
    public var invalidRecords: Int64
    public var events: Int64
    public var alerts: Int64
    /// Per account and region: files, stored events, newest event time and its lag behind `now`.
    public var places: ResultTable
    /// Failed files with their reasons, newest first.
    public var failed: ResultTable
    /// Skipped files grouped by reason.
    public var skipped: ResultTable
    /// The newest verified CloudTrail digest per account, region and trail (`tail --public-keys`).
    public var verifiedDigests = ResultTable(columns: QueryService.verifiedDigestColumns)
    /// The alert outbox per sink: pending, failed, delivered, oldest pending and its age.
    public var outbox = ResultTable(columns: QueryService.outboxColumns)

    /// `3d 4h`, `5h 2m`, `12m`, `40s`; `-` when nil; `in the future` when the event is after now
    /// (a forged or skewed eventTime).
    public static func lagText(_ ms: Int64?) -> String {
        guard let ms else { return "-" }
        if ms < 0 { return "in the future" }
        let s = ms / 1000
        let d = s / 86400, h = (s % 86400) / 3600, m = (s % 3600) / 60
        if d > 0 { return "\(d)d \(h)h" }
        if h > 0 { return "\(h)h \(m)m" }
        if m > 0 { return "\(m)m" }
        return "\(s)s"
    }
}

extension QueryService {
    static let placeColumns: [ResultTable.Column] = [
        .init("account", "account"),
        .init("region", "region"),
        .init("files", "files"),
        .init("events", "events"),
        .init("newestEvent", "newest event"),
        .init("lag", "lag"),
        .init("lagSeconds", "lag seconds", inTable: false),
    ]
    static let failedColumns: [ResultTable.Column] = [
        .init("path", "path"), .init("reason", "reason"), .init("ingestedAt", "ingested"),
    ]
    static let skippedColumns: [ResultTable.Column] = [
        .init("reason", "reason"), .init("files", "files"), .init("example", "example"),
    ]

    /// The ledger's totals, per account and region newest event and lag behind `now`, failed files
    /// (up to `limit`, 0 = all) and skipped files by reason.
    public func status(limit: Int = 100) throws(StoreError) -> StatusReport {
        var status = try read("status") { db, _ in
            var report = StatusReport(
                filesDone: 0, filesSkipped: 0, filesFailed: 0, records: 0, skippedRecords: 0, invalidRecords: 0, events: 0, alerts: 0,
                places: ResultTable(columns: Self.placeColumns), failed: ResultTable(columns: Self.failedColumns),
                skipped: ResultTable(columns: Self.skippedColumns))
            var s = try db.statement("SELECT status, count(*), sum(records), sum(skipped), sum(invalid) FROM files GROUP BY status")
            while try s.step() {
                switch s.string(0) {
                case "done": report.filesDone = s.int64(1)
                case "skipped": report.filesSkipped = s.int64(1)
                default: report.filesFailed += s.int64(1)
                }
                report.records += s.int64(2)
                report.skippedRecords += s.int64(3)
                report.invalidRecords += s.int64(4)
            }
            s.reset()
            var totals = try db.statement("SELECT (SELECT count(*) FROM alerts), (SELECT coalesce(sum(events), 0) FROM regions)")
            if try totals.step() {
                report.alerts = totals.int64(0)
                report.events = totals.int64(1)
            }
            totals.reset()

            struct Place { var files: Int64 = 0; var events: Int64 = 0; var newest: Int64? }
            var places: [String: (account: String, region: String, place: Place)] = [:]
            var byFile = try db.statement("""
                SELECT account, region, count(*), max(newest_event_time) FROM files WHERE account IS NOT NULL GROUP BY account, region
                """)
            while try byFile.step() {
                let key = byFile.string(0) + "\u{0}" + byFile.string(1)
                places[key] = (byFile.string(0), byFile.string(1), Place(files: byFile.int64(2), events: 0, newest: byFile.optionalInt64(3)))
            }
            byFile.reset()
            var byEvent = try db.statement("SELECT account, region, events, newest FROM regions")
            while try byEvent.step() {
                let key = byEvent.string(0) + "\u{0}" + byEvent.string(1)
                var entry = places[key] ?? (byEvent.string(0), byEvent.string(1), Place())
                entry.place.events = byEvent.int64(2)
                entry.place.newest = max(entry.place.newest ?? Int64.min, byEvent.int64(3))
                places[key] = entry
            }
            byEvent.reset()
            for entry in places.values.sorted(by: { ($0.account, $0.region) < ($1.account, $1.region) }) {
                let lag = entry.place.newest.map { now.milliseconds - $0 }
                report.places.rows.append([
                    .text(entry.account), .text(entry.region), .integer(entry.place.files), .integer(entry.place.events),
                    Cell.optionalTime(entry.place.newest), .text(StatusReport.lagText(lag)), lag.map { .integer($0 / 1000) } ?? .null,
                ])
            }

            var failed = try db.statement("SELECT path, reason, ingested_at FROM files WHERE status = 'failed' ORDER BY ingested_at DESC, path LIMIT ?")
            failed.bind(limit > 0 ? Int64(limit) : Int64.max)
            while try failed.step() {
                report.failed.rows.append([.text(failed.string(0)), .optional(failed.optionalString(1)), .time(EventTime(milliseconds: failed.int64(2)))])
            }
            failed.reset()
            var skipped = try db.statement("""
                SELECT coalesce(reason, ''), count(*), min(path) FROM files WHERE status = 'skipped' GROUP BY coalesce(reason, '') ORDER BY count(*) DESC, 1
                """)
            while try skipped.step() {
                report.skipped.rows.append([.text(skipped.string(0)), .integer(skipped.int64(1)), .text(skipped.string(2))])
            }
            skipped.reset()
            report.verifiedDigests = try verifiedDigests(db)
            return report
        }
        status.outbox = try outboxTable()
        return status
    }
}
