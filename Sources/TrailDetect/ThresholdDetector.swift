import TrailJSON
import TrailModel

/// Threshold: one group (e.g. a principal) reaching `count` events, or `count` distinct values
/// of `distinct` (e.g. secrets), within `window` of event time.
///
/// Events are counted wherever they fall in the input: each group keeps its entries from its
/// newest event back to `window` + lateness, sorted by (event time, eventID), so a late event
/// lands in the right windows. When an event makes some window containing it reach `count`, the
/// alert is attributed by event time, not arrival: to the event that completes the earliest such
/// window (taking events in (eventTime, eventID) order, as an in-order run would), with that
/// window as evidence, unless the group already fired within `window` of that event (one alert
/// per burst; `suppress` folds longer ones). So the alert's event, time, id and evidence do not
/// depend on the order in which files arrive, as long as the events that complete the earliest
/// window have arrived when the burst first reaches `count` (always so when files arrive in
/// event-time order or a burst has exactly `count` events). The attributed event's fields and
/// record are kept in memory with its entry (not in the stored state: after a restart, an entry
/// restored from the store is attributed to the event at hand). A (eventID, value) pair is
/// counted once, so a duplicate record never counts twice.
///
/// Settling (`settle` set, the CLI's default): nothing fires at once. A burst's alert is held in
/// the group (and in its state entry, whole, record included) and recomputed whenever an entry
/// lands at or before its window's end: from that entry on, the bursts are found again as an
/// in-order run fires them. ``release(watermarks:all:)`` hands over the held alerts whose window
/// ended more than `settle` before the group's watermark, so attribution no longer depends on
/// arrival order within the lateness. Settling groups are not compacted (see `evaluate`).
final class ThresholdDetector {
    /// The event behind an entry, for attributing an alert to it when it is not the event at hand.
    final class Snapshot {
        let event: AuditEvent
        let record: String
        init(event: AuditEvent, record: String) {
            self.event = event
            self.record = record
        }
    }

    struct Entry {
        var t: Int64
        var value: String
        var eventID: String
        var label: String
        var snapshot: Snapshot?
    }

    /// An entry's identity, kept as its two strings (no joined key to build per event).
    struct EntryID: Hashable {
        var eventID: String
        var value: String
    }

    /// A settling alert: the window it names and the alert as formatted so far.
    struct Held {
        var start: Int64
        var end: Int64
        var eventID: String
        var alert: Alert
        /// The rule's `suppress` key of the named event (nil when the rule has none).
        var foldKey: String?
    }

    struct Group {
        var entries: [Entry] = []
        /// The (eventID, value) pairs of `entries`: a pair is counted once.
        var ids: Set<EntryID> = []
        /// The end of the last window that fired (settling: the last one released).
        var lastFired: Int64?
        /// Settling: the alerts of this group's bursts not yet released, by window end.
        var held: [Held] = []
        var partition: String = ""
        /// With a distinct count: how many of `entries` hold each value. Their number bounds the
        /// distinct values of any window, so a group that holds fewer than the threshold (a
        /// principal re-reading one secret all day) is not scanned window by window.
        var valueCounts: [String: Int] = [:]
        var newest: Int64 { entries.last?.t ?? Int64.min }

        mutating func counted(_ value: String) {
            valueCounts[value, default: 0] += 1
        }

        mutating func uncounted(_ value: String) {
            let left = (valueCounts[value] ?? 1) - 1
            valueCounts[value] = left > 0 ? left : nil
        }
    }

    let rule: String
    let config: ThresholdConfig
    let lateness: EventTime.Duration
    /// Nil: fire at once (attribution may depend on arrival order). Otherwise how long, in event
    /// time past a window's end, its alert is held while late records may still change it.
    let settle: EventTime.Duration?
    /// The rule, to format held alerts; and its `suppress` key of an event, when it has one.
    let definition: RuleDefinition?
    let foldKey: ((AuditEvent) -> String)?
    private(set) var groups: [String: Group] = [:]
    /// No group's newest entry is older than this (exact after each sweep of
    /// ``expire(watermarks:highest:)``, lowered whenever a group is stored): while every watermark is
    /// within window + lateness of it, no group can expire and the sweep over all groups, once
    /// per file, is skipped.
    private var oldestNewest = Int64.max
    private var dirty: Set<String> = []
    /// Groups with held alerts.
    private var holding: Set<String> = []
    var namespace: String { "threshold:\(rule)" }

