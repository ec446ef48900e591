import TrailJSON
import TrailModel

/// Folds a rule's repeated alerts into the first one: same `by` values, within `for` of the
/// first alert's event time. State: `suppress:<rule>`, one entry per `by` combination holding
/// the first alert's id, time and the running count.
final class Suppressor {
    struct Slot {
        var alertID: String
        var t: Int64
        var count: Int
        var partition: String
    }

    let rule: String
    let config: SuppressConfig
    let lateness: EventTime.Duration
    private(set) var slots: [String: Slot] = [:]
    private var dirty: Set<String> = []
    var namespace: String { "suppress:\(rule)" }

    init(rule: String, config: SuppressConfig, lateness: EventTime.Duration) {
        self.rule = rule
        self.config = config
        self.lateness = lateness
    }

    /// The `by` values of `e`, joined: alerts with the same key fold together.
    func key(_ e: AuditEvent) -> String {
        StateValue.join(config.by.map { $0.values(in: e).sorted().joined(separator: ",") })
    }

    /// The slot the alert folds into (its count already raised), or nil when the alert stands
    /// on its own (it then opens a new slot).
    func fold(_ e: AuditEvent, alertID: String) -> Slot? {
        fold(key: key(e), t: e.eventTime.milliseconds, partition: e.account + "\u{1F}" + e.region, alertID: alertID)
    }

    /// `fold(_:alertID:)` for an alert whose event is no longer at hand (a released held alert).
    func fold(key k: String, t: Int64, partition: String, alertID: String) -> Slot? {
        dirty.insert(k)
        if var slot = slots[k], abs(t - slot.t) < config.duration.milliseconds {
            slot.count += 1
            slots[k] = slot
            return slot
        }
        slots[k] = Slot(alertID: alertID, t: t, count: 1, partition: partition)
        oldestT = min(oldestT, t)
        return nil
    }

    /// A lower bound on the slots' times (exact after each sweep), so that a sweep that can drop
    /// nothing is skipped: with many slots, a sweep after every file was the cost of the file.
    private var oldestT = Int64.max

    /// Drops slots older than their partition's watermark by the duration plus lateness.
    /// `highest`: the highest watermark of any partition.
    func expire(watermarks: [String: Int64], highest: Int64) {
        let span = config.duration.milliseconds + lateness.milliseconds
        guard oldestT < highest - span else { return }
        var oldest = Int64.max
        for (k, slot) in slots {
            if let w = watermarks[slot.partition], slot.t < w - span {
                slots[k] = nil
                dirty.insert(k)
            } else {
                oldest = min(oldest, slot.t)
            }
        }
        oldestT = oldest
    }

    func restore(key: String, value: JSONValue) {
        guard let id = value["id"]?.string, let t = value["t"]?.int64, let n = value["n"]?.int64 else { return }
        slots[key] = Slot(alertID: id, t: t, count: Int(n), partition: value["p"]?.string ?? "")
        oldestT = min(oldestT, t)
    }

    func changes() -> [DetectorStateEntry] {
        defer { dirty.removeAll() }
        return dirty.sorted().map { k in
            guard let s = slots[k] else { return DetectorStateEntry(namespace: namespace, key: k, value: nil) }
            var w = JSONWriter()
            w.beginObject()
            w.key("id"); w.string(s.alertID)
            w.key("t"); w.integer(s.t)
            w.key("n"); w.integer(s.count)
            w.key("p"); w.string(s.partition)
            w.endObject()
            return DetectorStateEntry(namespace: namespace, key: k, value: w.text)
        }
    }
}
