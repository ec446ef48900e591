import Synchronization
import TrailSync

/// The event ids committed through one `Store` since it saw its events table empty.
///
/// Only meaningful while nothing else writes to the database: the writer lock (or an in-memory
/// store, which has a single connection) guarantees that. Two ways to track them:
/// - **As a filter** (``startTracking()``): an id the filter has never seen cannot be stored, and
///   `existingEventIDs` skips its lookup: on a first backfill, almost all of them.
/// - **Exactly** (``startExactTracking(limit:)``), while a first load goes without the unique
///   index on `events.event_id`: every stored id is in a set, which answers the lookups and keeps
///   a commit from storing an id twice, as the index would. Up to `limit` ids; the commit that
///   would pass it builds the index instead (``ExactCheck/buildsIndex``).
final class CommittedEventIDs: Sendable {
    private struct State {
        var filter: EventIDFilter?
        var exact: Set<String>?
        var limit = 0
    }

    private let state = Mutex(State())

    /// What a commit needs while ids are tracked exactly.
    struct ExactCheck {
        /// The ids of the commit that are stored already.
        var stored: Set<String>
        /// Whether this commit would pass the limit: it builds the unique index, and exact
        /// tracking ends once it has committed.
        var buildsIndex: Bool
    }

    /// Starts tracking as a filter; call only when the events table is empty and no other writer exists.
    func startTracking() {
        state.locked { if $0.filter == nil { $0.filter = EventIDFilter() } }
    }

    /// Starts tracking every id exactly; call only when the events table is empty, no other writer
    /// exists, and the unique index on `events.event_id` has just been dropped.
    func startExactTracking(limit: Int) {
        state.locked { state in
            state.exact = []
            state.limit = max(0, limit)
        }
    }

    /// The unique index exists again: lookups go back to the store.
    func stopExactTracking() {
        state.locked { $0.exact = nil }
    }

    var isExact: Bool { state.locked { $0.exact != nil } }

    /// Records ids about to be committed in the filter (before the transaction, so a concurrent
    /// lookup never misses one that is already stored; ids of a commit that then fails stay as
    /// false positives).
    func note<S: Sequence>(_ ids: S) where S.Element == String {
        state.locked { state in
            guard state.filter != nil else { return }
            for id in ids { state.filter?.insert(id) }
        }
    }

    /// While ids are tracked exactly: which of `ids` are stored (nil otherwise: look them up).
    func storedExactly(_ ids: [String]) -> Set<String>? {
        exactCheck(ids, count: 0)?.stored
    }

    /// The ids of `ids` that may be stored, or nil when no filter is kept (look all of them up).
    func candidates(_ ids: [String]) -> [String]? {
        state.locked { state in
            guard let filter = state.filter else { return nil }
            return ids.filter { filter.mayContain($0) }
        }
    }

    /// While ids are tracked exactly, before a commit of `count` events with these ids: which are
    /// stored already, and whether the commit must build the unique index. Nil otherwise.
    func exactCheck<S: Sequence>(_ ids: S, count: Int) -> ExactCheck? where S.Element == String {
        state.locked { state in
            guard let exact = state.exact else { return nil }
            var stored = Set<String>()
            for id in ids where exact.contains(id) { stored.insert(id) }
            return ExactCheck(stored: stored, buildsIndex: exact.count + count > state.limit)
        }
    }

    /// After a commit's transaction: the ids it stored (exact tracking only).
    func addCommitted(_ ids: Set<String>) {
        state.locked { state in
            guard state.exact != nil else { return }
            state.exact?.formUnion(ids)
        }
    }
}
