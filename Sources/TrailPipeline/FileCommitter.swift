import TrailAlerts
import TrailDecode
import TrailDetect
import TrailIngest
import TrailJSON
import TrailModel
import TrailStore

/// The sequential stage: takes processed files in a deterministic order, runs the stateful
/// detectors, commits each file (records, alerts, detector state, ledger row) in one transaction,
/// and only then hands the new alerts to the sinks.
public final class FileCommitter {
    private let store: Store
    private let rules: RuleBook
    private let engine: DetectionEngine
    private var catalog: SecretCatalog
    private let sink: AlertSink
    private let wallClock: @Sendable () -> EventTime

    public init(store: Store, rules: RuleBook, sink: AlertSink, wallClock: @escaping @Sendable () -> EventTime) throws(PipelineError) {
        self.store = store
        self.rules = rules
        self.sink = sink
        self.wallClock = wallClock
        do {
            catalog = SecretCatalog(known: try store.knownSecrets())
            engine = try DetectionEngine(rules: rules.definitions, state: try store.loadDetectorState())
        } catch let error as StoreError {
            throw PipelineError(.store, "\(error)")
        } catch {
            throw PipelineError(.rules, "\(error)")
        }
    }

    /// Commits one processed file. When `deferIncomplete` is set, a file that looks half-written
    /// is not recorded (the caller retries it later).
    public func commit(_ processed: ProcessedFile, deferIncomplete: Bool = false) throws(PipelineError) -> FileReport {
        let path = processed.file.path
        var report = FileReport(path: path, status: .done)
        var ledger = FileLedgerEntry(
            path: path, size: processed.file.size, fingerprint: processed.fingerprint, format: "",
            records: 0, skipped: 0, invalid: 0, status: .done, reason: nil, ingestedAt: wallClock(), newestEventTime: nil
        )
        var commit = FileCommit(ledger: ledger, events: [], alerts: [], suppressed: [], state: [], learnedSecrets: [])
        var alertLines: [String: String] = [:]
        var alertOrder: [String] = []

        switch processed.outcome {
        case .alreadyDone:
            report.status = .alreadyDone
            return report
        case let .failed(reason, incomplete):
            if incomplete && deferIncomplete {
                report.status = .deferred
                report.reason = reason
                return report
            }
            report.status = .failed
            report.reason = reason
            ledger.status = .failed
            ledger.reason = reason
            ledger.format = "unreadable"
            commit.ledger = ledger
        case let .skipped(format, reason):
            report.status = .skipped
            report.reason = reason
            ledger.status = .skipped
            ledger.reason = reason
            ledger.format = format
            commit.ledger = ledger
        case let .decoded(format, records, invalid, items, newest):
            report.records = records
            report.invalid = invalid.count
            report.invalidRecords = invalid.map { "\($0.location): \($0.reason)" }
            ledger.format = format
            ledger.records = records
            ledger.invalid = invalid.count
            ledger.newestEventTime = newest

            var fresh = try uniqueNewItems(items)
            for i in fresh.indices { catalog.resolve(&fresh[i].event) }
            let outcome = engine.process(fresh.map { (event: $0.event, record: $0.record, matched: $0.matched) })
            let stored = fresh.filter { $0.isSecretRelated || !$0.matched.isEmpty }.map(\.event)
            report.eventsStored = stored.count
            commit = FileCommit(
                ledger: ledger,
                events: stored,
                alerts: outcome.alerts.map { alert in
                    let line = AlertFormatter.jsonLine(alert)
                    if alertLines.updateValue(line, forKey: alert.id) == nil { alertOrder.append(alert.id) }
                    return (alert: alert, json: line)
                },
                suppressed: outcome.suppressed,
                state: outcome.stateChanges,
                learnedSecrets: catalog.drainLearned()
            )
        }

        let newAlertIDs: [String]
        do {
            newAlertIDs = try store.commit(commit)
        } catch {
            throw PipelineError(.store, "\(path): \(error)")
        }
        // Commit first, then emit: a crash between the two may re-emit, never lose.
        let fresh = Set(newAlertIDs)
        for id in alertOrder where fresh.contains(id) {
            if let line = alertLines[id] { sink.emit(line) }
        }
        report.alertsEmitted = fresh.count
        return report
    }

    /// Drops events already seen in this file or already in the store (CloudTrail delivers some
    /// records twice), so nothing is counted twice.
    private func uniqueNewItems(_ items: [PipelineItem]) throws(PipelineError) -> [PipelineItem] {
        var seen: Set<String> = []
        var unique: [PipelineItem] = []
        unique.reserveCapacity(items.count)
        for item in items where seen.insert(item.event.eventID).inserted { unique.append(item) }
        let ids = unique.map(\.event.eventID)
        guard !ids.isEmpty else { return unique }
        let existing: Set<String>
        do {
            existing = try store.existingEventIDs(ids)
        } catch {
            throw PipelineError(.store, "\(error)")
        }
        return existing.isEmpty ? unique : unique.filter { !existing.contains($0.event.eventID) }
    }
}
