import Foundation

/// A fixed-size Bloom filter over event ids: `mayContain` is false only for an id never inserted,
/// and true for every inserted one (and, rarely, for others).
///
/// 2^25 bits (4 MiB) and four probes: about 1 in 6,000 ids is a false positive after a million
/// insertions, 1 in 25 after five million; a false positive only costs the lookup it would have
/// saved. Hashes come from the process's seeded `Hasher`, which is fine for a filter that lives
/// in memory only.
struct EventIDFilter {
    private var words: [UInt64]
    private let bitMask: UInt64
    private static let probes: UInt64 = 4

    init(bitCountLog2: Int = 25) {
        let bits = 1 << max(6, bitCountLog2)
        words = Array(repeating: 0, count: bits / 64)
        bitMask = UInt64(bits - 1)
    }

    mutating func insert(_ id: String) {
        let (start, step) = Self.seeds(id)
        for i in 0..<Self.probes {
            let bit = (start &+ i &* step) & bitMask
            words[Int(bit >> 6)] |= 1 << (bit & 63)
        }
    }

    func mayContain(_ id: String) -> Bool {
        let (start, step) = Self.seeds(id)
        for i in 0..<Self.probes {
            let bit = (start &+ i &* step) & bitMask
            if words[Int(bit >> 6)] & (1 << (bit & 63)) == 0 { return false }
        }
        return true
    }

    /// Two 32-bit halves of one hash drive the probes (double hashing); the step is odd.
    private static func seeds(_ id: String) -> (UInt64, UInt64) {
        let hash = UInt64(bitPattern: Int64(id.hashValue))
        return (hash & 0xFFFF_FFFF, (hash >> 32) | 1)
    }
}

/// The event ids committed through one `Store` since it saw its events table empty, as a filter.
///
/// Only meaningful while nothing else writes to the database: the writer lock (or an in-memory
/// store, which has a single connection) guarantees that. Then an id the filter has never seen
/// cannot be stored, and `existingEventIDs` skips its lookup: on a first backfill, almost all of them.
final class CommittedEventIDs: @unchecked Sendable {
    private let lock = NSLock()
    private var filter: EventIDFilter?

    /// Starts tracking; call only when the events table is empty and no other writer exists.
    func startTracking() {
        lock.lock()
        defer { lock.unlock() }
        if filter == nil { filter = EventIDFilter() }
    }

    /// Records ids about to be committed (before the transaction, so a concurrent lookup never
    /// misses one that is already stored; ids of a commit that then fails stay as false positives).
    func note<S: Sequence>(_ ids: S) where S.Element == String {
        lock.lock()
        defer { lock.unlock() }
        guard filter != nil else { return }
        for id in ids { filter?.insert(id) }
    }

    /// The ids of `ids` that may be stored, or nil when nothing is tracked (look all of them up).
    func candidates(_ ids: [String]) -> [String]? {
        lock.lock()
        defer { lock.unlock() }
        guard let filter else { return nil }
        return ids.filter { filter.mayContain($0) }
    }
}
