import TrailModel

/// A secret's deletion state: the latest successful `DeleteSecret` not followed by a `RestoreSecret`.
struct DeletionState {
    var scheduled: Int64
    var principal: String
    var eventID: String
    var recoveryWindowInDays: Int?
    var force: Bool
    var restored: Int64?
    /// When the secret is (or was) gone: at once when forced, else after the window (30 days by
    /// default; a window AWS would not accept counts as its soonest, see ``RecoveryWindow``).
    var deletionDate: Int64 {
        force ? scheduled : scheduled + Int64(RecoveryWindow.effectiveDays(recoveryWindowInDays)) * 86_400_000
    }
}

extension QueryService {
    static let pendingColumns: [ResultTable.Column] = [
        .init("deletionDate", "deletion date"),
        .init("secret", "secret"),
        .init("account", "account"),
        .init("region", "region"),
        .init("scheduled", "scheduled"),
        .init("principal", "scheduled by"),
        .init("recoveryWindowInDays", "window days"),
        .init("force", "force"),
        .init("status", "status"),
        .init("eventID", "event id", inTable: false),
        .init("secretArn", "secret arn", inTable: false),
    ]

    static let unusedColumns: [ResultTable.Column] = [
        .init("secret", "secret"),
        .init("account", "account"),
        .init("region", "region"),
        .init("lastRead", "last read"),
        .init("idleDays", "idle days"),
        .init("firstSeen", "first seen"),
        .init("lastSeen", "last seen"),
        .init("secretArn", "secret arn", inTable: false),
    ]

    /// Latest delete/restore per secret row (row id -> list of (time, name, ...)), then per group.
    func deletionStates(_ db: any SQLConnection, only ids: [Int64]? = nil) throws -> [Int64: [(time: Int64, isDelete: Bool, principal: String, eventID: String, details: String?)]] {
        var s = try db.statement("""
            SELECT a.secret, a.time, a.name, p.display, e.event_id, e.details
            FROM access a\(db.indexedBy("access_notable_name")) JOIN events e ON e.id = a.event JOIN principals p ON p.id = a.principal
            WHERE a.notable = 1 AND a.name IN ('DeleteSecret', 'RestoreSecret') AND a.failed = 0
            """)
        let wanted = ids.map(Set.init)
        var out: [Int64: [(time: Int64, isDelete: Bool, principal: String, eventID: String, details: String?)]] = [:]
        while try s.step() {
            let secret = s.int64(0)
            if let wanted, !wanted.contains(secret) { continue }
            out[secret, default: []].append((s.int64(1), s.string(2) == "DeleteSecret", s.string(3), s.string(4), s.optionalString(5)))
        }
        s.reset()
        return out
    }

    /// The group's deletion state; nil when it was never scheduled for deletion.
    func deletionState(of group: SecretGroup, from events: [Int64: [(time: Int64, isDelete: Bool, principal: String, eventID: String, details: String?)]]) -> DeletionState? {
        let all = group.ids.flatMap { events[$0] ?? [] }.sorted { ($0.time, $0.isDelete ? 0 : 1, $0.eventID) < ($1.time, $1.isDelete ? 0 : 1, $1.eventID) }
        guard let lastDelete = all.last(where: { $0.isDelete }) else { return nil }
        let facts = EventDetailsJSON.decode(lastDelete.details)
        var state = DeletionState(scheduled: lastDelete.time, principal: lastDelete.principal, eventID: lastDelete.eventID,
                                  recoveryWindowInDays: facts.forceDelete ? nil : RecoveryWindow.effectiveDays(facts.recoveryWindowInDays),
                                  force: facts.forceDelete, restored: nil)
        if let restore = all.last, !restore.isDelete, restore.time >= lastDelete.time { state.restored = restore.time }
        return state
    }

