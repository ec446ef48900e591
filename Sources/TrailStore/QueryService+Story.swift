import TrailModel

extension QueryService {
    static let storyEventColumns: [ResultTable.Column] = [
        .init("time", "time"),
        .init("eventName", "event"),
        .init("principal", "principal"),
        .init("errorCode", "error"),
        .init("detail", "detail"),
        .init("eventID", "event id"),
    ]

    static let storyAlertColumns: [ResultTable.Column] = [
        .init("time", "time"),
        .init("severity", "severity"),
        .init("rule", "rule"),
        .init("principal", "principal"),
        .init("count", "count"),
        .init("summary", "summary"),
        .init("id", "id", inTable: false),
    ]

    /// One secret's story; nil when no secret matches `secret`. `--limit` applies to each list.
    public func secretStory(_ scope: QueryScope, secret: String) throws(StoreError) -> SecretStory? {
        try read("query secret") { db, resolver in
            guard let group = try resolver.secret(secret, scope: scope) else { return nil }
            var story = SecretStory(
                name: group.name, arns: group.arns, account: group.account, region: group.region,
                firstSeen: nil, lastSeen: nil, created: nil, deletion: nil, keys: [],
                events: ResultTable(columns: Self.storyEventColumns), callers: ResultTable(columns: Self.callerColumns),
                alerts: ResultTable(columns: Self.storyAlertColumns), callerCount: 0, alertCount: 0)

            var seen = try db.statement("SELECT min(first_seen), max(last_seen) FROM secrets WHERE id = ?")
            var created = try db.statement("""
                SELECT a.time, p.display FROM access a\(db.indexedBy("access_notable_name")) JOIN principals p ON p.id = a.principal
                WHERE a.notable = 1 AND a.name = 'CreateSecret' AND a.secret = ? AND a.failed = 0 ORDER BY a.time LIMIT 1
                """)
            var notable = try db.statement("""
                SELECT a.time, a.name, p.display, e.error_code, e.details, e.event_id, a.event
                FROM access a\(db.indexedBy("access_notable_secret")) JOIN events e ON e.id = a.event JOIN principals p ON p.id = a.principal
                WHERE a.secret = ? AND a.notable = 1 AND a.time >= ? AND a.time < ? ORDER BY a.time DESC, a.event DESC LIMIT ?
                """)
            var keys = try db.statement("SELECT key, first_seen FROM secret_keys WHERE secret = ?")
            var events: [(time: Int64, event: Int64, cells: [Cell])] = []
            var keyList: [(String, Int64)] = []
            for id in group.ids {
                seen.bind(id)
                if try seen.step() {
                    if let f = seen.optionalInt64(0) { story.firstSeen = min(story.firstSeen ?? EventTime(milliseconds: f), EventTime(milliseconds: f)) }
                    if let l = seen.optionalInt64(1) { story.lastSeen = max(story.lastSeen ?? EventTime(milliseconds: l), EventTime(milliseconds: l)) }
                }
                seen.reset()
                created.bind(id)
                if try created.step(), story.created == nil || created.int64(0) < (story.created?.time.milliseconds ?? 0) {
                    story.created = (EventTime(milliseconds: created.int64(0)), created.string(1))
                }
                created.reset()
                notable.bind(id)
                notable.bind(scope.lower)
                notable.bind(scope.upper)
                notable.bind(scope.sqlLimit)
                while try notable.step() {
                    let t = notable.int64(0)
                    let detail = Self.detailText(name: notable.string(1), time: t, details: notable.optionalString(4))
                    events.append((t, notable.int64(6), [
                        .time(EventTime(milliseconds: t)), .text(notable.string(1)), .text(notable.string(2)),
                        .optional(notable.optionalString(3)), .optional(detail), .text(notable.string(5)),
                    ]))
                }
                notable.reset()
                keys.bind(id)
                while try keys.step() { keyList.append((keys.string(0), keys.int64(1))) }
                keys.reset()
            }
            events.sort { ($0.time, $0.event) > ($1.time, $1.event) }
            story.events.rows = scope.truncate(events).reversed().map(\.cells)
            var keyOrder: [String] = []
            for (k, _) in keyList.sorted(by: { ($0.1, $0.0) < ($1.1, $1.0) }) where !keyOrder.contains(k) { keyOrder.append(k) }
            story.keys = keyOrder

            if let state = deletionState(of: group, from: try deletionStates(db, only: group.ids)) {
                story.deletion = SecretStory.Deletion(
                    scheduled: EventTime(milliseconds: state.scheduled), principal: state.principal,
                    deletionDate: EventTime(milliseconds: state.deletionDate), recoveryWindowInDays: state.recoveryWindowInDays,
                    force: state.force, restored: state.restored.map { EventTime(milliseconds: $0) })
            }
            var everyCaller = scope
            everyCaller.limit = 0
            let callers = try callerRows(db, group: group, scope: everyCaller)
            story.callerCount = callers.count
            story.callers.rows = scope.truncate(callers)

            var alerts = try db.statement("""
                SELECT time, severity, rule, principal, count, summary, id FROM alerts
                WHERE secret = ? AND time >= ? AND time < ? ORDER BY time DESC, id LIMIT ?
                """)
            var alertRows: [(time: Int64, id: String, cells: [Cell])] = []
            for arn in group.arns {
                alerts.bind(arn)
                alerts.bind(scope.lower)
                alerts.bind(scope.upper)
                alerts.bind(scope.sqlLimit)
                while try alerts.step() {
                    let principal = Principal(type: "", id: alerts.string(3)).displayName
                    alertRows.append((alerts.int64(0), alerts.string(6), [
                        .time(EventTime(milliseconds: alerts.int64(0))), .text(alerts.string(1)), .text(alerts.string(2)),
                        .text(principal), .integer(alerts.int64(4)), .text(alerts.string(5)), .text(alerts.string(6)),
                    ]))
                }
                alerts.reset()
            }
            alertRows.sort { $0.time != $1.time ? $0.time > $1.time : $0.id < $1.id }
            var countAlerts = try db.statement("SELECT count(*) FROM alerts WHERE secret = ? AND time >= ? AND time < ?")
            for arn in group.arns {
                countAlerts.bind(arn)
                countAlerts.bind(scope.lower)
                countAlerts.bind(scope.upper)
                if try countAlerts.step() { story.alertCount += countAlerts.int(0) }
                countAlerts.reset()
            }
            story.alerts.rows = scope.truncate(alertRows).map(\.cells)
            return story
        }
    }

    /// A short human note on an event that changed a secret.
    static func detailText(name: String, time: Int64, details: String?) -> String? {
        let facts = EventDetailsJSON.decode(details)
        var parts: [String] = []
        if name == "DeleteSecret" {
            if facts.forceDelete {
                parts.append("forced, no recovery window")
            } else {
                let days = facts.recoveryWindowInDays ?? 30
                parts.append("recovery window \(days) days")
            }
        }
        if let block = facts.blockPublicPolicy { parts.append("blockPublicPolicy \(block)") }
        if facts.policy != nil { parts.append("policy changed") }
        if !facts.kmsKeys.isEmpty { parts.append("kms key " + facts.kmsKeys.joined(separator: ", ")) }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }
}
