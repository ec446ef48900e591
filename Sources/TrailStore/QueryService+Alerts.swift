import TrailJSON
import TrailModel

/// Stored alerts for `trailwatch alerts`: a table, and the stored JSON lines for `--format json`.
public struct AlertList: Sendable, Equatable {
    public var table: ResultTable
    /// Each alert's JSON line as first emitted, with `count` updated by later suppressed repeats.
    public var jsonLines: [String]
}

extension QueryService {
    static let alertColumns: [ResultTable.Column] = [
        .init("time", "time"),
        .init("severity", "severity"),
        .init("rule", "rule"),
        .init("principal", "principal"),
        .init("secret", "secret"),
        .init("count", "count"),
        .init("summary", "summary"),
        .init("id", "id", inTable: false),
        .init("eventID", "event id", inTable: false),
        .init("account", "account", inTable: false),
        .init("region", "region", inTable: false),
    ]

    /// Stored alerts, newest first, filtered by time, rule, minimum severity, account and region.
    public func alerts(_ scope: QueryScope, rule: String? = nil, minimumSeverity: Severity? = nil) throws(StoreError) -> AlertList {
        try read("list alerts") { db, _ in
            var conditions = ["a.time >= ?", "a.time < ?"]
            var values: [SQLValue] = [.int(scope.lower), .int(scope.upper)]
            if let rule { conditions.append("a.rule = ?"); values.append(.text(rule)) }
            if let minimumSeverity { conditions.append("a.severity_rank >= ?"); values.append(.int(SeverityRank.rank(minimumSeverity))) }
            if let account = scope.account { conditions.append("a.account = ?"); values.append(.text(account)) }
            if let region = scope.region { conditions.append("a.region = ?"); values.append(.text(region)) }
            return try alertRows(db, where: conditions.joined(separator: " AND "), values + [.int(scope.sqlLimit), .int(0)])
        }
    }

    /// Alert rows matching `condition` (on `alerts a` joined to `secrets s`), newest first;
    /// `values` binds the condition's parameters, then LIMIT and OFFSET.
    func alertRows(_ db: any SQLConnection, where condition: String, _ values: [SQLValue]) throws -> AlertList {
        var s = try db.statement("""
            SELECT a.time, a.severity, a.rule, a.principal, coalesce(s.name, a.secret), a.count, a.summary, a.id,
                   a.event_id, a.account, a.region, a.json
            FROM alerts a LEFT JOIN secrets s ON s.arn = a.secret
            WHERE \(condition) ORDER BY a.time DESC, a.id LIMIT ? OFFSET ?
            """)
        s.bind(all: values)
        var list = AlertList(table: ResultTable(columns: Self.alertColumns), jsonLines: [])
        while try s.step() {
            let count = s.int64(5)
            list.table.rows.append([
                .time(EventTime(milliseconds: s.int64(0))), .text(s.string(1)), .text(s.string(2)),
                .text(Principal(type: "", id: s.string(3)).displayName), .optional(s.optionalString(4)), .integer(count),
                .text(s.string(6)), .text(s.string(7)), .text(s.string(8)), .text(s.string(9)), .text(s.string(10)),
            ])
            list.jsonLines.append(Self.patchCount(s.string(11), count: count))
        }
        s.reset()
        return list
    }

    /// The alert JSON with its top-level `count` set to `count` (unchanged text when it already is).
    static func patchCount(_ json: String, count: Int64) -> String {
        guard let doc = try? JSONDocument(bytes: Array(json.utf8)), doc.root.isObject else { return json }
        if doc.root["count"]?.int64 == count { return json }
        var w = JSONWriter()
        w.beginObject()
        var wrote = false
        for (key, value) in doc.root.members {
            guard let name = key.string else { continue }
            w.key(name)
            if name == "count" {
                w.integer(count)
                wrote = true
            } else {
                w.raw(value.rawBytes)
            }
        }
        if !wrote { w.key("count"); w.integer(count) }
        w.endObject()
        return w.text
    }
}
