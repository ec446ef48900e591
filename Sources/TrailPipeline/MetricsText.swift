import TrailStore

/// Prometheus text exposition (format 0.0.4) of what `tail` does: the store's totals, the
/// outbox, delivery attempts and errors, ingestion lag, and group commit durations.
public enum MetricsText {
    public struct Input: Sendable {
        public var store: StoreMetrics
        public var attempts: [String: Int]
        public var errors: [String: Int]
        public var commits: CommitTimer.Snapshot
        /// Wall clock, ms since the epoch (for the lag).
        public var now: Int64

        public init(store: StoreMetrics, attempts: [String: Int], errors: [String: Int], commits: CommitTimer.Snapshot, now: Int64) {
            self.store = store
            self.attempts = attempts
            self.errors = errors
            self.commits = commits
            self.now = now
        }
    }

    public static func render(_ input: Input) -> String {
        var out = ""
        func family(_ name: String, _ type: String, _ help: String, _ samples: [(labels: [(String, String)], value: String)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples {
                let labels = sample.labels.isEmpty ? "" : "{" + sample.labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
                out += "\(name)\(labels) \(sample.value)\n"
            }
        }
        let s = input.store
        family("trailwatch_files", "gauge", "Files in the ledger by status.",
               ["done", "failed", "skipped"].map { ([("status", $0)], "\(s.files[$0] ?? 0)") })
        family("trailwatch_records", "gauge", "Records read from the files in the ledger.", [([], "\(s.records)")])
        family("trailwatch_events_stored", "gauge", "Secret-related events ingested into the access history (a running total: prune does not lower it).", [([], "\(s.events)")])
        family("trailwatch_alerts", "gauge", "Stored alerts by rule and severity.",
               s.alerts.sorted { ($0.key.rule, $0.key.severity) < ($1.key.rule, $1.key.severity) }
                   .map { ([("rule", $0.key.rule), ("severity", $0.key.severity)], "\($0.value)") })
        family("trailwatch_outbox_pending", "gauge", "Alerts waiting for a sink.", s.outbox.map { ([("sink", $0.sink)], "\($0.pending)") })
        family("trailwatch_outbox_failed", "gauge", "Alerts a sink refused (parked until redelivered).", s.outbox.map { ([("sink", $0.sink)], "\($0.failed)") })
        family("trailwatch_outbox_oldest_pending_age_seconds", "gauge", "Age of the oldest pending alert per sink.",
               s.outbox.compactMap { box in box.oldestPending.map { ([("sink", box.sink)], seconds(input.now - $0)) } })
        family("trailwatch_delivery_attempts_total", "counter", "Delivery attempts since start, per sink.",
               input.attempts.sorted { $0.key < $1.key }.map { ([("sink", $0.key)], "\($0.value)") })
        family("trailwatch_delivery_errors_total", "counter", "Failed delivery attempts since start, per sink.",
               input.errors.sorted { $0.key < $1.key }.map { ([("sink", $0.key)], "\($0.value)") })
        family("trailwatch_ingestion_lag_seconds", "gauge", "Wall clock minus the newest stored event, per account and region.",
               s.newest.sorted { ($0.key.account, $0.key.region) < ($1.key.account, $1.key.region) }
                   .map { ([("account", $0.key.account), ("region", $0.key.region)], seconds(input.now - $0.value)) })
        let c = input.commits
        out += "# HELP trailwatch_commit_duration_seconds Time to commit a group of files.\n# TYPE trailwatch_commit_duration_seconds histogram\n"
        for (bound, count) in zip(CommitTimer.bounds, c.cumulative) {
            out += "trailwatch_commit_duration_seconds_bucket{le=\"\(bound)\"} \(count)\n"
        }
        out += "trailwatch_commit_duration_seconds_bucket{le=\"+Inf\"} \(c.count)\n"
        out += "trailwatch_commit_duration_seconds_sum \(c.sum)\n"
        out += "trailwatch_commit_duration_seconds_count \(c.count)\n"
        return out
    }

    private static func seconds(_ ms: Int64) -> String {
        String(Double(ms) / 1000)
    }

    /// A label value as the exposition format asks: backslash, double quote and line feed
    /// escaped, by Unicode scalar. (By `Character`, `\r\n` is one grapheme that is not `\n`, and a
    /// quote followed by a combining mark is not `"`: both got through raw and broke the scrape.)
    /// Other control characters, which the format has no escape for, become U+FFFD.
    static func escape(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\u{0}"..."\u{1F}", "\u{7F}": out.unicodeScalars.append("\u{FFFD}")
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
