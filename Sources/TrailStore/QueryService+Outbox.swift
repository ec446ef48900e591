import TrailModel

extension QueryService {
    static let undeliveredColumns: [ResultTable.Column] = [
        .init("sink", "sink"),
        .init("id", "alert"),
        .init("rule", "rule"),
        .init("time", "time"),
        .init("state", "state"),
        .init("attempts", "attempts"),
        .init("nextAttempt", "next attempt"),
        .init("reason", "reason"),
    ]

    static let outboxColumns: [ResultTable.Column] = [
        .init("sink", "sink"),
        .init("pending", "pending"),
        .init("failed", "failed"),
        .init("delivered", "delivered"),
        .init("oldestPending", "oldest pending"),
        .init("oldestPendingAge", "age"),
    ]

    /// Alerts a sink has not confirmed (pending or parked as failed, with the last reason), in
    /// hand-over order, for `alerts --undelivered`.
    public func undelivered(sink: String?, limit: Int) throws(StoreError) -> ResultTable {
        let rows = try store.undeliveredAlerts(sink: sink, limit: limit)
        var table = ResultTable(columns: Self.undeliveredColumns)
        for row in rows {
            table.rows.append([
                .text(row.sink), .text(row.alertID), .text(row.rule), .time(EventTime(milliseconds: row.time)), .text(row.state),
                .integer(Int64(row.attempts)), row.state == "pending" && row.nextAttempt > 0 ? .time(EventTime(milliseconds: row.nextAttempt)) : .null,
                .optional(row.reason),
            ])
        }
        if rows.isEmpty { table.notes.append(sink.map { "no undelivered alerts for sink \($0)" } ?? "no undelivered alerts") }
        return table
    }

    /// The outbox per sink: pending, failed, delivered, and the oldest pending alert's age.
    public func outboxTable() throws(StoreError) -> ResultTable {
        var table = ResultTable(columns: Self.outboxColumns)
        for box in try store.outbox() {
            table.rows.append([
                .text(box.sink), .integer(Int64(box.pending)), .integer(Int64(box.failed)), .integer(Int64(box.delivered)),
                .optionalTime(box.oldestPending), .text(StatusReport.lagText(box.oldestPending.map { now.milliseconds - $0 })),
            ])
        }
        return table
    }
}
