import TrailModel

/// The console's alert filters beyond those of `trailwatch alerts`: a principal and a secret (named
/// as the CLI names them) and an offset for paging.
public struct AlertFilter: Sendable, Equatable {
    public var rule: String?
    public var minimumSeverity: Severity?
    public var principal: String?
    public var secret: String?
    /// Rows skipped before the page (newest first).
    public var offset: Int

    public init(rule: String? = nil, minimumSeverity: Severity? = nil, principal: String? = nil, secret: String? = nil, offset: Int = 0) {
        self.rule = rule
        self.minimumSeverity = minimumSeverity
        self.principal = principal
        self.secret = secret
        self.offset = offset
    }
}

/// A count per UTC day and series (a principal, a secret or a severity), for the console's charts.
public struct DailyCount: Sendable, Equatable {
    /// Days since 1970-01-01 (UTC).
    public var day: Int64
    public var series: String
    public var count: Int64

    public init(day: Int64, series: String, count: Int64) {
        self.day = day
        self.series = series
        self.count = count
    }
}

/// Daily counts and the time range `[lower, upper)` they cover.
public struct DailySeries: Sendable, Equatable {
    public var counts: [DailyCount]
    public var lower: EventTime
    public var upper: EventTime
}

/// What a search text names, resolved with the CLI's rules.
public struct NameMatch: Sendable, Equatable {
    /// The secret's name and its first ARN, when the text names one secret.
    public var secret: (name: String, arn: String)?
    /// The principal's display name and ARN, when the text names one principal.
    public var principal: (display: String, arn: String)?
    /// Why a name matched several things (with the candidates), one note per kind.
    public var ambiguous: [StoreError]

    public static func == (a: NameMatch, b: NameMatch) -> Bool {
        a.secret?.arn == b.secret?.arn && a.principal?.arn == b.principal?.arn && a.ambiguous.map(\.message) == b.ambiguous.map(\.message)
    }
}

extension QueryService {
    /// One page of stored alerts, newest first: `trailwatch alerts` plus principal, secret and offset.
    /// An unknown principal or secret gives an empty list with a note.
    public func alertPage(_ scope: QueryScope, _ filter: AlertFilter) throws(StoreError) -> AlertList {
        try read("list alerts") { db, resolver in
            var conditions = ["a.time >= ?", "a.time < ?"]
            var values: [SQLValue] = [.int(scope.lower), .int(scope.upper)]
            var empty = AlertList(table: ResultTable(columns: Self.alertColumns), jsonLines: [])
            if let rule = filter.rule { conditions.append("a.rule = ?"); values.append(.text(rule)) }
            if let s = filter.minimumSeverity { conditions.append("a.severity_rank >= ?"); values.append(.int(SeverityRank.rank(s))) }
            if let account = scope.account { conditions.append("a.account = ?"); values.append(.text(account)) }
            if let region = scope.region { conditions.append("a.region = ?"); values.append(.text(region)) }
            if let p = filter.principal {
                guard let row = try resolver.principal(p, scope: scope) else {
                    empty.table.notes = ["no principal in the store matches \"\(p)\""]
                    return empty
                }
                conditions.append("a.principal = ?")
                values.append(.text(row.arn))
            }
            if let s = filter.secret {
                guard let group = try resolver.secret(s, scope: scope) else {
                    empty.table.notes = ["no secret in the store matches \"\(s)\""]
                    return empty
                }
                conditions.append("a.secret IN (" + Array(repeating: "?", count: group.arns.count).joined(separator: ",") + ")")
                values += group.arns.map { .text($0) }
            }
            return try alertRows(db, where: conditions.joined(separator: " AND "), values + [.int(scope.sqlLimit), .int(Int64(max(0, filter.offset)))])
        }
    }

    /// The stored alert with this id (an empty list when there is none).
    public func alert(id: String) throws(StoreError) -> AlertList {
        try read("show alert") { db, _ in try alertRows(db, where: "a.id = ?", [.text(id), .int(1), .int(0)]) }
    }

    /// Alerts per day and severity in the scope's time range (account and region applied).
    public func dailyAlerts(_ scope: QueryScope) throws(StoreError) -> [DailyCount] {
        try read("count alerts") { db, _ in
            var conditions = ["time >= ?", "time < ?"]
            var values: [SQLValue] = [.int(scope.lower), .int(scope.upper)]
            if let account = scope.account { conditions.append("account = ?"); values.append(.text(account)) }
            if let region = scope.region { conditions.append("region = ?"); values.append(.text(region)) }
            return try dailyCounts(db, """
                SELECT time / 86400000, severity, count(*) FROM alerts WHERE \(conditions.joined(separator: " AND ")) GROUP BY 1, 2
                """, values)
        }
    }

    /// The newest alert time, or nil for a store without alerts.
    public func newestAlertTime() throws(StoreError) -> EventTime? {
        try read("newest alert") { db, _ in
            var s = try db.statement("SELECT max(time) FROM alerts")
            defer { s.reset() }
            return try s.step() ? s.optionalInt64(0).map { EventTime(milliseconds: $0) } : nil
        }
    }

