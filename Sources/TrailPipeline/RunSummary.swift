import TrailModel

/// Totals over a run, for the final summary line and the exit status.
public struct RunSummary: Sendable {
    public var filesDone = 0
    public var filesSkipped = 0
    public var filesFailed = 0
    public var filesAlreadyDone = 0
    public var filesDeferred = 0
    /// Files another worker held the claim of (not read by this run).
    public var filesClaimedElsewhere = 0
    /// Files of other shards (`--shard`): not read, not claimed.
    public var outsideShard = 0
    public var records = 0
    public var invalidRecords = 0
    public var eventsStored = 0
    public var alerts = 0

    public init() {}

    public mutating func add(_ report: FileReport) {
        switch report.status {
        case .done: filesDone += 1
        case .skipped: filesSkipped += 1
        case .failed: filesFailed += 1
        case .alreadyDone: filesAlreadyDone += 1
        case .deferred: filesDeferred += 1
        case .claimedElsewhere: filesClaimedElsewhere += 1
        case .outsideShard: outsideShard += 1
        case .takenOver: break
        }
        records += report.records
        invalidRecords += report.invalid
        eventsStored += report.eventsStored
        alerts += report.alertsEmitted
    }

    /// One line for standard error: `files: 5200 done, 3 skipped, 0 failed; records: 1000000 (...)`.
    public func line(elapsedSeconds: Double) -> String {
        let rate = elapsedSeconds > 0 ? Double(records) / elapsedSeconds : 0
        var parts = "files: \(filesDone) done, \(filesSkipped) skipped, \(filesFailed) failed"
        if filesAlreadyDone > 0 { parts += ", \(filesAlreadyDone) already ingested" }
        if filesClaimedElsewhere > 0 { parts += ", \(filesClaimedElsewhere) claimed by another worker" }
        if outsideShard > 0 { parts += ", \(outsideShard) outside this shard" }
        parts += "; records: \(records)"
        if invalidRecords > 0 { parts += " (\(invalidRecords) invalid)" }
        parts += "; events stored: \(eventsStored); alerts: \(alerts)"
        parts += "; elapsed: " + formatSeconds(elapsedSeconds) + "; " + String(Int(rate.rounded())) + " records/s"
        return parts
    }

    private func formatSeconds(_ s: Double) -> String {
        let tenths = Int((s * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