    private let cache = SecretKeyCache()

    init(rule: String, config: ThresholdConfig, lateness: EventTime.Duration, settle: EventTime.Duration? = nil,
         definition: RuleDefinition? = nil, foldKey: ((AuditEvent) -> String)? = nil) {
        self.rule = rule
        self.config = config
        self.lateness = lateness
        self.settle = settle
        self.definition = definition
        self.foldKey = foldKey
    }

    func evaluate(_ e: AuditEvent, record: JSONValue) -> Finding? {
        let t = e.eventTime.milliseconds
        let values: [(value: String, label: String)]
        if let d = config.distinct {
            if d == .secret {
                var list: [(value: String, label: String)] = []
                var seen = Set<String>()
                for secret in e.secrets {
                    let k = cache.key(secret)
                    if seen.insert(k).inserted { list.append((k, secret.name)) }
                }
                values = list
            } else {
                values = d.values(in: e).map { ($0, d.display($0, in: e)) }
            }
        } else {
            values = [(e.eventID, e.eventID)]
        }
        guard !values.isEmpty else { return nil }
        var finding: Finding?
        var snapshot: Snapshot?
        let groupKeys = config.group == [.principal]
            ? [e.principal.id]
            : StateValue.combinations(config.group.map { cache.values($0, in: e) }).map(StateValue.join)
        for g in groupKeys {
            // Taken out of the dictionary while it changes, so its arrays are not copied.
            var taken = groups.removeValue(forKey: g)
            let existed = taken != nil
            var group = taken.take() ?? Group()
            var added = false
            for (v, label) in values {
                guard group.ids.insert(EntryID(eventID: e.eventID, value: v)).inserted else { continue }
                if snapshot == nil { snapshot = Snapshot(event: e, record: record.rawText) }
                let entry = Entry(t: t, value: v, eventID: e.eventID, label: label, snapshot: snapshot)
                let at = insertionIndex(group.entries, entry)
                group.entries.insert(entry, at: at)
                if config.distinct != nil { group.counted(v) }
                added = true
            }
            guard added else {
                if existed { store(group, at: g) }
                continue
            }
            group.partition = partitionOf(e)
            trim(&group)
            dirty.insert(g)
            // No window reaches `count` distinct values while the whole group holds fewer.
            let mayFire = config.distinct == nil || group.valueCounts.count >= config.count
            if settle != nil {
                // Settling: recompute the held alerts the new entry may change; nothing fires now.
                if !group.held.isEmpty || mayFire && firingStep(group.entries, around: t) != nil {
                    resettle(&group, from: t, groupKey: g, at: e, record: record)
                    if group.held.isEmpty { holding.remove(g) } else { holding.insert(g) }
                }
            } else if mayFire, let step = firingStep(group.entries, around: t),
               group.lastFired.map({ abs(step.end - $0) >= config.window.milliseconds }) ?? true {
                group.lastFired = step.end
                if finding == nil {
                    let window = step.window(of: group.entries)
                    let firing = group.entries[step.next - 1]
                    if firing.eventID == e.eventID {
                        finding = describe(e, groupKey: g, window: window)
                    } else if let snap = firing.snapshot {
                        finding = describe(snap.event, groupKey: g, window: window)
                        finding?.attributed = (snap.event, snap.record)
                    } else {
                        // Restored from the store without its event: the event at hand stands in.
                        finding = describe(e, groupKey: g, window: window)
                    }
                }
            }
            // Compaction keeps distinct counts exact but which occurrences survive depends on
            // arrival order, and so would a held alert's evidence (first-seen order, window
            // start): settling keeps every entry within window + lateness instead.
            if config.distinct != nil && settle == nil {
                for (v, _) in values { compact(&group, value: v) }
            }
            store(group, at: g)
        }
        return finding
    }

    private func partitionOf(_ e: AuditEvent) -> String { e.account + "\u{1F}" + e.region }

