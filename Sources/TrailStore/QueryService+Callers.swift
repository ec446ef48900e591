import TrailModel

extension QueryService {
    static let callerColumns: [ResultTable.Column] = [
        .init("principal", "principal"),
        .init("firstSeen", "first seen"),
        .init("lastSeen", "last seen"),
        .init("count", "count"),
        .init("errors", "errors"),
        .init("events", "events"),
        .init("principalArn", "principal arn", inTable: false),
    ]

    static let secretColumns: [ResultTable.Column] = [
        .init("secret", "secret"),
        .init("account", "account"),
        .init("region", "region"),
        .init("firstSeen", "first seen"),
        .init("lastSeen", "last seen"),
        .init("count", "count"),
        .init("errors", "errors"),
        .init("events", "events"),
        .init("secretArn", "secret arn", inTable: false),
    ]

    /// Every principal that touched the secret, most recent first: first and last seen, count,
    /// error count and the event names used. Without a time range it reads the running totals.
    public func callers(_ scope: QueryScope, secret: String) throws(StoreError) -> ResultTable {
        let columns = Self.callerColumns
        return try read("query callers") { db, resolver in
            guard let group = try resolver.secret(secret, scope: scope) else {
                return .empty(columns, note: "no secret in the store matches \"\(secret)\"")
            }
            return ResultTable(columns: columns, rows: try callerRows(db, group: group, scope: scope))
        }
    }

    func callerRows(_ db: any SQLConnection, group: SecretGroup, scope: QueryScope) throws -> [[Cell]] {
        var byPrincipal: [Int64: UsageAggregate] = [:]
        for id in group.ids {
            var s: any SQLStatement
            if scope.hasTimeRange {
                s = try db.statement("""
                    SELECT principal, name, min(time), max(time), count(*), sum(failed) FROM access
                    WHERE secret = ? AND time >= ? AND time < ? GROUP BY principal, name
                    """)
                s.bind(id)
                s.bind(scope.lower)
                s.bind(scope.upper)
            } else {
                s = try db.statement("SELECT principal, name, first_seen, last_seen, count, errors FROM usage WHERE secret = ?")
                s.bind(id)
            }
            while try s.step() {
                let principal = s.int64(0), name = s.string(1)
                if byPrincipal[principal] != nil {
                    byPrincipal[principal]?.merge(first: s.int64(2), last: s.int64(3), count: s.int64(4), errors: s.int64(5), name: name)
                } else {
                    byPrincipal[principal] = UsageAggregate(first: s.int64(2), last: s.int64(3), count: s.int64(4), errors: s.int64(5), name: name)
                }
            }
            s.reset()
        }
        var names: [Int64: (display: String, arn: String)] = [:]
        var lookup = try db.statement("SELECT display, arn FROM principals WHERE id = ?")
        for id in byPrincipal.keys {
            lookup.bind(id)
            if try lookup.step() { names[id] = (lookup.string(0), lookup.string(1)) }
            lookup.reset()
        }
        let ordered = byPrincipal.sorted { a, b in
            if a.value.last != b.value.last { return a.value.last > b.value.last }
            return (names[a.key]?.arn ?? "") < (names[b.key]?.arn ?? "")
        }
        return scope.truncate(ordered).map { id, agg in
            [.text(names[id]?.display ?? ""), .time(EventTime(milliseconds: agg.first)), .time(EventTime(milliseconds: agg.last)),
             .integer(agg.count), .integer(agg.errors), .list(agg.names.sorted()), .text(names[id]?.arn ?? "")]
        }
    }

