#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Finds a byte string in a longer one in linear time, whatever the input: the Two-Way algorithm
/// (Crochemore and Perrin, 1991), O(n + m) comparisons and O(1) extra memory.
///
/// A naive scan costs O(n·m): a 300 KB wildcard literal against a 1 MB field took minutes. The
/// needle's critical factorisation is computed once, at `init`, so a searcher kept with its
/// pattern costs nothing more per search. It lives in TrailJSON, the one target both TrailMatch
/// (wildcards) and TrailDetect (ARN parts) depend on; it does no I/O.
public struct SubstringSearcher: Hashable, Sendable {
    /// The bytes searched for.
    public let needle: [UInt8]
    /// Start of the right half of the critical factorisation.
    private let suffix: Int
    /// Shift after a mismatch in the left half: the needle's period when it is periodic, else
    /// max(left, right) + 1.
    private let shift: Int
    /// Whether the needle is periodic (the left half repeats at distance `shift`), in which case
    /// the search remembers how much of the right half already matched.
    private let periodic: Bool

    public init(_ needle: [UInt8]) {
        self.needle = needle
        let m = needle.count
        let (suffix, period) = Self.criticalFactorisation(needle)
        self.suffix = suffix
        var periodic = suffix + period <= m
        if periodic {
            for k in 0..<suffix where needle[k] != needle[k + period] {
                periodic = false
                break
            }
        }
        self.periodic = periodic
        self.shift = periodic ? period : max(suffix, m - suffix) + 1
    }

    /// The offset of the first occurrence of the needle in `hay[from..<to]`, or nil. An empty
    /// needle is found at `from`.
    public func firstIndex(in hay: UnsafePointer<UInt8>, from: Int, to: Int) -> Int? {
        let m = needle.count
        if m == 0 { return from <= to ? from : nil }
        return needle.withUnsafeBufferPointer { nb -> Int? in
            guard let n = nb.baseAddress else { return nil }
            let s = suffix
            var j = from
            let first = n[s]
            /// Moves `j` to the next position where the right half's first byte lines up (memchr),
            /// or returns false when there is none. Skipping only unmatched positions keeps the
            /// search linear.
            @inline(__always) func skip() -> Bool {
                guard j + m <= to else { return false }
                if hay[j + s] == first { return true }
                let start = j + s + 1, count = to - m + s + 1 - start
                guard count > 0, let hit = memchr(hay + start, Int32(first), count) else { return false }
                j = UnsafeRawPointer(hay).distance(to: hit) - s
                return true
            }
            if periodic {
                var memory = 0
                while j + m <= to {
                    if memory == 0, !skip() { return nil }
                    var i = max(s, memory)
                    while i < m, n[i] == hay[j + i] { i += 1 }
                    if i >= m {
                        i = s - 1
                        while i >= memory, n[i] == hay[j + i] { i -= 1 }
                        if i < memory { return j }
                        j += shift
                        memory = m - shift
                    } else {
                        j += i - s + 1
                        memory = 0
                    }
                }
            } else {
                while j + m <= to {
                    if !skip() { return nil }
                    var i = s
                    while i < m, n[i] == hay[j + i] { i += 1 }
                    if i >= m {
                        i = s - 1
                        while i >= 0, n[i] == hay[j + i] { i -= 1 }
                        if i < 0 { return j }
                        j += shift
                    } else {
                        j += i - s + 1
                    }
                }
            }
            return nil
        }
    }

    /// The offset of the first occurrence in `hay`, or nil.
    public func firstIndex(in hay: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = hay.baseAddress else { return needle.isEmpty ? 0 : nil }
        return firstIndex(in: base, from: 0, to: hay.count)
    }

    /// The start of the right half of the needle's critical factorisation and the period of that
    /// half: the later-starting of the maximal suffixes under the byte order and its reverse.
    private static func criticalFactorisation(_ x: [UInt8]) -> (suffix: Int, period: Int) {
        let (forward, forwardPeriod) = maximalSuffix(x, reversed: false)
        let (backward, backwardPeriod) = maximalSuffix(x, reversed: true)
        return forward > backward ? (forward + 1, forwardPeriod) : (backward + 1, backwardPeriod)
    }

    /// The position before the lexicographically maximal suffix (-1 for the whole string) and its
    /// period; `reversed` uses the reverse byte order.
    private static func maximalSuffix(_ x: [UInt8], reversed: Bool) -> (Int, Int) {
        let m = x.count
        var ms = -1, j = 0, k = 1, p = 1
        while j + k < m {
            let a = x[j + k], b = x[ms + k]
            if reversed ? b < a : a < b {
                j += k
                k = 1
                p = j - ms
            } else if a == b {
                if k != p { k += 1 } else { j += p; k = 1 }
            } else {
                ms = j
                j += 1
                k = 1
                p = 1
            }
        }
        return (ms, p)
    }
}
