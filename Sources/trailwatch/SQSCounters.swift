import Synchronization
import TrailSync

/// What the SQS consumer did with the messages it received, for `tail --metrics` and the run
/// summary. Counts since start.
final class SQSCounters: Sendable {
    struct Snapshot: Sendable, Equatable {
        var received = 0
        /// Deleted once every object they name had committed (or was already in the ledger).
        var deleted = 0
        /// `s3:TestEvent` messages, acknowledged.
        var testEvents = 0
        /// Digest keys named, acknowledged without reading.
        var digestKeys = 0
        /// Keys outside the tailed locations, Insight files, folder markers, objects gone: acknowledged.
        var unknownKeys = 0
        /// Bodies that could not be read: left on the queue for its redrive policy.
        var rejected = 0
        /// Messages not deleted because an object they name failed: left to return.
        var retained = 0
    }

    private let state = Mutex(Snapshot())

    var snapshot: Snapshot { state.locked { $0 } }

    func update(_ change: (inout Snapshot) -> Void) { state.locked { change(&$0) } }

    /// Prometheus text: `trailwatch_sqs_messages_total{outcome}` and `trailwatch_sqs_keys_total{kind}`.
    func metricsText() -> String {
        let s = snapshot
        var out = "# HELP trailwatch_sqs_messages_total SQS messages received, by what became of them.\n"
        out += "# TYPE trailwatch_sqs_messages_total counter\n"
        for (outcome, value) in [("received", s.received), ("deleted", s.deleted), ("test_event", s.testEvents),
                                 ("rejected", s.rejected), ("retained", s.retained)] {
            out += "trailwatch_sqs_messages_total{outcome=\"\(outcome)\"} \(value)\n"
        }
        out += "# HELP trailwatch_sqs_keys_total Keys named by SQS messages that were acknowledged without reading.\n"
        out += "# TYPE trailwatch_sqs_keys_total counter\n"
        out += "trailwatch_sqs_keys_total{kind=\"digest\"} \(s.digestKeys)\n"
        out += "trailwatch_sqs_keys_total{kind=\"unknown\"} \(s.unknownKeys)\n"
        return out
    }

    /// `sqs: 12 messages, 10 deleted, 1 test events, 3 digest keys, 0 unknown keys, 1 rejected, 0 retained`.
    func summaryLine() -> String {
        let s = snapshot
        return "sqs: \(s.received) messages, \(s.deleted) deleted, \(s.testEvents) test events, \(s.digestKeys) digest keys, "
            + "\(s.unknownKeys) unknown keys, \(s.rejected) rejected, \(s.retained) retained"
    }
}
