
/// A delivery waiting for (or retried by) a sink: the outbox row and the alert's stored JSON line.
public struct PendingDelivery: Sendable, Equatable {
    /// The row's hand-over order; deliveries of one sink go out in this order.
    public var seq: Int64
    public var alertID: String
    /// The alert's JSON line as stored (its `count` raised by suppressed repeats).
    public var json: String
    /// Attempts made so far.
    public var attempts: Int
}

/// The outbox of one sink, for `status` and the exit summary.
public struct SinkOutbox: Sendable, Equatable {
    public var sink: String
    public var pending: Int
    public var failed: Int
    public var delivered: Int
    /// When the oldest pending delivery was handed over (ms since epoch), if any is pending.
    public var oldestPending: Int64?
}

/// An alert a sink has not (yet) confirmed, for `alerts --undelivered`.
public struct UndeliveredAlert: Sendable, Equatable {
    public var sink: String
    public var alertID: String
    public var rule: String
    public var time: Int64
    /// `pending` or `failed`.
    public var state: String
    public var attempts: Int
    public var nextAttempt: Int64
    public var reason: String?
}

extension Store {
    /// Hands alerts to the outbox: one pending row per sink and alert, in the order given, and
    /// marks them emitted (handed over), in one transaction. An alert already queued for a sink
    /// keeps its row.
    public func enqueueDeliveries(_ alertIDs: [String], sinks: [String], now: Int64) throws(StoreError) {
        guard !alertIDs.isEmpty else { return }
        try write("queue alerts for delivery") { db in
            try Self.enqueue(db, alertIDs, sinks: sinks, now: now)
        }
    }

    /// Hands every alert not yet handed over (committed by a run that stopped before, or stored
    /// before the outbox existed and never printed) to `sinks`, oldest first. Returns how many.
    @discardableResult
    public func enqueueUnemitted(sinks: [String], now: Int64) throws(StoreError) -> Int {
        try write("queue undelivered alerts") { db in
            var s = try db.statement("SELECT id FROM alerts WHERE emitted = 0 ORDER BY time, id")
            var ids: [String] = []
            while try s.step() { ids.append(s.string(0)) }
            s.reset()
            try Self.enqueue(db, ids, sinks: sinks, now: now)
            return ids.count
        }
    }

    private static func enqueue(_ db: any SQLConnection, _ ids: [String], sinks: [String], now: Int64) throws {
        var insert = try db.statement("""
            INSERT INTO deliveries (sink, alert, state, attempts, next_attempt, enqueued_at)
            VALUES (?, ?, 'pending', 0, 0, ?) ON CONFLICT (sink, alert) DO NOTHING
            """)
        var mark = try db.statement("UPDATE alerts SET emitted = 1 WHERE id = ?")
        for id in ids {
            for sink in sinks {
                insert.bind(sink)
                insert.bind(id)
                insert.bind(now)
                try insert.run()
            }
            mark.bind(id)
            try mark.run()
        }
    }

    /// Up to `limit` pending deliveries of `sink` due at `now`, in hand-over order, skipping `excluding`
    /// (deliveries already in flight).
    ///
    /// On a shared store (several workers, each delivering), the deliveries returned are leased to
    /// the caller: their next attempt moves `deliveryLease` ahead in the same transaction, and rows
    /// another worker is taking at that moment are skipped, so two workers never send one alert at
    /// once. A worker that dies while sending leaves them due again when the lease ends
    /// (at-least-once, as ever); ``markDelivered(sink:seqs:at:)`` and
    /// ``markAttemptFailed(sink:seqs:reason:retry:nextAttempt:)`` settle them as usual.
    public func dueDeliveries(sink: String, now: Int64, limit: Int, excluding: Set<Int64> = []) throws(StoreError) -> [PendingDelivery] {
        if isShared {
            // Taken in a write transaction, rows locked by another worker skipped, each leased.
            return try write("lease deliveries") { db in
                let due = try Self.due(db, sink: sink, now: now, limit: limit, excluding: excluding, lock: " FOR UPDATE OF d SKIP LOCKED")
                var lease = try db.statement("UPDATE deliveries SET next_attempt = ? WHERE seq = ?")
                for d in due {
                    lease.bind(now + Self.deliveryLease)
                    lease.bind(d.seq)
                    try lease.run()
                }
                return due
            }
        }
        return try pipelineRead("read the outbox") { db in
            try Self.due(db, sink: sink, now: now, limit: limit, excluding: excluding, lock: "")
        }
    }

    /// How long a worker of a shared store holds the deliveries it took (ms).
    public static let deliveryLease: Int64 = 120_000

    private static func due(
        _ db: any SQLConnection, sink: String, now: Int64, limit: Int, excluding: Set<Int64>, lock: String
    ) throws -> [PendingDelivery] {
        var s = try db.statement("""
            SELECT d.seq, d.alert, a.json, d.attempts FROM deliveries d JOIN alerts a ON a.id = d.alert
            WHERE d.sink = ? AND d.state = 'pending' AND d.next_attempt <= ? ORDER BY d.next_attempt, d.seq LIMIT ?
            """ + lock)
        s.bind(sink)
        s.bind(now)
        s.bind(limit + excluding.count)
        var out: [PendingDelivery] = []
        while try s.step(), out.count < limit {
            let seq = s.int64(0)
            if excluding.contains(seq) { continue }
            // The alert as committed: later repeats folded into it (`suppress`) grow its stored
            // count but are not sent again, so what a sink receives does not depend on when
            // delivery ran.
            out.append(PendingDelivery(seq: seq, alertID: s.string(1), json: s.string(2), attempts: s.int(3)))
        }
        s.reset()
        return out
    }

