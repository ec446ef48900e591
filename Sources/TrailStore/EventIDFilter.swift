import Foundation

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
