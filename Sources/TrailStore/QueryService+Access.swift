import GRDB
import TrailModel

/// Filters of `trailwatch query access`.
public struct AccessFilter: Sendable, Equatable {
    public var secret: String?
    public var principal: String?
    /// Event names (any of them); empty = all.
    public var eventNames: [String]
    /// true = only failed calls, false = only successful ones, nil = both.
    public var errors: Bool?
    /// A source address or CIDR block (IPv4 or IPv6).
    public var sourceCIDR: String?

    public init(secret: String? = nil, principal: String? = nil, eventNames: [String] = [], errors: Bool? = nil, sourceCIDR: String? = nil) {
        self.secret = secret
        self.principal = principal
        self.eventNames = eventNames
        self.errors = errors
        self.sourceCIDR = sourceCIDR
    }
}

extension QueryService {
    static let accessColumns: [ResultTable.Column] = [
        .init("time", "time"),
        .init("principal", "principal"),
        .init("session", "session"),
        .init("eventName", "event"),
        .init("secret", "secret"),
        .init("sourceIPAddress", "source ip"),
        .init("userAgent", "user agent"),
        .init("errorCode", "error"),
        .init("eventID", "event id"),
        .init("principalArn", "principal arn", inTable: false),
        .init("secretArn", "secret arn", inTable: false),
        .init("account", "account", inTable: false),
        .init("region", "region", inTable: false),
    ]