    /// Secrets scheduled for deletion and not restored, soonest deletion date first.
    ///
    /// The time range applies to when the deletion was scheduled; `status` is `pending` while the
    /// deletion date is after `now`, `passed` once it is not.
    public func pendingDeletions(_ scope: QueryScope) throws(StoreError) -> ResultTable {
        try read("query pending-deletions") { db, resolver in
            let events = try deletionStates(db)
            var rows: [(date: Int64, name: String, cells: [Cell])] = []
            for group in try resolver.allSecretGroups() where group.ids.contains(where: { events[$0] != nil }) {
                if let a = scope.account, group.account != a { continue }
                if let r = scope.region, group.region != r { continue }
                guard let state = deletionState(of: group, from: events), state.restored == nil, scope.contains(state.scheduled) else { continue }
                let date = state.deletionDate
                rows.append((date, group.name, [
                    .time(EventTime(milliseconds: date)), .text(group.name), .text(group.account), .text(group.region),
                    .time(EventTime(milliseconds: state.scheduled)), .text(state.principal),
                    state.recoveryWindowInDays.map { .integer(Int64($0)) } ?? .null, .bool(state.force),
                    .text(date > now.milliseconds ? "pending" : "passed"), .text(state.eventID), .text(group.arn),
                ]))
            }
            rows.sort { ($0.date, $0.name) < ($1.date, $1.name) }
            return ResultTable(columns: Self.pendingColumns, rows: scope.truncate(rows).map(\.cells))
        }
    }

    /// Secrets seen in the history but not read (`GetSecretValue`/`BatchGetSecretValue` without
    /// error) for `days` days before `until` (default now); secrets first seen within that span
    /// and secrets scheduled for deletion are left out. `since` keeps secrets last seen since then.
    public func unused(_ scope: QueryScope, days: Int) throws(StoreError) -> ResultTable {
        // Bounded so that the cutoff (days in milliseconds) cannot overflow.
        guard (0...36_500).contains(days) else {
            throw StoreError(.invalidArgument, path: store.path, operation: "query unused", message: "--days must be between 0 and 36500")
        }
        return try read("query unused") { db, resolver in
            let reference = scope.until?.milliseconds ?? now.milliseconds
            let cutoff = reference - Int64(days) * 86_400_000
            var lastRead: [Int64: Int64] = [:]
            if scope.until == nil {
                var s = try db.statement("""
                    SELECT secret, max(last_ok) FROM usage WHERE name IN ('GetSecretValue', 'BatchGetSecretValue') AND last_ok IS NOT NULL
                    GROUP BY secret
                    """)
                while try s.step() { lastRead[s.int64(0)] = s.int64(1) }
                s.reset()
            } else {
                // Each secret's last successful read before --until, in one statement (an indexed
                // probe per secret): a round trip per secret costs PostgreSQL a planning and a
                // network turn each, 0.3 ms apiece on loopback.
                var s = try db.statement("""
                    SELECT s.id, (SELECT a.time FROM access a WHERE a.secret = s.id AND a.time < ? AND a.failed = 0
                                  AND a.name IN ('GetSecretValue', 'BatchGetSecretValue') ORDER BY a.time DESC LIMIT 1)
                    FROM secrets s
                    """)
                s.bind(reference)
                while try s.step() { if let t = s.optionalInt64(1) { lastRead[s.int64(0)] = t } }
                s.reset()
            }
            var seen = try db.statement("SELECT id, first_seen, last_seen FROM secrets WHERE first_seen IS NOT NULL")
            var seenRange: [Int64: (Int64, Int64)] = [:]
            while try seen.step() { seenRange[seen.int64(0)] = (seen.int64(1), seen.int64(2)) }
            seen.reset()
            let deletions = try deletionStates(db)
            var rows: [(last: Int64, name: String, cells: [Cell])] = []
            for group in try resolver.allSecretGroups() {
                if let a = scope.account, group.account != a { continue }
                if let r = scope.region, group.region != r { continue }
                let ranges = group.ids.compactMap { seenRange[$0] }
                guard let first = ranges.map(\.0).min(), let last = ranges.map(\.1).max() else { continue }
                if let since = scope.since, last < since.milliseconds { continue }
                if let state = deletionState(of: group, from: deletions), state.restored == nil { continue }
                var read: Int64?
                for id in group.ids {
                    if let t = lastRead[id] { read = max(read ?? t, t) }
                }
                let idleSince = read ?? first
                guard idleSince < cutoff else { continue }
                rows.append((read ?? Int64.min, group.name, [
                    .text(group.name), .text(group.account), .text(group.region), Cell.optionalTime(read),
                    .integer((reference - idleSince) / 86_400_000),
                    .time(EventTime(milliseconds: first)), .time(EventTime(milliseconds: last)), .text(group.arn),
                ]))
            }
            rows.sort { ($0.last, $0.name) < ($1.last, $1.name) }
            return ResultTable(columns: Self.unusedColumns, rows: scope.truncate(rows).map(\.cells))
        }
    }
}
