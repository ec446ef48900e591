import Foundation
import TrailAlerts
import TrailDecode
import TrailDetect
import TrailIngest
import TrailJSON
import TrailModel
import TrailStore
import TrailVerify

/// The sequential stage: takes processed files in a deterministic order, runs the stateful
/// detectors, and commits each file (records, alerts, detector state, ledger row) atomically
/// before its new alerts are handed to the outbox (``AlertHandOver``).
///
/// Consecutive files are staged and committed together in one transaction (a group) when several
/// are ready: every file is still all-or-nothing, since its rows and its ledger row are in the same
/// transaction, and the pages every file touches are written once per group instead of once per
/// file. A group is committed when it is large, when its oldest file has waited `maxGroupDelay`,
/// and whenever the caller runs out of ready files (`flush()`), so a live tail never holds a file.
public final class FileCommitter {
    /// Largest group, in files.
    public var maxGroupFiles = 512
    /// Largest group, in stored events.
    public var maxGroupEvents = 10_000
    /// Largest group, in bytes of the stored events' records (their text, userAgent and policy
    /// strings are copied into the events), so a few huge records cannot hold gigabytes.
    public var maxGroupBytes = 64 << 20
    /// Longest time a staged file waits for its group to commit.
    public var maxGroupDelay: TimeInterval = 0.25
    /// Records each group's commit duration (for `tail --metrics`), when set.
    public var commitTimer: CommitTimer?
    /// The worker's claims on a shared store: each commit carries the worker id (the store
    /// refuses it when the claim was lost), and claims end with their file's commit.
    public var claims: ClaimKeeper?

    private let store: Store
    private var rules: RuleBook
    private var engine: DetectionEngine
    private var catalog: SecretCatalog
    private let handOver: AlertHandOver
    /// How long threshold alerts are held past their window's end (kept for rule reloads).
    private let settle: EventTime.Duration
    private let wallClock: @Sendable () -> EventTime

    fileprivate struct Staged: Sendable {
        var report: FileReport
        var commit: FileCommit
        /// Alert ids in the order the detectors raised them, with their JSON lines.
        var alertOrder: [String]
        var alertLines: [String: String]
    }

    /// The last `secrets` row the catalog has read from the store (other workers' secrets), and
    /// when (wall clock) it last looked for more.
    private var catalogRowID: Int64 = 0
    private var catalogLookedAt: EventTime?
    /// Shortest wall-clock time between two looks: a name no stored ARN resolves (a secret older
    /// than the logs) would otherwise cost a read for every file that names it.
    static let catalogLookInterval = EventTime.Duration.seconds(1)
    private var group: [Staged] = []
    /// Event ids seen in this run, staged, and being written.
    private var eventIDs = StagedEventIDs()
    private var groupEvents = 0
    private var groupBytes = 0
    private var groupStarted: Date?

    /// `settle`: how long threshold alerts are held, in event time past their window's end, so
    /// late records cannot change which event they name (zero: they fire at once).
    public init(store: Store, rules: RuleBook, handOver: AlertHandOver, settle: EventTime.Duration = .minutes(30),
                wallClock: @escaping @Sendable () -> EventTime) throws(PipelineError) {
        self.settle = settle
        self.store = store
        self.rules = rules
        self.handOver = handOver
        self.wallClock = wallClock
        do {
            let (known, lastRowID) = try store.knownSecrets(after: 0)
            catalog = SecretCatalog(known: known)
            catalogRowID = lastRowID
            engine = try DetectionEngine(rules: rules.definitions, state: try store.loadDetectorState(), settle: settle)
            // Detector state is written once per group (with the group's last file, in the same
            // transaction), not once per file.
            engine.reportsStateChangesPerCall = false
        } catch let error as StoreError {
            throw PipelineError(.store, wrapping: error)
        } catch {
            throw PipelineError(.rules, wrapping: error)
        }
    }

    /// Puts `rules` in force, with detector state from the store. Only between runs (nothing
    /// staged or being written), when the store holds all the state the old detectors had.
    func reload(_ rules: RuleBook) throws(PipelineError) {
        precondition(group.isEmpty, "rules reloaded with files staged")
        do {
            let engine = try DetectionEngine(rules: rules.definitions, state: try store.loadDetectorState(), settle: settle)
            engine.reportsStateChangesPerCall = false
            self.engine = engine
            self.rules = rules
        } catch let error as StoreError {
            throw PipelineError(.store, wrapping: error)
        } catch {
            throw PipelineError(.rules, wrapping: error)
        }
    }

    /// Whether the staged group should be committed now.
    public var shouldFlush: Bool {
        guard let started = groupStarted else { return false }
        return isGroupFull || Date().timeIntervalSince(started) >= maxGroupDelay
    }

