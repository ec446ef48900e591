import TrailJSON
import TrailModel

/// Runs the rules' detectors over matched events, on event time, with state that persists.
///
/// Used by one task at a time, fed one file's events per ``process(_:)`` call in a
/// deterministic file order. Within a call, events are deduplicated by `eventID` and sorted by
/// (eventTime, eventID) before any state is applied, so the order of records inside a file does
/// not matter. Every event is observed, matched or not: key histories for first-seen rules, the
/// KMS key → secret links, and the per-(account, region) watermark (newest event time) that
/// bounds window state.
///
/// State round trip: ``DetectionOutcome/stateChanges`` lists what changed in the call; an engine
/// built from all entries emitted so far continues exactly as the original would have.
public final class DetectionEngine {
    /// The rules, in the order given (alert order within an event follows it).
    public let rules: [RuleDefinition]
    /// How late an event may arrive, in event time, after newer ones from the same source
    /// (window state is kept this much longer than the window).
    public let lateness: EventTime.Duration
    /// How long, in event time past a threshold window's end, its alert is held while late
    /// records may still change which event it names (zero: it fires at once, and its attribution
    /// may depend on the order in which files arrive). Held alerts are released by
    /// ``process(_:)`` once the watermark passes the window's end plus this, or by
    /// ``releaseHeld()``.
    public let settle: EventTime.Duration

    private var firstSeen: [Int: FirstSeenDetector] = [:]
    private var thresholds: [Int: ThresholdDetector] = [:]
    private var suppressors: [Int: Suppressor] = [:]
    private let links = KMSKeyLinks()
    private let trails = TrailHistory()
    private let schedule = DeletionSchedule()
    private let secretKeys = SecretKeyCache()
    private var watermarks: [String: Int64] = [:]
    private var dirtyWatermarks: Set<String> = []
    static let watermarkNamespace = "watermark"

    /// Builds the engine and restores `state` (entries of rules no longer loaded are ignored).
    /// Throws when two rules share a name.
    public init(rules: [RuleDefinition], state: [DetectorStateEntry], lateness: EventTime.Duration = .minutes(30),
                settle: EventTime.Duration = .seconds(0)) throws(RuleError) {
        self.rules = rules
        self.lateness = lateness
        self.settle = settle
        var names: Set<String> = []
        for (i, rule) in rules.enumerated() {
            guard names.insert(rule.name).inserted else {
                throw RuleError(file: rule.file, rule: rule.name, path: "name", message: "duplicate rule name")
            }
            if let s = rule.suppress { suppressors[i] = Suppressor(rule: rule.name, config: s, lateness: lateness) }
            switch rule.detector {
            case let .firstSeen(c)?: firstSeen[i] = FirstSeenDetector(rule: rule.name, config: c, lateness: lateness)
            case let .threshold(c)?:
                let fold = suppressors[i].map { s in { (e: AuditEvent) in s.key(e) } }
                thresholds[i] = ThresholdDetector(
                    rule: rule.name, config: c, lateness: lateness, settle: settle.milliseconds > 0 ? settle : nil,
                    definition: rule, foldKey: fold)
            default: break
            }
        }
        firstSeenList = firstSeen.keys.sorted().compactMap { firstSeen[$0] }
        needsEveryEvent = firstSeenList.contains { d in !d.config.key.allSatisfy { $0 == .secret || $0 == .secretName || $0 == .kmsKey } }
        restore(state)
        lastWatermark = watermarks[lastPartition.key]
    }

    /// Whether ``process(_:)`` reports the state changes of its call in
    /// ``DetectionOutcome/stateChanges`` (the default). When false, changes accumulate across calls
    /// until ``takeStateChanges()``: a caller that commits several files in one transaction encodes
    /// and writes each changed entry once per transaction instead of once per file, with the same
    /// end state.
    public var reportsStateChangesPerCall = true

    /// The state changes accumulated since the last call that reported them (the entries whose
    /// values changed, each with its current value, or nil when it was dropped).
    public func takeStateChanges() -> [DetectorStateEntry] { collectChanges() }

    private var firstSeenList: [FirstSeenDetector] = []
    /// Whether some first-seen rule keys on a field that events without secrets or keys have.
    private var needsEveryEvent = false

    private func restore(_ state: [DetectorStateEntry]) {
        var byNamespace: [String: (Int64?, (String, JSONValue) -> Void)] = [:]
        for d in firstSeen.values {
            byNamespace[d.historyNamespace] = (nil, { d.restore(namespace: d.historyNamespace, key: $0, value: $1) })
            byNamespace[d.pairNamespace] = (nil, { d.restore(namespace: d.pairNamespace, key: $0, value: $1) })
        }
        for d in thresholds.values { byNamespace[d.namespace] = (nil, d.restore) }
        for s in suppressors.values { byNamespace[s.namespace] = (nil, s.restore) }
        byNamespace[KMSKeyLinks.namespace] = (nil, links.restore)
        byNamespace[TrailHistory.namespace] = (nil, trails.restore)
        byNamespace[DeletionSchedule.namespace] = (nil, schedule.restore)
        for entry in state {
            guard let text = entry.value, let value = StateValue.parse(text) else { continue }
            if entry.namespace == Self.watermarkNamespace {
                if let t = value["t"]?.int64 { watermarks[entry.key] = t }
                continue
            }
            byNamespace[entry.namespace]?.1(entry.key, value)
        }
    }