    /// Every secret the principal touched, most recent first, with the same columns as `callers`.
    public func secrets(_ scope: QueryScope, principal: String) throws(StoreError) -> ResultTable {
        let columns = Self.secretColumns
        return try read("query secrets") { db, resolver in
            guard let p = try resolver.principal(principal, scope: scope) else {
                return .empty(columns, note: "no principal in the store matches \"\(principal)\"")
            }
            func select(_ totals: String, _ table: String) -> String {
                "SELECT x.secret, x.name, \(totals), s.arn, s.name, s.account, s.region, s.is_full FROM \(table) JOIN secrets s ON s.id = x.secret"
            }
            var plans: [(sql: String, values: [SQLValue])] = []
            if scope.hasTimeRange {
                let ranged = select("min(x.time), max(x.time), count(*), sum(x.failed)", "access x")
                    + " WHERE x.secret = ? AND x.time >= ? AND x.time < ? AND x.principal = ? GROUP BY x.secret, x.name, s.id"
                let perSecret = try Self.secretsToScan(db, principal: p.id)
                if let perSecret {
                    // A busy principal: its secrets' histories (clustered by secret and time) are
                    // read in sequence, cheaper than one random lookup per event of the principal.
                    plans = perSecret.map { (ranged, [.int($0), .int(scope.lower), .int(scope.upper), .int(p.id)]) }
                } else {
                    plans = [(select("min(x.time), max(x.time), count(*), sum(x.failed)", "events e JOIN access x ON x.event = e.id")
                              + " WHERE e.principal = ? AND e.time >= ? AND e.time < ? GROUP BY x.secret, x.name, s.id",
                              [.int(p.id), .int(scope.lower), .int(scope.upper)])]
                }
            } else {
                plans = [(select("x.first_seen, x.last_seen, x.count, x.errors", "usage x") + " WHERE x.principal = ?", [.int(p.id)])]
            }
            var rows: [(id: Int64, arn: String, name: String, account: String, region: String, isFull: Bool)] = []
            var bySecret: [Int64: UsageAggregate] = [:]
            for plan in plans {
                var s = try db.statement(plan.sql)
                s.bind(all: plan.values)
                while try s.step() {
                    let id = s.int64(0), name = s.string(1)
                    if bySecret[id] != nil {
                        bySecret[id]?.merge(first: s.int64(2), last: s.int64(3), count: s.int64(4), errors: s.int64(5), name: name)
                    } else {
                        bySecret[id] = UsageAggregate(first: s.int64(2), last: s.int64(3), count: s.int64(4), errors: s.int64(5), name: name)
                        rows.append((id, s.string(6), s.string(7), s.string(8), s.string(9), s.int(10) == 1))
                    }
                }
                s.reset()
            }
            var out: [(last: Int64, arn: String, cells: [Cell])] = []
            for group in resolver.groups(of: rows) {
                if let a = scope.account, group.account != a { continue }
                if let r = scope.region, group.region != r { continue }
                var total: UsageAggregate?
                for id in group.ids {
                    guard let agg = bySecret[id] else { continue }
                    if total == nil {
                        total = agg
                    } else {
                        for n in agg.names { total?.merge(first: agg.first, last: agg.last, count: 0, errors: 0, name: n) }
                        total?.count += agg.count
                        total?.errors += agg.errors
                    }
                }
                guard let t = total else { continue }
                out.append((t.last, group.arn, [
                    .text(group.name), .text(group.account), .text(group.region),
                    .time(EventTime(milliseconds: t.first)), .time(EventTime(milliseconds: t.last)),
                    .integer(t.count), .integer(t.errors), .list(t.names.sorted()), .text(group.arn),
                ]))
            }
            out.sort { $0.last != $1.last ? $0.last > $1.last : $0.arn < $1.arn }
            return ResultTable(columns: columns, rows: scope.truncate(out).map(\.cells))
        }
    }

    /// The secrets to scan for a time-ranged `secrets --principal`, when the principal makes most of
    /// their traffic (at most 4 rows read per row of its own); nil when following the principal's
    /// events is cheaper.
    static func secretsToScan(_ db: any SQLConnection, principal: Int64) throws -> [Int64]? {
        var mine = try db.statement("SELECT secret, sum(count) FROM usage WHERE principal = ? GROUP BY secret")
        mine.bind(principal)
        var secrets: [Int64] = []
        var own: Int64 = 0
        while try mine.step() {
            secrets.append(mine.int64(0))
            own += mine.int64(1)
        }
        mine.reset()
        if secrets.isEmpty || secrets.count > 64 { return nil }
        var total = try db.statement("SELECT sum(count) FROM usage WHERE secret = ?")
        var everyone: Int64 = 0
        for id in secrets {
            total.bind(id)
            if try total.step() { everyone += total.int64(0) }
            total.reset()
        }
        return everyone <= 4 * own ? secrets : nil
    }
}