    /// Whether the staged group has reached its size limit: staging more files should wait
    /// until it is committed.
    public var isGroupFull: Bool { isGroupFull(times: 1) }

    /// Whether the staged group has reached `times` its limits in files and events (its limit in
    /// bytes, which bounds memory, stays as it is).
    public func isGroupFull(times: Int) -> Bool {
        group.count >= maxGroupFiles * times || groupEvents >= maxGroupEvents * times || groupBytes >= maxGroupBytes
    }

    /// Runs the detectors over one processed file and stages its commit. Returns the file's report
    /// at once when there is nothing to commit (already ingested, or deferred because it looks
    /// half-written and `deferIncomplete` is set); otherwise nil, and the report comes from `flush()`.
    public func stage(_ processed: ProcessedFile, deferIncomplete: Bool = false) throws(PipelineError) -> FileReport? {
        let path = processed.file.path
        var report = FileReport(path: path, status: .done)
        var ledger = FileLedgerEntry(
            path: path, size: processed.file.size, fingerprint: processed.fingerprint, format: "",
            records: 0, skipped: 0, invalid: 0, status: .done, reason: nil, ingestedAt: wallClock(), newestEventTime: nil
        )
        var staged = Staged(report: report, commit: FileCommit(ledger: ledger), alertOrder: [], alertLines: [:])

        switch processed.outcome {
        case .alreadyDone:
            report.status = .alreadyDone
            return report
        case let .claimedElsewhere(worker, until):
            report.status = .claimedElsewhere
            report.reason = "claimed by another worker (\(worker), lease until \(until.iso8601))"
            if !processed.fingerprint.isEmpty { report.fingerprintRead = processed.fingerprint }
            return report
        case let .failed(reason, incomplete):
            if incomplete && deferIncomplete {
                report.status = .deferred
                report.reason = reason
                // Tried again later, perhaps by another worker: not held meanwhile.
                do {
                    try claims?.release([path])
                } catch {
                    throw PipelineError(.store, wrapping: error)
                }
                return report
            }
            report.status = .failed
            report.reason = reason
            ledger.status = .failed
            // The ledger row already names the file; keep its reason to the byte and the cause.
            ledger.reason = reason.hasPrefix(path + ": ") ? String(reason.dropFirst(path.count + 2)) : reason
            ledger.format = "unreadable"
            staged.commit = FileCommit(ledger: ledger)
        case let .skipped(format, reason):
            report.status = .skipped
            report.reason = reason
            ledger.status = .skipped
            ledger.reason = reason
            ledger.format = format
            staged.commit = FileCommit(ledger: ledger)
            if let check = processed.digestCheck { stageDigestCheck(check, into: &staged) }
        case let .decoded(format, records, invalid, items, newest):
            report.records = records
            report.invalid = invalid.recordCount
            report.invalidRecords = invalid.map { "\($0.location): \($0.reason)" }
            ledger.format = format
            ledger.records = records
            ledger.invalid = invalid.recordCount
            ledger.newestEventTime = newest

            var fresh = try uniqueNewItems(items, storedAtDecode: processed.storedEventIDs)
            try refreshCatalogIfNeeded(fresh)
            for i in fresh.indices { catalog.resolve(&fresh[i].event) }
            let outcome = engine.process(fresh.map { (event: $0.event, record: $0.record, matched: $0.matched) })
            let stored = fresh.filter { $0.isSecretRelated || !$0.matched.isEmpty }.map(\.event)
            report.eventsStored = stored.count
            for event in stored { eventIDs.stage(event.eventID) }
            groupEvents += stored.count
            for item in fresh where item.isSecretRelated || !item.matched.isEmpty { groupBytes += item.record.rawBytes.count }
            var lines: [(alert: Alert, json: String)] = []
            lines.reserveCapacity(outcome.alerts.count)
            for alert in outcome.alerts {
                let line = AlertFormatter.jsonLine(alert)
                if staged.alertLines.updateValue(line, forKey: alert.id) == nil { staged.alertOrder.append(alert.id) }
                lines.append((alert: alert, json: line))
            }
            staged.commit = FileCommit(
                ledger: ledger, events: stored, alerts: lines, suppressed: outcome.suppressed,
                state: outcome.stateChanges, learnedSecrets: catalog.drainLearned()
            )
        }
        staged.report = report
        staged.commit.claim = claims?.worker.value
        if groupStarted == nil { groupStarted = Date() }
        group.append(staged)
        return nil
    }