    /// Access rows, newest first: one per (event, secret); events naming no secret appear once
    /// when no secret is asked for.
    public func access(_ scope: QueryScope, _ filter: AccessFilter) throws(StoreError) -> ResultTable {
        var cidr: CIDRRange?
        if let text = filter.sourceCIDR {
            guard let block = CIDRRange(blockOrAddress: text) else {
                throw StoreError(.invalidArgument, path: store.path, operation: "query access",
                                 message: "--source-ip \"\(text)\" is not an IP address or CIDR block (e.g. 10.0.0.0/8, 2001:db8::/32)")
            }
            cidr = block
        }
        let columns = Self.accessColumns
        return try read("query access") { db, resolver in
            var group: SecretGroup?
            if let s = filter.secret {
                guard let g = try resolver.secret(s, scope: scope) else {
                    return .empty(columns, note: "no secret in the store matches \"\(s)\"")
                }
                group = g
            }
            var principal: PrincipalRow?
            if let p = filter.principal {
                guard let row = try resolver.principal(p, scope: scope) else {
                    return .empty(columns, note: "no principal in the store matches \"\(p)\"")
                }
                principal = row
            }
            // Filters shared by every plan. Event names are written `+e.name` where the plan is driven
            // by a secret or a principal, so that SQLite keeps using that index. The CIDR test is an
            // SQL function on SQLite; on PostgreSQL rows are fetched in pages and tested here, so
            // that both engines apply the one `CIDRRange` rule.
            let sqlite = db.dialect == .sqlite
            let namesByPlan = sqlite ? "+e.name" : "e.name"
            func filters(nameColumn: String, errorTest: String?, names: [String]) -> (String, [SQLValue]) {
                var conditions: [String] = []
                var values: [SQLValue] = []
                if let account = scope.account { conditions.append("e.account = ?"); values.append(.text(account)) }
                if let region = scope.region { conditions.append("e.region = ?"); values.append(.text(region)) }
                if !names.isEmpty {
                    conditions.append("\(nameColumn) IN (" + Array(repeating: "?", count: names.count).joined(separator: ",") + ")")
                    values += names.map { .text($0) }
                }
                if let errorTest { conditions.append(errorTest) }
                if cidr != nil && sqlite { conditions.append("trailwatch_in_cidr(e.source_ip)") }
                return (conditions.map { " AND " + $0 }.joined(), values)
            }
            if let cidr, let connection = db as? SQLiteConnection {
                let function = DatabaseFunction("trailwatch_in_cidr", argumentCount: 1, pure: true) { args in
                    guard let text = String.fromDatabaseValue(args[0]) else { return false }
                    return cidr.contains(text)
                }
                connection.db.add(function: function)
            }
            let select = """
                SELECT e.time, p.display, e.session, e.name, s.name, e.source_ip, e.user_agent, e.error_code, e.event_id,
                       p.arn, s.arn, e.account, e.region, e.id
                """
            var rows: [(time: Int64, event: Int64, secretArn: String, cells: [Cell])] = []
            func accessRow(_ s: any SQLStatement) -> (time: Int64, event: Int64, secretArn: String, cells: [Cell]) {
                let cells: [Cell] = [
                    .time(EventTime(milliseconds: s.int64(0))), .text(s.string(1)), .optional(s.optionalString(2)),
                    .text(s.string(3)), .optional(s.optionalString(4)), .optional(s.optionalString(5)),
                    .optional(s.optionalString(6)), .optional(s.optionalString(7)), .text(s.string(8)),
                    .text(s.string(9)), .optional(s.optionalString(10)), .text(s.string(11)), .text(s.string(12)),
                ]
                return (s.int64(0), s.int64(13), s.optionalString(10) ?? "", cells)
            }
            /// `sql` orders rows by `key` (time, then event row id, both descending) and ends in
            /// `LIMIT ?` (the last value).
            func collect(_ sql: String, _ bound: [SQLValue], key: (time: String, id: String)) throws {
                if let cidr, !sqlite {
                    try collectPaged(sql, bound, cidr, key: key)
                    return
                }
                var s = try db.statement(sql)
                s.bind(all: bound)
                while try s.step() { rows.append(accessRow(s)) }
                s.reset()
            }
            /// Reads `sql` in pages, keeping rows whose source address is in `cidr`, until the
            /// limit is met or the rows end. Each page continues below the last (time, id) of the
            /// rows taken so far (keyset paging: every row is read once, however deep the page).
            /// Rows sharing one (time, id) (an event naming several secrets) are taken together:
            /// the rows of a page's last key are read again with the next page, as the limit may
            /// have cut them; a page holding a single key is read again twice as large.
            func collectPaged(_ sql: String, _ bound: [SQLValue], _ cidr: CIDRRange, key: (time: String, id: String)) throws {
                if key.id == "e.id" {
                    try collectEventsPaged(sql, bound, cidr)
                    return
                }
                guard let order = sql.range(of: " ORDER BY ", options: .backwards) else { return }
                let below = String(sql[..<order.lowerBound]) + " AND \(key.time) <= ? AND (\(key.time), \(key.id)) < (?, ?)" + String(sql[order.lowerBound...])
                var page = cidrPageRows
                var wanted = scope.sqlLimit
                var after: (time: Int64, id: Int64)?
                let fixed = Array(bound.dropLast())
                while wanted > 0 {
                    var s = try db.statement(after == nil ? sql : below)
                    s.bind(all: fixed)
                    if let after { s.bind(all: [.int(after.time), .int(after.time), .int(after.id)]) }
                    s.bind(all: [.int(page)])
                    var read: [(key: (time: Int64, id: Int64), row: (time: Int64, event: Int64, secretArn: String, cells: [Cell])?)] = []
                    while try s.step() {
                        let ip = s.optionalString(5)
                        read.append(((s.int64(0), s.int64(13)), ip.map(cidr.contains) == true ? accessRow(s) : nil))
                    }
                    s.reset()
                    var taken = read[...]
                    if Int64(read.count) == page, let last = read.last?.key {
                        taken = read.prefix { $0.key != last }
                        if taken.isEmpty {
                            page *= 2
                            continue
                        }
                    }
                    let matched = taken.compactMap(\.row)
                    rows += matched
                    wanted -= Int64(matched.count)
                    guard let next = taken.last?.key, Int64(read.count) == page else { break }
                    after = next
                }
            }
            /// For the plans driven by `events` (their conditions name only `e.` columns): the
            /// pages read only each event's time, row id and source address, in keyset pages
            /// (an event is one row there, so no key is split), until as many events match as
            /// rows are wanted; then the access rows of the matching events are read by row id.
            /// Reading the joined rows of every event passed over cost ten times more.
            func collectEventsPaged(_ sql: String, _ bound: [SQLValue], _ cidr: CIDRRange) throws {
                guard let whereClause = sql.range(of: " WHERE "), let order = sql.range(of: " ORDER BY ", options: .backwards) else { return }
                let conditions = String(sql[whereClause.lowerBound..<order.lowerBound])
                let narrow = "SELECT e.time, e.id, e.source_ip FROM events e" + conditions
                let first = narrow + " ORDER BY e.time DESC, e.id DESC LIMIT ?"
                let below = narrow + " AND e.time <= ? AND (e.time, e.id) < (?, ?) ORDER BY e.time DESC, e.id DESC LIMIT ?"
                let fixed = Array(bound.dropLast())
                var matched: [(time: Int64, id: Int64)] = []
                var after: (time: Int64, id: Int64)?
                while Int64(matched.count) < scope.sqlLimit {
                    var s = try db.statement(after == nil ? first : below)
                    s.bind(all: fixed)
                    if let after { s.bind(all: [.int(after.time), .int(after.time), .int(after.id)]) }
                    s.bind(all: [.int(cidrPageRows)])
                    var read: Int64 = 0
                    while try s.step() {
                        read += 1
                        after = (s.int64(0), s.int64(1))
                        if let ip = s.optionalString(2), cidr.contains(ip) { matched.append((s.int64(0), s.int64(1))) }
                    }
                    s.reset()
                    if read < cidrPageRows { break }
                }
                let full = String(sql[..<whereClause.lowerBound])
                    + " WHERE e.id = ANY(CAST(? AS bigint[])) AND e.time >= ? AND e.time <= ? ORDER BY e.time DESC, e.id DESC"
                var start = 0
                while start < matched.count {
                    let chunk = matched[start..<min(start + 1_000, matched.count)]
                    var s = try db.statement(full)
                    s.bind(all: [.text("{" + chunk.map { String($0.id) }.joined(separator: ",") + "}"),
                                 .int(chunk.map(\.time).min() ?? 0), .int(chunk.map(\.time).max() ?? 0)])
                    while try s.step() { rows.append(accessRow(s)) }
                    s.reset()
                    start += chunk.count
                }
            }
            let range: [SQLValue] = [.int(scope.lower), .int(scope.upper)]
            if let group {
                let byPrincipal = principal.map { _ in " AND a.principal = ?" } ?? ""
                let errorTest = filter.errors.map { $0 ? "a.failed = 1" : "a.failed = 0" }
                let (extra, values) = filters(nameColumn: namesByPlan, errorTest: errorTest, names: filter.eventNames)
                let sql = select + """
                     FROM access a JOIN events e ON e.id = a.event JOIN principals p ON p.id = a.principal
                     JOIN secrets s ON s.id = a.secret
                     WHERE a.secret = ?\(byPrincipal) AND a.time >= ? AND a.time < ?\(extra)
                     ORDER BY a.time DESC, a.event DESC LIMIT ?
                    """
                for id in group.ids {
                    var bound: [SQLValue] = [.int(id)]
                    if let principal { bound.append(.int(principal.id)) }
                    try collect(sql, bound + range + values + [.int(scope.sqlLimit)], key: ("a.time", "a.event"))
                }
            } else {
                let errorTest = filter.errors.map { $0 ? "e.error_code IS NOT NULL" : "e.error_code IS NULL" }
                let from = """
                     FROM events e JOIN principals p ON p.id = e.principal
                     LEFT JOIN access a ON a.event = e.id LEFT JOIN secrets s ON s.id = a.secret
                    """
                if let principal {
                    let (extra, values) = filters(nameColumn: namesByPlan, errorTest: errorTest, names: filter.eventNames)
                    let sql = select + from + " WHERE e.principal = ? AND e.time >= ? AND e.time < ?\(extra) ORDER BY e.time DESC, e.id DESC LIMIT ?"
                    try collect(sql, [.int(principal.id)] + range + values + [.int(scope.sqlLimit)], key: ("e.time", "e.id"))
                } else if !filter.eventNames.isEmpty {
                    // One indexed (name, time) range per event name, merged below.
                    let (extra, values) = filters(nameColumn: "e.name", errorTest: errorTest, names: [])
                    let sql = select + from + " WHERE e.name = ? AND e.time >= ? AND e.time < ?\(extra) ORDER BY e.time DESC, e.id DESC LIMIT ?"
                    for name in Set(filter.eventNames).sorted() {
                        try collect(sql, [.text(name)] + range + values + [.int(scope.sqlLimit)], key: ("e.time", "e.id"))
                    }
                } else {
                    let (extra, values) = filters(nameColumn: "e.name", errorTest: errorTest, names: [])
                    let sql = select + from + " WHERE e.time >= ? AND e.time < ?\(extra) ORDER BY e.time DESC, e.id DESC LIMIT ?"
                    try collect(sql, range + values + [.int(scope.sqlLimit)], key: ("e.time", "e.id"))
                }
            }
            rows.sort { ($0.time, $0.event) != ($1.time, $1.event) ? ($0.time, $0.event) > ($1.time, $1.event) : $0.secretArn < $1.secretArn }
            return ResultTable(columns: columns, rows: scope.truncate(rows).map(\.cells))
        }
    }
}