    private func insertionIndex(_ entries: [Entry], _ x: Entry) -> Int {
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let m = entries[mid]
            if (m.t, m.eventID, m.value) < (x.t, x.eventID, x.value) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    private func lowerBound(_ entries: [Entry], _ t: Int64) -> Int {
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].t < t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Drops occurrences of `value` that no window needs: an occurrence whose neighbours (of the
    /// same value) are less than a window apart is inside every window that contains it or one
    /// of them, so distinct counts stay exact while a principal re-reading one secret many times
    /// keeps only a few entries per window.
    private func compact(_ group: inout Group, value: String) {
        let w = config.window.milliseconds
        let positions = group.entries.indices.filter { group.entries[$0].value == value }
        guard positions.count >= 3 else { return }
        var remove: [Int] = []
        var prevKept = positions[0]
        for k in 1..<(positions.count - 1) {
            let next = positions[k + 1]
            if group.entries[next].t - group.entries[prevKept].t < w {
                remove.append(positions[k])
            } else {
                prevKept = positions[k]
            }
        }
        guard !remove.isEmpty else { return }
        for i in remove {
            group.ids.remove(EntryID(eventID: group.entries[i].eventID, value: group.entries[i].value))
            if config.distinct != nil { group.uncounted(group.entries[i].value) }
        }
        // In place (`remove` is ascending), so the array keeps its capacity for the next insert.
        var next = 0
        var kept = 0
        for i in group.entries.indices {
            if next < remove.count && remove[next] == i {
                next += 1
                continue
            }
            if kept != i { group.entries[kept] = group.entries[i] }
            kept += 1
        }
        group.entries.removeLast(group.entries.count - kept)
    }

    private func trim(_ group: inout Group) {
        var cutoff = group.newest - config.window.milliseconds - lateness.milliseconds
        // A held alert's window stays whole until it is released.
        if let first = group.held.first { cutoff = min(cutoff, first.start) }
        let drop = lowerBound(group.entries, cutoff)
        guard drop > 0 else { return }
        for i in 0..<drop {
            group.ids.remove(EntryID(eventID: group.entries[i].eventID, value: group.entries[i].value))
            if config.distinct != nil { group.uncounted(group.entries[i].value) }
        }
        group.entries.removeFirst(drop)
    }

    struct Window {
        var start: Int64
        var end: Int64
        /// Distinct values in first-seen order, with their labels.
        var values: [(value: String, label: String)]
    }

    /// Scans windows of this rule's width over `entries` from `start` on; the windows ending
    /// before `t` are passed over.
    private func scan(_ entries: [Entry], from start: Int, upTo upper: Int, endingFrom t: Int64) -> WindowScan {
        var scan = WindowScan(entries, width: config.window.milliseconds, from: start, upTo: upper, threshold: config.count,
                              valuesAreEntries: config.distinct == nil)
        scan.skip(to: max(start, lowerBound(entries, t)))
        return scan
    }

    /// The earliest window that contains `t` and reaches `count`, taking events in (eventTime,
    /// eventID) order: the window (end - window, end] of the first event whose entries (all of
    /// them, for an event with several values) bring it to `count` (`next - 1` is that event's
    /// last entry). Nil when no window containing `t` reaches `count`.
    private func firingStep(_ entries: [Entry], around t: Int64) -> WindowStep? {
        let w = config.window.milliseconds
        let lo = lowerBound(entries, t - w + 1)
        let hi = lowerBound(entries, t + w)
        // Fewer entries than `count` near t: no window containing t can reach the threshold.
        guard lo < hi, hi - lo >= config.count else { return nil }
        // Windows ending before t do not contain it.
        var windows = scan(entries, from: lo, upTo: hi, endingFrom: t)
        while let step = windows.next() {
            if step.distinct >= config.count { return step }
        }
        return nil
    }

    private func describe(_ e: AuditEvent, groupKey: String, window: Window) -> Finding {
        let n = window.values.count
        let span = ISODuration.words(config.window)
        let groupParts = groupKey.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
        let groupText = zip(config.group, groupParts).map { field, part in
            field == .principal ? Phrase.who(e.principal) : "\(field.rawValue) \(field.display(part, in: e))"
        }.joined(separator: ", ")
        let subject = groupText.isEmpty ? "all callers" : groupText
        let summary: String
        var evidence: [EvidenceItem] = [
            EvidenceItem("count", .integer(Int64(n))),
            EvidenceItem("threshold", .integer(Int64(config.count))),
            EvidenceItem("window", .string(ISODuration.format(config.window))),
            EvidenceItem("firstEventTime", .string(EventTime(milliseconds: window.start).iso8601)),
            EvidenceItem("lastEventTime", .string(EventTime(milliseconds: window.end).iso8601)),
        ]
        if let d = config.distinct {
            let noun = d == .secret || d == .secretName ? "secrets" : "\(d.rawValue) values"
            let verb = e.eventName.hasSuffix("SecretValue") ? "read" : "touched"
            let denied = e.errorCode.map { " (\($0))" } ?? ""
            summary = "\(subject) \(verb) \(n) distinct \(noun) within \(span)\(denied): \(Phrase.names(window.values.map(\.label), limit: 5))"
            evidence.append(EvidenceItem(d == .secret ? "secrets" : d.rawValue + "Values", .strings(window.values.map(\.value))))
        } else {
            let what = e.errorCode.map { "\($0) \(e.eventName)" } ?? e.eventName
            summary = "\(subject) made \(n) \(what) calls within \(span)"
            evidence.append(EvidenceItem("eventIDs", .strings(window.values.map(\.value))))
        }
        return Finding(severity: nil, summary: summary, evidence: evidence, secret: e.secrets.first)
    }

    /// Settling: recomputes the group's held alerts after an entry at `t` was added. Windows ending
    /// before `t` do not contain it, so the held alerts that end before `t` stand; from `t` on, the
    /// bursts are found again as an in-order run would fire them (after the last released alert,
    /// one per window), each attributed to the event that completes its window.
    private func resettle(_ group: inout Group, from t: Int64, groupKey g: String, at e: AuditEvent, record: JSONValue) {
        let kept = group.held.prefix { $0.end < t }
        let old = group.held
        var next = Array(kept)
        for (window, at) in fires(group.entries, from: t, after: kept.last?.end ?? group.lastFired, released: group.lastFired) {
            let firing = group.entries[at]
            let subject: AuditEvent
            let text: String
            if let snap = firing.snapshot {
                (subject, text) = (snap.event, snap.record)
            } else if let same = old.first(where: { $0.eventID == firing.eventID }) {
                // Named before a restart (its event is not in memory): the held alert stands as it was.
                next.append(Held(start: window.start, end: window.end, eventID: firing.eventID, alert: same.alert, foldKey: same.foldKey))
                continue
            } else {
                // Restored from the store without its event: the event at hand stands in.
                (subject, text) = (e, record.rawText)
            }
            let finding = describe(subject, groupKey: g, window: window)
            let alert = DetectionEngine.makeAlert(
                id: AlertID.make(rule: rule, eventID: subject.eventID), rule: definition!, finding: finding, event: subject, record: text)
            next.append(Held(start: window.start, end: window.end, eventID: subject.eventID, alert: alert, foldKey: foldKey?(subject)))
        }
        group.held = next
    }

    /// The windows an in-order run fires from `t` on: in (eventTime, eventID) order, each event
    /// whose window (end - window, end] reaches `count` fires when it is at least a window after
    /// the previous fire (`after`) and after the last released one. With each, the index of the
    /// firing event's last entry.
    private func fires(_ entries: [Entry], from t: Int64, after: Int64?, released: Int64?) -> [(Window, Int)] {
        let w = config.window.milliseconds
        var last = after
        var out: [(Window, Int)] = []
        var windows = scan(entries, from: lowerBound(entries, t - w + 1), upTo: entries.count, endingFrom: t)
        while let step = windows.next() {
            if step.distinct >= config.count, released.map({ step.end > $0 }) ?? true,
               last.map({ step.end - $0 >= w }) ?? true {
                out.append((step.window(of: entries), step.next - 1))
                last = step.end
            }
        }
        return out
    }

    /// Releases the held alerts no late record can change any more: those whose window ended more
    /// than the settle time before the group's watermark (the newer of its newest entry and its
    /// partition's watermark), or all of them when `all` (the input is complete). In window order,
    /// with the `suppress` key of each.
    func release(watermarks: [String: Int64], all: Bool = false) -> [(alert: Alert, foldKey: String?)] {
        guard let settle, !holding.isEmpty else { return [] }
        var out: [(alert: Alert, foldKey: String?)] = []
        for g in holding.sorted() {
            guard var group = groups[g] else { holding.remove(g); continue }
            let watermark = max(group.newest, watermarks[group.partition] ?? Int64.min)
            let ready = group.held.prefix { all || $0.end + settle.milliseconds < watermark }
            guard !ready.isEmpty else { continue }
            for h in ready { out.append((h.alert, h.foldKey)) }
            group.lastFired = ready.last!.end
            group.held.removeFirst(ready.count)
            if group.held.isEmpty { holding.remove(g) }
            store(group, at: g)
            dirty.insert(g)
        }
        return out
    }

    /// Drops groups whose newest entry is older than the partition's watermark by window + lateness
    /// (a group holding alerts stays until they are released).
    func expire(watermarks: [String: Int64], highest: Int64) {
        let span = config.window.milliseconds + lateness.milliseconds
        guard oldestNewest < highest - span else { return }
        var oldest = Int64.max
        for (g, group) in groups {
            if group.held.isEmpty, let w = watermarks[group.partition], group.newest < w - span {
                groups[g] = nil
                dirty.insert(g)
            } else {
                oldest = min(oldest, group.newest)
            }
        }
        oldestNewest = oldest
    }

    /// Stores a changed group, keeping ``oldestNewest`` a lower bound.
    private func store(_ group: Group, at key: String) {
        oldestNewest = min(oldestNewest, group.newest)
        groups[key] = group
    }

    func restore(key: String, value: JSONValue) {
        var group = Group()
        group.partition = value["p"]?.string ?? ""
        group.lastFired = value["f"]?.int64
        for item in Array(value["e"]?.elements.map { $0 } ?? []) {
            let parts = Array(item.elements)
            guard parts.count == 4, let t = parts[0].int64, let v = parts[1].string, let id = parts[2].string, let label = parts[3].string else { continue }
            guard group.ids.insert(EntryID(eventID: id, value: v)).inserted else { continue }
            group.entries.append(Entry(t: t, value: v, eventID: id, label: label))
            if config.distinct != nil { group.counted(v) }
        }
        group.entries.sort { ($0.t, $0.eventID, $0.value) < ($1.t, $1.eventID, $1.value) }
        for item in value["h"]?.elements.map({ $0 }) ?? [] {
            guard let start = item["s"]?.int64, let end = item["e"]?.int64, let a = item["a"],
                  let (alert, fold) = HeldAlertCoding.read(a) else { continue }
            group.held.append(Held(start: start, end: end, eventID: alert.eventID, alert: alert, foldKey: fold))
        }
        group.held.sort { $0.end < $1.end }
        if !group.held.isEmpty { holding.insert(key) }
        store(group, at: key)
    }

    func changes() -> [DetectorStateEntry] {
        defer { dirty.removeAll() }
        return dirty.sorted().map { g in
            guard let group = groups[g] else { return DetectorStateEntry(namespace: namespace, key: g, value: nil) }
            var w = JSONWriter()
            w.beginObject()
            w.key("p"); w.string(group.partition)
            if let f = group.lastFired { w.key("f"); w.integer(f) }
            w.key("e"); w.beginArray()
            for entry in group.entries {
                w.beginArray(); w.integer(entry.t); w.string(entry.value); w.string(entry.eventID); w.string(entry.label); w.endArray()
            }
            w.endArray()
            if !group.held.isEmpty {
                w.key("h"); w.beginArray()
                for h in group.held {
                    w.beginObject()
                    w.key("s"); w.integer(h.start)
                    w.key("e"); w.integer(h.end)
                    w.key("a"); HeldAlertCoding.write(h.alert, foldKey: h.foldKey, to: &w)
                    w.endObject()
                }
                w.endArray()
            }
            w.endObject()
            return DetectorStateEntry(namespace: namespace, key: g, value: w.text)
        }
    }
}