    /// Adds a digest check's alerts and verified digests to the digest file's commit, so they
    /// are stored with its ledger row (exactly once) and printed after the commit.
    private func stageDigestCheck(_ check: DigestWatch.Outcome, into staged: inout Staged) {
        let now = wallClock()
        for alert in IntegrityAlerts.alerts(for: check.findings, wallClock: now) {
            let line = AlertFormatter.jsonLine(alert)
            if staged.alertLines.updateValue(line, forKey: alert.id) == nil {
                staged.alertOrder.append(alert.id)
                staged.commit.alerts.append((alert: alert, json: line))
            }
        }
        staged.commit.verifiedDigests = check.verified.map {
            VerifiedDigest(account: $0.name.account, region: $0.name.region, trail: $0.name.trail ?? "", digest: $0.path,
                           digestEnd: $0.end, verifiedAt: now)
        }
    }

    /// Commits the staged files in one transaction, then hands their new alerts to the outbox in
    /// order. A crash between the two hands them over on restart (`handOverUnemitted`), never
    /// loses one. Returns the staged files' reports.
    public func flush() throws(PipelineError) -> [FileReport] {
        guard let group = takeGroup() else { return [] }
        defer { groupWritten() }
        return try writer.write(group)
    }

    /// Hands over the staged files as a group for a `GroupWriter`, which may write it on another
    /// task while the next files are staged. Their events count as stored for duplicate checks
    /// until `groupWritten()`. At most one group may be out at a time.
    public func takeGroup() -> PreparedGroup? {
        guard !group.isEmpty else { return nil }
        var staged = group
        staged[staged.count - 1].commit.state += engine.takeStateChanges()
        eventIDs.groupTaken()
        group.removeAll(keepingCapacity: true)
        groupEvents = 0
        groupBytes = 0
        groupStarted = nil
        return PreparedGroup(staged: staged)
    }

    /// The group from `takeGroup()` has been written (or failed and the run stops).
    public func groupWritten() {
        eventIDs.groupWritten()
    }

    /// Writes groups to the store and their alerts to the outbox.
    public var writer: GroupWriter { GroupWriter(store: store, handOver: handOver, commitTimer: commitTimer, claims: claims) }

    /// Hands over the alerts that a previous run committed but stopped before handing over.
    /// Returns how many there were.
    public func handOverUnemitted() throws(PipelineError) -> Int {
        try handOver.handOverUnemitted(store: store)
    }

    /// Releases every held threshold alert (the input is complete: the end of a backfill) in one
    /// transaction of its own, with the detector state that says they were released; then hands
    /// them to the outbox, like a group. Call with no group staged or out. Returns how
    /// many alerts were new.
    @discardableResult
    public func releaseHeld() throws(PipelineError) -> Int {
        precondition(group.isEmpty, "releaseHeld() with files staged")
        let outcome = engine.releaseHeld()
        let state = outcome.stateChanges + engine.takeStateChanges()
        guard !outcome.alerts.isEmpty || !state.isEmpty else { return 0 }
        let lines = outcome.alerts.map { (alert: $0, json: AlertFormatter.jsonLine($0)) }
        let inserted: [String]
        do {
            inserted = try store.commit([.detectionsOnly(alerts: lines, suppressed: outcome.suppressed, state: state)]).first ?? []
        } catch {
            throw PipelineError(.store, "release of held alerts: \(error)")
        }
        let fresh = Set(inserted)
        let handed = lines.map(\.alert.id).filter { fresh.contains($0) }
        try handOver.handOver(handed, store: store)
        return handed.count
    }

    /// With other workers on the store (claims in use): before resolving a file's secrets, reads
    /// the full ARNs they stored since the last look, when the file names a secret the catalog
    /// lacks. So a worker resolves a name or partial ARN to the full ARN another worker learned
    /// from an earlier, committed file, as a single worker would have. At most once a second
    /// (``catalogLookInterval``). A file still uncommitted elsewhere is not seen: then the partial
    /// reference is stored, as a single worker reading the files in another order would.
    private func refreshCatalogIfNeeded(_ items: [PipelineItem]) throws(PipelineError) {
        guard claims != nil, items.contains(where: { catalog.lacksAny(of: $0.event) }) else { return }
        let now = wallClock()
        if let last = catalogLookedAt, now.milliseconds - last.milliseconds < Self.catalogLookInterval.milliseconds { return }
        catalogLookedAt = now
        do {
            let (stored, last) = try store.knownSecrets(after: catalogRowID)
            catalog.learnStored(stored)
            catalogRowID = last
        } catch {
            throw PipelineError(.store, wrapping: error)
        }
    }

