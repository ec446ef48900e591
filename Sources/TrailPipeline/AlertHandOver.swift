import TrailStore

/// How committed alerts reach the outbox: a pending row per configured sink, written right after
/// the group's commit, then a nudge to the delivery workers. A crash between the commit and the
/// hand-over leaves the alerts unemitted, and the next run hands them over (`handOverUnemitted`).
public struct AlertHandOver: Sendable {
    /// The sinks' stored (redacted) names.
    public let sinks: [String]
    let notify: @Sendable () -> Void
    let wallClock: @Sendable () -> Int64

    public init(sinks: [String], wallClock: @escaping @Sendable () -> Int64, notify: @escaping @Sendable () -> Void) {
        self.sinks = sinks
        self.wallClock = wallClock
        self.notify = notify
    }

    /// Queues `ids` (in this order) for every sink.
    func handOver(_ ids: [String], store: Store) throws(PipelineError) {
        guard !ids.isEmpty else { return }
        do {
            try store.enqueueDeliveries(ids, sinks: sinks, now: wallClock())
        } catch {
            throw PipelineError(.store, wrapping: error)
        }
        notify()
    }

    /// Queues the alerts a previous run committed but never handed over. Returns how many.
    public func handOverUnemitted(store: Store) throws(PipelineError) -> Int {
        let count: Int
        do {
            count = try store.enqueueUnemitted(sinks: sinks, now: wallClock())
        } catch {
            throw PipelineError(.store, wrapping: error)
        }
        if count > 0 { notify() }
        return count
    }
}