    /// The earliest time a pending delivery of `sink` is due (ms since epoch), nil when none is pending.
    public func nextDeliveryDue(sink: String) throws(StoreError) -> Int64? {
        try pipelineRead("read the outbox") { db in
            var s = try db.statement("SELECT min(next_attempt) FROM deliveries WHERE sink = ? AND state = 'pending'")
            s.bind(sink)
            defer { s.reset() }
            return try s.step() ? s.optionalInt64(0) : nil
        }
    }

    /// The sink confirmed these deliveries.
    public func markDelivered(sink: String, seqs: [Int64], at time: Int64) throws(StoreError) {
        guard !seqs.isEmpty else { return }
        try write("mark alerts delivered") { db in
            var s = try db.statement("""
                UPDATE deliveries SET state = 'delivered', delivered_at = ?, attempts = attempts + 1, reason = NULL
                WHERE seq = ? AND sink = ?
                """)
            for seq in seqs {
                s.bind(time)
                s.bind(seq)
                s.bind(sink)
                try s.run()
            }
        }
    }

    /// An attempt failed: the deliveries stay pending until `nextAttempt` (retry), or are parked
    /// as failed (`retry == false`), with the reason.
    public func markAttemptFailed(sink: String, seqs: [Int64], reason: String, retry: Bool, nextAttempt: Int64) throws(StoreError) {
        guard !seqs.isEmpty else { return }
        try write("record a failed delivery") { db in
            var s = try db.statement("""
                UPDATE deliveries SET state = ?, attempts = attempts + 1, next_attempt = ?, reason = ?
                WHERE seq = ? AND sink = ? AND state = 'pending'
                """)
            for seq in seqs {
                s.bind(retry ? "pending" : "failed")
                s.bind(nextAttempt)
                s.bind(reason)
                s.bind(seq)
                s.bind(sink)
                try s.run()
            }
        }
    }

    /// Pending, failed and delivered counts per sink (all sinks, or those named), by sink name.
    public func outbox(sinks: [String]? = nil) throws(StoreError) -> [SinkOutbox] {
        try read("read the outbox") { db in
            var s = try db.statement("""
                SELECT sink, sum(CASE WHEN state = 'pending' THEN 1 ELSE 0 END), sum(CASE WHEN state = 'failed' THEN 1 ELSE 0 END),
                       sum(CASE WHEN state = 'delivered' THEN 1 ELSE 0 END),
                       min(CASE WHEN state = 'pending' THEN enqueued_at END)
                FROM deliveries GROUP BY sink ORDER BY sink
                """)
            var out: [SinkOutbox] = []
            while try s.step() {
                let name = s.string(0)
                if let sinks, !sinks.contains(name) { continue }
                out.append(SinkOutbox(sink: name, pending: s.int(1), failed: s.int(2), delivered: s.int(3), oldestPending: s.optionalInt64(4)))
            }
            s.reset()
            if let sinks {
                for name in sinks where !out.contains(where: { $0.sink == name }) {
                    out.append(SinkOutbox(sink: name, pending: 0, failed: 0, delivered: 0, oldestPending: nil))
                }
            }
            return out
        }
    }

    /// Deliveries not confirmed (pending or failed), oldest first, optionally of one sink.
    public func undeliveredAlerts(sink: String? = nil, limit: Int) throws(StoreError) -> [UndeliveredAlert] {
        try read("list undelivered alerts") { db in
            var s = try db.statement("""
                SELECT d.sink, d.alert, a.rule, a.time, d.state, d.attempts, d.next_attempt, d.reason
                FROM deliveries d JOIN alerts a ON a.id = d.alert
                WHERE d.state IN ('pending', 'failed')\(sink == nil ? "" : " AND d.sink = ?") ORDER BY d.seq LIMIT ?
                """)
            if let sink { s.bind(sink) }
            s.bind(limit <= 0 ? Int64.max : Int64(limit))
            var out: [UndeliveredAlert] = []
            while try s.step() {
                out.append(UndeliveredAlert(sink: s.string(0), alertID: s.string(1), rule: s.string(2), time: s.int64(3), state: s.string(4),
                                            attempts: s.int(5), nextAttempt: s.int64(6), reason: s.optionalString(7)))
            }
            s.reset()
            return out
        }
    }

    /// Queues failed deliveries (and pending ones, now) again: of one sink or all, of alerts raised
    /// at or after `since` (ms since epoch). Returns how many rows were re-queued.
    @discardableResult
    public func requeueDeliveries(sink: String? = nil, since: Int64? = nil) throws(StoreError) -> Int {
        try write("re-queue deliveries") { db in
            var conditions = ""
            var values: [SQLValue] = []
            if let sink { conditions += " AND sink = ?"; values.append(.text(sink)) }
            if let since { conditions += " AND alert IN (SELECT id FROM alerts WHERE time >= ?)"; values.append(.int(since)) }
            var s = try db.statement("""
                UPDATE deliveries SET state = 'pending', next_attempt = 0, attempts = 0
                WHERE state IN ('pending', 'failed')\(conditions)
                """)
            s.bind(all: values)
            _ = try s.step()
            let changed = Int(s.changes)
            s.reset()
            return changed
        }
    }
}
