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
    /// The filter, noted before each commit: a superset of the stored ids.
    private let filter = Mutex<EventIDFilter?>(nil)
    /// The exact table and its limit, added to after each commit. A lock of its own, taken only
    /// for ids the filter may have seen: lookups of new ids (nearly all) never wait for the
    /// writer adding a group's ids.
    private let exact = Mutex<(table: EventIDTable, limit: Int)?>(nil)
    /// Whether `exact` is set, readable without its lock.
    private let tracksExactly = Atomic<Bool>(false)

    /// What a commit needs while ids are tracked exactly.
    struct ExactCheck {
        /// Positions, in the commit's order of events, of those not to insert: stored already,
        /// or repeating an earlier event of the commit.
        var skipped: Set<Int>
        /// Whether this commit would pass the limit: it builds the unique index, and exact
        /// tracking ends once it has committed.
        var buildsIndex: Bool
        /// The commit's ids and their hashes, added once it has committed.
        fileprivate var ids: [String]
        fileprivate var hashes: [Int]
    }

    /// Starts tracking as a filter; call only when the events table is empty and no other writer exists.
    func startTracking() {
        filter.locked { if $0 == nil { $0 = EventIDFilter() } }
    }

    /// Starts tracking every id exactly (and as a filter); call only when the events table is
    /// empty, no other writer exists, and the unique index on `events.event_id` has just been
    /// dropped.
    func startExactTracking(limit: Int) {
        startTracking()
        exact.locked { $0 = (table: EventIDTable(), limit: min(max(0, limit), Int(Int32.max) / 4)) }
        tracksExactly.store(true, ordering: .sequentiallyConsistent)
    }

    /// The unique index exists again: lookups go back to the store.
    func stopExactTracking() {
        tracksExactly.store(false, ordering: .sequentiallyConsistent)
        exact.locked { $0 = nil }
    }

    var isExact: Bool { tracksExactly.load(ordering: .sequentiallyConsistent) }

    /// Before a commit of events with these ids, in order: notes them in the filter (before
    /// the transaction, so a concurrent lookup never misses one that is already stored; ids of
    /// a commit that then fails stay as false positives). While ids are tracked exactly, also
    /// says which events the commit skips and whether it builds the unique index; nil otherwise.
    func noteCommitting(_ ids: [String]) -> ExactCheck? {
        let hashes = ids.map(\.hashValue)
        // Positions the filter may have seen: stored, repeated in this commit, or false positives.
        var maybe: [Int] = []
        filter.locked { filter in
            guard filter != nil else { return }
            for (k, hash) in hashes.enumerated() where filter?.insert(hash: hash) == true { maybe.append(k) }
        }
        guard isExact else { return nil }
        var skipped = Set<Int>()
        let full = exact.locked { exact -> Bool? in
            guard let exact else { return nil }
            for k in maybe where exact.table.contains(ids[k], hash: hashes[k]) { skipped.insert(k) }
            return exact.table.count + ids.count > exact.limit
        }
        guard let full else { return nil }
        let rest = maybe.filter { !skipped.contains($0) }
        if !rest.isEmpty {
            var first: [String: Int] = [:]
            for (k, id) in ids.enumerated() where first[id] == nil { first[id] = k }
            for k in rest where first[ids[k]].map({ $0 < k }) == true { skipped.insert(k) }
        }
        return ExactCheck(skipped: skipped, buildsIndex: full, ids: ids, hashes: hashes)
    }

    /// While ids are tracked exactly: which of `ids` are stored (nil otherwise: look them up).
    func storedExactly(_ ids: [String]) -> Set<String>? {
        guard isExact else { return nil }
        let hashes = ids.map(\.hashValue)
        let maybe: [Int] = filter.locked { filter in
            guard let filter else { return Array(ids.indices) }
            return hashes.indices.filter { filter.mayContain(hash: hashes[$0]) }
        }
        if maybe.isEmpty { return [] }
        return exact.locked { exact -> Set<String>? in
            guard let exact else { return nil }
            var stored = Set<String>()
            for k in maybe where exact.table.contains(ids[k], hash: hashes[k]) { stored.insert(ids[k]) }
            return stored
        }
    }

    /// The ids of `ids` that may be stored, or nil when no filter is kept (look all of them up).
    func candidates(_ ids: [String]) -> [String]? {
        filter.locked { filter in
            guard let filter else { return nil }
            return ids.filter { filter.mayContain($0) }
        }
    }

    /// After a commit's transaction: adds the ids it stored (exact tracking only).
    func addCommitted(_ check: ExactCheck) {
        exact.locked { exact in
            guard exact != nil else { return }
            for k in check.ids.indices where !check.skipped.contains(k) {
                exact?.table.insert(check.ids[k], hash: check.hashes[k])
            }
        }
    }
}