    /// One file's events, each with the indexes of the rules whose pattern matched it.
    public func process(_ events: [(event: AuditEvent, record: JSONValue, matched: [Int])]) -> DetectionOutcome {
        // Dedupe by eventID, then order by (eventTime, eventID): input order never matters.
        // Indexes are sorted, not the (large) events themselves.
        // Events are read in place through the buffer: copying one retains each of its strings.
        var order: [Int] = []
        events.withUnsafeBufferPointer { buffer in
            var seen = Set<String>(minimumCapacity: buffer.count)
            order.reserveCapacity(buffer.count)
            var times: [Int64] = []
            times.reserveCapacity(buffer.count)
            for i in buffer.indices {
                times.append(buffer[i].event.eventTime.milliseconds)
                if seen.insert(buffer[i].event.eventID).inserted { order.append(i) }
            }
            order.sort { a, b in
                times[a] != times[b] ? times[a] < times[b] : buffer[a].event.eventID < buffer[b].event.eventID
            }
        }

        var outcome = DetectionOutcome()
        var alertIndex: [String: Int] = [:]
        var folded: [String: Int] = [:]
        var foldedOrder: [String] = []
        events.withUnsafeBufferPointer { buffer in
          for index in order {
            observe(buffer[index].event)
            guard !buffer[index].matched.isEmpty else { continue }
            // Read in place: copying the event would retain each of its strings.
            var matched = buffer[index].matched
            if matched.count > 1 { matched.sort() }
            var previous = -1
            for i in matched where i >= 0 && i < rules.count && i != previous {
                previous = i
                let rule = rules[i]
                let e = buffer[index].event
                guard let finding = evaluate(i, rule, e, record: buffer[index].record) else { continue }
                // A threshold alert may name another (earlier-arrived) event of its window.
                let subject = finding.attributed?.event ?? e
                let id = AlertID.make(rule: rule.name, eventID: subject.eventID)
                if let suppressor = suppressors[i], let slot = suppressor.fold(subject, alertID: id) {
                    if let at = alertIndex[slot.alertID] {
                        outcome.alerts[at].count = slot.count
                    } else {
                        if folded[slot.alertID] == nil { foldedOrder.append(slot.alertID) }
                        folded[slot.alertID, default: 0] += 1
                    }
                    continue
                }
                alertIndex[id] = outcome.alerts.count
                let recordText = finding.attributed?.record ?? buffer[index].record.rawText
                outcome.alerts.append(Self.makeAlert(id: id, rule: rule, finding: finding, event: subject, record: recordText))
            }
          }
        }
        release(all: false, into: &outcome, alertIndex: &alertIndex, folded: &folded, foldedOrder: &foldedOrder)
        outcome.suppressed = foldedOrder.compactMap { id in folded[id].map { (alertID: id, count: $0) } }

        for d in firstSeen.values { d.expire() }
        // The highest watermark bounds what any partition can expire: each store skips its
        // sweep when its oldest entry is younger than that allows.
        if let highest = watermarks.values.max() {
            for d in thresholds.values { d.expire(watermarks: watermarks, highest: highest) }
            for s in suppressors.values { s.expire(watermarks: watermarks, highest: highest) }
            schedule.expire(watermarks: watermarks, highest: highest)
        }
        if reportsStateChangesPerCall { outcome.stateChanges = collectChanges() }
        return outcome
    }

    /// Releases every held threshold alert, whatever the watermark: the input is complete (the
    /// end of a backfill). Commit the outcome (alerts, folded repeats, state changes, or
    /// ``takeStateChanges()`` when changes are not reported per call) in one transaction.
    public func releaseHeld() -> DetectionOutcome {
        var outcome = DetectionOutcome()
        var alertIndex: [String: Int] = [:]
        var folded: [String: Int] = [:]
        var foldedOrder: [String] = []
        release(all: true, into: &outcome, alertIndex: &alertIndex, folded: &folded, foldedOrder: &foldedOrder)
        outcome.suppressed = foldedOrder.compactMap { id in folded[id].map { (alertID: id, count: $0) } }
        if reportsStateChangesPerCall { outcome.stateChanges = collectChanges() }
        return outcome
    }

