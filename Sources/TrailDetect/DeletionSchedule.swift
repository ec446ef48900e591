import TrailJSON
import TrailModel

/// Which secrets are scheduled for deletion, and when, learned from every `DeleteSecret` the
/// engine sees (a successful one schedules: event time plus `recoveryWindowInDays`, 30 when
/// absent; at once when forced) and `RestoreSecret` (cancels).
///
/// Keyed by the secret's key (its ARN without the random suffix). An entry is dropped once its
/// partition's watermark is more than `keep` past the deletion date; at most `limit` secrets are
/// tracked (records are untrusted input; a flood of deletions cannot grow it without bound). State:
/// `secret-deletion-schedule`, one entry per secret.
final class DeletionSchedule {
    static let namespace = "secret-deletion-schedule"
    let keep: EventTime.Duration = .days(30)
    let limit = 100_000

    struct Entry: Equatable {
        /// The deletion date, in milliseconds.
        var date: Int64
        /// When the `DeleteSecret` was made, in milliseconds.
        var requested: Int64
        /// Who made it (display form).
        var by: String
        /// The (account, region) partition whose watermark bounds the entry.
        var partition: String
    }

    private(set) var entries: [String: Entry] = [:]
    private var dirty: Set<String> = []

    func observe(_ e: AuditEvent, key: (SecretRef) -> String) {
        guard e.succeeded, e.eventSource == "secretsmanager.amazonaws.com" else { return }
        switch e.eventName {
        case "DeleteSecret":
            let t = e.eventTime.milliseconds
            let date = e.details.forceDeleteWithoutRecovery
                ? e.eventTime
                : e.eventTime.adding(.days(Int64(RecoveryWindow.effectiveDays(e.details.recoveryWindowInDays))))
            for s in e.secrets {
                let k = key(s)
                // A later DeleteSecret (in event time) wins; a late-arriving older one does not.
                if let old = entries[k], old.requested > t { continue }
                if entries[k] == nil && entries.count >= limit { continue }
                entries[k] = Entry(date: date.milliseconds, requested: t, by: e.principal.displayName, partition: e.account + "\u{1F}" + e.region)
                oldestDate = min(oldestDate, date.milliseconds)
                dirty.insert(k)
            }
        case "RestoreSecret":
            for s in e.secrets {
                let k = key(s)
                if let old = entries[k], old.requested <= e.eventTime.milliseconds {
                    entries[k] = nil
                    dirty.insert(k)
                }
            }
        default:
            break
        }
    }

    func entry(_ key: String) -> Entry? { entries[key] }

    /// Drops entries whose deletion date is more than `keep` behind their partition's watermark.
    /// `highest`: the highest watermark of any partition; when even the oldest entry is younger
    /// than that allows, nothing can go and the sweep (over up to ``limit`` entries, after every
    /// file) is skipped.
    func expire(watermarks: [String: Int64], highest: Int64) {
        guard oldestDate < highest - keep.milliseconds else { return }
        var oldest = Int64.max
        for (k, entry) in entries {
            if let w = watermarks[entry.partition], entry.date < w - keep.milliseconds {
                entries[k] = nil
                dirty.insert(k)
            } else {
                oldest = min(oldest, entry.date)
            }
        }
        oldestDate = oldest
    }

    /// A lower bound on the entries' deletion dates (exact after each sweep).
    private var oldestDate = Int64.max

    func restore(key: String, value: JSONValue) {
        guard let date = value["d"]?.int64, let requested = value["t"]?.int64 else { return }
        entries[key] = Entry(date: date, requested: requested, by: value["by"]?.string ?? "", partition: value["p"]?.string ?? "")
        oldestDate = min(oldestDate, date)
    }

    func changes() -> [DetectorStateEntry] {
        defer { dirty.removeAll() }
        return dirty.sorted().map { key in
            guard let entry = entries[key] else { return DetectorStateEntry(namespace: Self.namespace, key: key, value: nil) }
            var w = JSONWriter()
            w.beginObject()
            w.key("d"); w.integer(entry.date)
            w.key("t"); w.integer(entry.requested)
            w.key("by"); w.string(entry.by)
            w.key("p"); w.string(entry.partition)
            w.endObject()
            return DetectorStateEntry(namespace: Self.namespace, key: key, value: w.text)
        }
    }
}

/// `GetSecretValue` refused because the secret "was marked for deletion": something still uses a
/// secret that is about to disappear (AWS's own recommended alarm). Names the caller, the secret
/// and the deletion date and who scheduled it, from ``DeletionSchedule``; says so when the
/// history holds no `DeleteSecret` for it.
enum PendingDeletionReadAnalysis {
    static func analyse(_ e: AuditEvent, schedule: DeletionSchedule, key: (SecretRef) -> String) -> Finding? {
        let who = Phrase.who(e.principal)
        let target = e.secrets.isEmpty ? "a secret" : Phrase.secrets(e.secrets)
        let known = e.secrets.compactMap { schedule.entry(key($0)) }.first
        var evidence: [EvidenceItem] = []
        if let message = e.errorMessage { evidence.append(EvidenceItem("errorMessage", .string(message))) }
        var summary = "\(who) still reads \(target), which is scheduled for deletion"
        if let known {
            let date = EventTime(milliseconds: known.date)
            summary += " on \(date.dateString) (DeleteSecret by \(known.by) at \(EventTime(milliseconds: known.requested).iso8601))"
            evidence.append(EvidenceItem("deletionDate", .string(date.iso8601)))
            evidence.append(EvidenceItem("deletionRequestedAt", .string(EventTime(milliseconds: known.requested).iso8601)))
            evidence.append(EvidenceItem("deletionRequestedBy", .string(known.by)))
        } else {
            summary += " (no DeleteSecret for it in the history, so the date is unknown)"
        }
        summary += Phrase.place(e)
        return Finding(severity: nil, summary: summary, evidence: evidence, secret: e.secrets.first)
    }
}
