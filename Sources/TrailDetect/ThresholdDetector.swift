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

    struct Group {
        var entries: [Entry] = []
        /// The (eventID, value) pairs of `entries`: a pair is counted once.
        var ids: Set<EntryID> = []
        var lastFired: Int64?
        var partition: String = ""
        var newest: Int64 { entries.last?.t ?? Int64.min }
    }

    let rule: String
    let config: ThresholdConfig
    let lateness: EventTime.Duration
    private(set) var groups: [String: Group] = [:]
    private var dirty: Set<String> = []
    var namespace: String { "threshold:\(rule)" }

    private let cache = SecretKeyCache()

    init(rule: String, config: ThresholdConfig, lateness: EventTime.Duration) {
        self.rule = rule
        self.config = config
        self.lateness = lateness
    }

    func evaluate(_ e: AuditEvent, record: JSONValue) -> Finding? {
        let t = e.eventTime.milliseconds
        let values: [(value: String, label: String)]
        if let d = config.distinct {
            if d == .secret {
                var list: [(value: String, label: String)] = []
                for secret in e.secrets {
                    let k = cache.key(secret)
                    if !list.contains(where: { $0.value == k }) { list.append((k, secret.name)) }
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
                added = true
            }
            guard added else {
                if existed { groups[g] = group }
                continue
            }
            group.partition = partitionOf(e)
            trim(&group)
            dirty.insert(g)
            if let (window, at) = firingWindow(group.entries, around: t),
               group.lastFired.map({ abs(window.end - $0) >= config.window.milliseconds }) ?? true {
                group.lastFired = window.end
                if finding == nil {
                    let firing = group.entries[at]
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
            if config.distinct != nil {
                for (v, _) in values { compact(&group, value: v) }
            }
            groups[g] = group
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
        for i in remove { group.ids.remove(EntryID(eventID: group.entries[i].eventID, value: group.entries[i].value)) }
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
        let cutoff = group.newest - config.window.milliseconds - lateness.milliseconds
        let drop = lowerBound(group.entries, cutoff)
        guard drop > 0 else { return }
        for entry in group.entries[..<drop] { group.ids.remove(EntryID(eventID: entry.eventID, value: entry.value)) }
        group.entries.removeFirst(drop)
    }

    struct Window {
        var start: Int64
        var end: Int64
        /// Distinct values in first-seen order, with their labels.
        var values: [(value: String, label: String)]
    }

    /// The earliest window that contains `t` and reaches `count`, taking events in (eventTime,
    /// eventID) order: the window (end - window, end] of the first event whose entries (all of
    /// them, for an event with several values) bring it to `count`, with that event's last entry
    /// index. Nil when no window containing `t` reaches `count`.
    private func firingWindow(_ entries: [Entry], around t: Int64) -> (Window, Int)? {
        let w = config.window.milliseconds
        let lo = lowerBound(entries, t - w + 1)
        let hi = lowerBound(entries, t + w)
        // Fewer entries than `count` near t: no window containing t can reach the threshold.
        guard lo < hi, hi - lo >= config.count else { return nil }
        var counts: [String: Int] = [:]
        var left = lo
        var right = lo
        while right < hi {
            let end = entries[right].t
            let id = entries[right].eventID
            var next = right
            while next < hi, entries[next].t == end, entries[next].eventID == id {
                counts[entries[next].value, default: 0] += 1
                next += 1
            }
            while entries[left].t <= end - w {
                let v = entries[left].value
                counts[v]! -= 1
                if counts[v] == 0 { counts[v] = nil }
                left += 1
            }
            // Windows ending before t do not contain it.
            if end >= t, counts.count >= config.count {
                var seen = Set<String>()
                var values: [(String, String)] = []
                for entry in entries[left..<next] where seen.insert(entry.value).inserted {
                    values.append((entry.value, entry.label))
                }
                return (Window(start: entries[left].t, end: end, values: values), next - 1)
            }
            right = next
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

    /// Drops groups whose newest entry is older than the partition's watermark by window + lateness.
    func expire(watermarks: [String: Int64]) {
        let span = config.window.milliseconds + lateness.milliseconds
        for (g, group) in groups {
            if let w = watermarks[group.partition], group.newest < w - span {
                groups[g] = nil
                dirty.insert(g)
            }
        }
    }

    func restore(key: String, value: JSONValue) {
        var group = Group()
        group.partition = value["p"]?.string ?? ""
        group.lastFired = value["f"]?.int64
        for item in Array(value["e"]?.elements.map { $0 } ?? []) {
            let parts = Array(item.elements)
            guard parts.count == 4, let t = parts[0].int64, let v = parts[1].string, let id = parts[2].string, let label = parts[3].string else { continue }
            group.entries.append(Entry(t: t, value: v, eventID: id, label: label))
            group.ids.insert(EntryID(eventID: id, value: v))
        }
        group.entries.sort { ($0.t, $0.eventID, $0.value) < ($1.t, $1.eventID, $1.value) }
        groups[key] = group
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
            w.endObject()
            return DetectorStateEntry(namespace: namespace, key: g, value: w.text)
        }
    }
}