    /// Reads (GetSecretValue, BatchGetSecretValue) of a secret per day and principal over the
    /// scope's time range, or, where it leaves a bound open, the `days` days up to the secret's
    /// newest access; nil when no secret matches.
    public func dailyReads(_ scope: QueryScope, secret: String, days: Int) throws(StoreError) -> DailySeries? {
        try read("count reads") { db, resolver in
            guard let group = try resolver.secret(secret, scope: scope) else { return nil }
            var newest: Int64?
            var s = try db.statement("SELECT max(time) FROM access WHERE secret = ?")
            for id in group.ids {
                s.bind(id)
                if try s.step(), let t = s.optionalInt64(0) { newest = max(newest ?? t, t) }
                s.reset()
            }
            let window = Self.window(scope, newest: newest, now: now, days: days)
            var counts: [DailyCount] = []
            for id in group.ids {
                counts += try dailyCounts(db, """
                    SELECT a.time / 86400000, p.display, count(*) FROM access a JOIN principals p ON p.id = a.principal
                    WHERE a.secret = ? AND a.time >= ? AND a.time < ? AND a.name IN ('GetSecretValue', 'BatchGetSecretValue')
                    GROUP BY 1, 2
                    """, [.int(id), .int(window.lower), .int(window.upper)])
            }
            return DailySeries(counts: counts, lower: EventTime(milliseconds: window.lower), upper: EventTime(milliseconds: window.upper))
        }
    }

    /// A principal's calls per day and secret over the scope's time range, or, where it leaves a
    /// bound open, the `days` days up to its newest call; nil when no principal matches.
    public func dailyAccess(_ scope: QueryScope, principal: String, days: Int) throws(StoreError) -> DailySeries? {
        try read("count access") { db, resolver in
            guard let row = try resolver.principal(principal, scope: scope) else { return nil }
            var s = try db.statement("SELECT max(time) FROM events WHERE principal = ?")
            s.bind(row.id)
            let newest = try s.step() ? s.optionalInt64(0) : nil
            s.reset()
            let window = Self.window(scope, newest: newest, now: now, days: days)
            let counts = try dailyCounts(db, """
                SELECT e.time / 86400000, s.name, count(*) FROM events e\(db.indexedBy("events_principal_time"))
                JOIN access a ON a.event = e.id JOIN secrets s ON s.id = a.secret
                WHERE e.principal = ? AND e.time >= ? AND e.time < ? GROUP BY 1, 2
                """, [.int(row.id), .int(window.lower), .int(window.upper)])
            return DailySeries(counts: counts, lower: EventTime(milliseconds: window.lower), upper: EventTime(milliseconds: window.upper))
        }
    }

    /// The time of a principal's `count`-th newest failed call (its oldest when it has fewer), nil
    /// when it has none: a lower bound that keeps "its newest errors" from scanning all its calls.
    public func errorHorizon(principal: String, scope: QueryScope, count: Int) throws(StoreError) -> EventTime? {
        try read("find errors") { db, resolver in
            guard let row = try resolver.principal(principal, scope: scope) else { return nil }
            var s = try db.statement("""
                SELECT min(time) FROM (SELECT time FROM events\(db.indexedBy("events_failed_time"))
                WHERE error_code IS NOT NULL AND principal = ? AND time >= ? AND time < ? ORDER BY time DESC LIMIT ?) AS horizon
                """)
            s.bind(row.id)
            s.bind(scope.lower)
            s.bind(scope.upper)
            s.bind(Int64(max(1, count)))
            defer { s.reset() }
            return try s.step() ? s.optionalInt64(0).map { EventTime(milliseconds: $0) } : nil
        }
    }

    /// The scope's bounds, an open upper bound closed just after `newest` or `now`, whichever is
    /// earlier (a forged event in year 9999 must not move the chart into the future), an open
    /// lower bound `days` days before the upper one.
    static func window(_ scope: QueryScope, newest: Int64?, now: EventTime, days: Int) -> (lower: Int64, upper: Int64) {
        let upper = scope.until?.milliseconds ?? ((newest.map { min($0, now.milliseconds) + 1 }) ?? 0)
        let lower = scope.since?.milliseconds ?? (upper - Int64(days) * 86_400_000)
        return (lower, max(lower, upper))
    }

    /// What `text` names as a secret and as a principal, by the CLI's rules; ambiguity is reported, not thrown.
    public func resolveName(_ text: String, scope: QueryScope) throws(StoreError) -> NameMatch {
        try read("search") { db, resolver in
            var match = NameMatch(secret: nil, principal: nil, ambiguous: [])
            do {
                if let g = try resolver.secret(text, scope: scope) { match.secret = (g.name, g.arn) }
            } catch let e as StoreError where e.kind == .ambiguous { match.ambiguous.append(e) }
            do {
                if let p = try resolver.principal(text, scope: scope) { match.principal = (p.display, p.arn) }
            } catch let e as StoreError where e.kind == .ambiguous { match.ambiguous.append(e) }
            return match
        }
    }

    private func dailyCounts(_ db: any SQLConnection, _ sql: String, _ values: [SQLValue]) throws -> [DailyCount] {
        var s = try db.statement(sql)
        s.bind(all: values)
        var out: [DailyCount] = []
        while try s.step() { out.append(DailyCount(day: s.int64(0), series: s.string(1), count: s.int64(2))) }
        s.reset()
        return out
    }
}