    /// Drops events already seen in this file, in the staged group or in the store (CloudTrail
    /// delivers some records twice), so nothing is counted twice.
    ///
    /// `storedAtDecode`: the ids the store held when the file was decoded. It answers for an id
    /// this run has never examined: such an id can have been stored since only by another worker
    /// (the store skips a repeated eventID on insert, so it is stored once whatever happens). That
    /// race existed with a look-up here too, from staging to commit; looked up at decode, it is
    /// wider by the files waiting in between (seconds at most), so without shards a record
    /// CloudTrail delivered twice, in files two workers read at once, reaches both workers'
    /// detectors more often. An id examined before (a repeat, or a filter false positive) may have
    /// been committed by this run since the decode, so the store is asked about it now.
    private func uniqueNewItems(_ items: [PipelineItem], storedAtDecode: Set<String>?) throws(PipelineError) -> [PipelineItem] {
        var dropped = Set<Int>()
        var candidates: [String] = []
        candidates.reserveCapacity(storedAtDecode == nil ? items.count : 0)
        // Ids earlier in this file, gathered only once one id looks like a repeat.
        var earlierInFile: Set<String>?
        for i in items.indices {
            let id = items[i].event.eventID
            if eventIDs.noteExamined(id) {
                let earlier = earlierInFile ?? Set(items[..<i].lazy.map(\.event.eventID))
                earlierInFile = earlier
                if earlier.contains(id) || eventIDs.isInFlight(id) {
                    dropped.insert(i)
                    continue
                }
                candidates.append(id)
            } else if storedAtDecode == nil {
                candidates.append(id)
            }
            earlierInFile?.insert(id)
        }
        var existing = storedAtDecode ?? []
        do {
            if !candidates.isEmpty { existing.formUnion(try store.existingEventIDs(candidates)) }
        } catch {
            throw PipelineError(.store, wrapping: error)
        }
        if dropped.isEmpty && existing.isEmpty { return items }
        return items.indices.compactMap { i in
            dropped.contains(i) || existing.contains(items[i].event.eventID) ? nil : items[i]
        }
    }
}

/// Staged files ready to be committed together.
public struct PreparedGroup: Sendable {
    fileprivate let staged: [FileCommitter.Staged]
}

/// Commits prepared groups and hands their new alerts to the outbox; safe to use from another task
/// than the committer that prepared the groups, one group at a time and in order.
public struct GroupWriter: Sendable {
    let store: Store
    let handOver: AlertHandOver
    var commitTimer: CommitTimer?
    var claims: ClaimKeeper?

    /// Commits the group in one transaction, then queues its new alerts, in order, for every sink.
    ///
    /// With claims, a file whose claim was lost (`StoreError.Kind.claimLost`: another worker took
    /// it over) is dropped from the group, which commits again without it; its report says
    /// `.takenOver`. The group's detector state, carried by its last file, moves to the new last
    /// file (or commits on its own).
    public func write(_ group: PreparedGroup) throws(PipelineError) -> [FileReport] {
        var staged = group.staged
        var takenOver: [FileReport] = []
        var newAlertIDs: [[String]] = []
        while !staged.isEmpty {
            do {
                let started = ContinuousClock.now
                newAlertIDs = try store.commit(staged.map(\.commit))
                commitTimer?.record(ContinuousClock.now - started)
                break
            } catch where error.kind == .claimLost {
                guard let file = error.file,
                      let i = staged.firstIndex(where: { $0.commit.hasFile && PathKey($0.commit.ledger.path) == PathKey(file) }) else {
                    throw PipelineError(.store, wrapping: error)
                }
                let lost = staged.remove(at: i)
                claims?.forget([file])
                var report = lost.report
                report.status = .takenOver
                report.reason = "\(file): another worker took this file over (the claim of \(lost.commit.claim ?? "this worker") was lost); not committed"
                // Counted by the worker that commits it, not here.
                report.records = 0
                report.invalid = 0
                report.invalidRecords = []
                report.eventsStored = 0
                takenOver.append(report)
                if i == staged.count, !lost.commit.state.isEmpty {
                    if staged.isEmpty {
                        staged.append(FileCommitter.Staged(
                            report: FileReport(path: "", status: .done),
                            commit: .detectionsOnly(alerts: [], suppressed: [], state: lost.commit.state), alertOrder: [], alertLines: [:]))
                    } else {
                        staged[staged.count - 1].commit.state += lost.commit.state
                    }
                }
            } catch {
                let paths = staged.count == 1 ? staged[0].report.path : "\(staged[0].report.path) and \(staged.count - 1) more files"
                throw PipelineError(.store, "\(paths): \(error)")
            }
        }
        claims?.forget(staged.lazy.filter(\.commit.hasFile).map(\.commit.ledger.path))
        var reports: [FileReport] = takenOver
        reports.reserveCapacity(staged.count + takenOver.count)
        var emitted: [String] = []
        for (file, fresh) in zip(staged, newAlertIDs) where file.commit.hasFile {
            let inserted = Set(fresh)
            for id in file.alertOrder where inserted.contains(id) {
                if file.alertLines[id] != nil { emitted.append(id) }
            }
            var report = file.report
            report.alertsEmitted = inserted.count
            reports.append(report)
        }
        try handOver.handOver(emitted, store: store)
        return reports
    }
}
