import Synchronization
import TrailSync

/// A histogram of group commit durations (seconds), for `tail --metrics`.
public final class CommitTimer: Sendable {
    /// Upper bounds of the buckets, in seconds (Prometheus' `le`).
    public static let bounds: [Double] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    public struct Snapshot: Sendable {
        /// Cumulative counts per bound, then the total.
        public var cumulative: [Int]
        public var count: Int
        public var sum: Double
    }

    private struct State {
        var counts = [Int](repeating: 0, count: CommitTimer.bounds.count)
        var count = 0
        var sum = 0.0
    }
    private let state = Mutex(State())

    public init() {}

    public func record(_ duration: Duration) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        state.locked { s in
            if let index = Self.bounds.firstIndex(where: { seconds <= $0 }) { s.counts[index] += 1 }
            s.count += 1
            s.sum += seconds
        }
    }

    public var snapshot: Snapshot {
        state.locked { s in
            var running = 0
            let cumulative = s.counts.map { running += $0; return running }
            return Snapshot(cumulative: cumulative, count: s.count, sum: s.sum)
        }
    }
}
