import Foundation
import Synchronization
import TrailSync

/// A fixed-size Bloom filter over event ids: `mayContain` is false only for an id never inserted,
/// and true for every inserted one (and, rarely, for others).
///
/// Blocked: an id's four bits lie in one 64-bit word, so a test costs one cache miss rather than
/// four (the filter is larger than the caches). 2^25 bits (4 MiB): about 1 id in 5,000 is a false
/// positive after a million insertions, 1 in 40 after five million; a false positive only costs
/// the exact check it would have saved. Hashes come from the process's seeded `Hasher`, which
/// is fine for a filter that lives in memory only.
public struct EventIDFilter: Sendable {
    private var words: [UInt64]
    private let wordMask: Int

    public init(bitCountLog2: Int = 25) {
        let count = 1 << max(0, bitCountLog2 - 6)
        words = Array(repeating: 0, count: count)
        wordMask = count - 1
    }

    /// Adds `id`; returns whether it may have been there already (false is certain).
    @discardableResult
    public mutating func insert(_ id: String) -> Bool {
        let (word, bits) = slot(id)
        return words.withUnsafeMutableBufferPointer { words in
            let before = words[word]
            words[word] = before | bits
            return before & bits == bits
        }
    }

    public func mayContain(_ id: String) -> Bool {
        let (word, bits) = slot(id)
        return words.withUnsafeBufferPointer { $0[word] & bits == bits }
    }

    /// The word an id falls in (from the hash's low bits) and its four bits there (from four
    /// 6-bit fields of the high bits).
    @inline(__always) private func slot(_ id: String) -> (Int, UInt64) {
        let hash = UInt64(bitPattern: Int64(id.hashValue))
        let word = Int(truncatingIfNeeded: hash) & wordMask
        let high = hash >> 32
        let bits = (1 as UInt64) << (high & 63) | 1 << ((high >> 6) & 63) | 1 << ((high >> 12) & 63) | 1 << ((high >> 18) & 63)
        return (word, bits)
    }
}

/// The event ids committed through one `Store` since it saw its events table empty, as a filter.
///
/// Only meaningful while nothing else writes to the database: the writer lock (or an in-memory
/// store, which has a single connection) guarantees that. Then an id the filter has never seen
/// cannot be stored, and `existingEventIDs` skips its lookup: on a first backfill, almost all of them.
final class CommittedEventIDs: Sendable {
    private let filter = Mutex<EventIDFilter?>(nil)

    /// Starts tracking; call only when the events table is empty and no other writer exists.
    func startTracking() {
        filter.locked { if $0 == nil { $0 = EventIDFilter() } }
    }

    /// Records ids about to be committed (before the transaction, so a concurrent lookup never
    /// misses one that is already stored; ids of a commit that then fails stay as false positives).
    func note<S: Sequence>(_ ids: S) where S.Element == String {
        filter.locked { filter in
            guard filter != nil else { return }
            for id in ids { filter?.insert(id) }
        }
    }

    /// The ids of `ids` that may be stored, or nil when nothing is tracked (look all of them up).
    func candidates(_ ids: [String]) -> [String]? {
        filter.locked { filter in
            guard let filter else { return nil }
            return ids.filter { filter.mayContain($0) }
        }
    }
}