    /// The held threshold alerts ready for release, in (time, eventID, rule) order, through the
    /// rules' `suppress` folding like any new alert.
    private func release(all: Bool, into outcome: inout DetectionOutcome, alertIndex: inout [String: Int],
                         folded: inout [String: Int], foldedOrder: inout [String]) {
        guard settle.milliseconds > 0 else { return }
        var ready: [(alert: Alert, foldKey: String?, rule: Int)] = []
        for i in thresholds.keys.sorted() {
            for r in thresholds[i]!.release(watermarks: watermarks, all: all) { ready.append((r.alert, r.foldKey, i)) }
        }
        ready.sort { ($0.alert.time, $0.alert.eventID, $0.rule) < ($1.alert.time, $1.alert.eventID, $1.rule) }
        for r in ready {
            let a = r.alert
            if let suppressor = suppressors[r.rule], let key = r.foldKey,
               let slot = suppressor.fold(key: key, t: a.time.milliseconds, partition: a.account + "\u{1F}" + a.region, alertID: a.id) {
                if let at = alertIndex[slot.alertID] {
                    outcome.alerts[at].count = slot.count
                } else {
                    if folded[slot.alertID] == nil { foldedOrder.append(slot.alertID) }
                    folded[slot.alertID, default: 0] += 1
                }
                continue
            }
            alertIndex[a.id] = outcome.alerts.count
            outcome.alerts.append(a)
        }
    }

    private var lastPartition: (account: String, region: String, key: String) = ("", "", "\u{1F}")
    /// `watermarks[lastPartition.key]` (nil when absent); only `observe` changes watermarks.
    private var lastWatermark: Int64?

    private func observe(_ e: AuditEvent) {
        // Files hold one account and region: reuse the key and its watermark instead of building
        // and looking them up per event.
        if e.account != lastPartition.account || e.region != lastPartition.region {
            lastPartition = (e.account, e.region, e.account + "\u{1F}" + e.region)
            lastWatermark = watermarks[lastPartition.key]
        }
        let t = e.eventTime.milliseconds
        if lastWatermark.map({ $0 < t }) ?? true {
            let partition = lastPartition.key
            watermarks[partition] = t
            lastWatermark = t
            dirtyWatermarks.insert(partition)
        }
        guard !e.secrets.isEmpty || !e.details.kmsKeys.isEmpty || needsEveryEvent else { return }
        links.observe(e)
        if e.eventName == "DeleteSecret" || e.eventName == "RestoreSecret" { schedule.observe(e, key: secretKeys.key) }
        for d in firstSeenList { d.observe(e) }
    }

    private func evaluate(_ i: Int, _ rule: RuleDefinition, _ e: AuditEvent, record: JSONValue) -> Finding? {
        switch rule.detector {
        case nil:
            var summary = "\(rule.title): \(Phrase.who(e.principal)) \(Phrase.action(e))\(Phrase.outcome(e))\(Phrase.place(e))"
            var evidence: [EvidenceItem] = []
            if let message = e.errorMessage, !message.isEmpty {
                summary += ": " + Phrase.clip(message, 160)
                evidence.append(EvidenceItem("errorMessage", .string(message)))
            }
            return Finding(severity: nil, summary: summary, evidence: evidence, secret: e.secrets.first)
        case .firstSeen?: return firstSeen[i]?.evaluate(e)
        case .threshold?: return thresholds[i]?.evaluate(e, record: record)
        case let .secretDeletion(c)?: return SecretDeletionAnalysis.analyse(e, config: c)
        case let .resourcePolicy(c)?: return ResourcePolicyAnalysis.analyse(e, config: c)
        case let .kmsKey(c)?: return KMSKeyAnalysis.analyse(e, config: c, links: links)
        case .batchCatchAll?: return BatchCatchAllAnalysis.analyse(e)
        case let .trailChange(c)?: return TrailChangeAnalysis.analyse(e, record: record, config: c, history: trails)
        case .pendingDeletionRead?: return PendingDeletionReadAnalysis.analyse(e, schedule: schedule, key: secretKeys.key)
        }
    }

    static func makeAlert(id: String, rule: RuleDefinition, finding: Finding, event e: AuditEvent, record: String) -> Alert {
        Alert(
            id: id, rule: rule.name, severity: finding.severity ?? rule.severity, title: rule.title,
            summary: finding.summary, time: e.eventTime, account: e.account, region: e.region,
            principal: e.principal, secret: finding.secret ?? e.secrets.first, eventID: e.eventID,
            eventName: e.eventName, sourceIPAddress: e.sourceIPAddress, userAgent: e.userAgent,
            evidence: finding.evidence, count: 1, recordJSON: record)
    }

    private func collectChanges() -> [DetectorStateEntry] {
        var out: [DetectorStateEntry] = []
        for p in dirtyWatermarks.sorted() {
            if let t = watermarks[p] { out.append(DetectorStateEntry(namespace: Self.watermarkNamespace, key: p, value: "{\"t\":\(t)}")) }
        }
        dirtyWatermarks.removeAll()
        out.append(contentsOf: links.changes())
        out.append(contentsOf: trails.changes())
        out.append(contentsOf: schedule.changes())
        for i in rules.indices {
            if let d = firstSeen[i] { out.append(contentsOf: d.changes()) }
            if let d = thresholds[i] { out.append(contentsOf: d.changes()) }
            if let s = suppressors[i] { out.append(contentsOf: s.changes()) }
        }
        return out
    }
}
