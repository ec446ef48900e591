#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Per-match working memory, reused between events.
final class MatchScratch {
    /// Field id of each recorded leaf.
    var leafField: [Int32] = []
    /// Each leaf's array membership as `start << 32 | count` into `membershipPool`.
    var leafMembership: [UInt64] = []
    /// `arrayID << 32 | elementIndex`, root to leaf.
    var membershipPool: [UInt64] = []
    /// The arrays enclosing the value being walked.
    var stack: [UInt64] = []
    /// `matcherID << 32 | leaf` for every test that passed.
    var fired: [UInt64] = []
    var candidates: [Int32] = []
    var chosen: [Int32] = []
    var foldBuffer: [UInt8] = []
    var arrayCounter: UInt32 = 0

    init() {
        leafField.reserveCapacity(64)
        leafMembership.reserveCapacity(64)
        fired.reserveCapacity(64)
        candidates.reserveCapacity(64)
        foldBuffer.reserveCapacity(256)
    }

    func reset() {
        leafField.removeAll(keepingCapacity: true)
        leafMembership.removeAll(keepingCapacity: true)
        membershipPool.removeAll(keepingCapacity: true)
        stack.removeAll(keepingCapacity: true)
        fired.removeAll(keepingCapacity: true)
        arrayCounter = 0
    }

    /// Records a leaf of `field` at the current array position; returns its index.
    @inline(__always)
    func addLeaf(field: Int32) -> Int32 {
        let index = Int32(leafField.count)
        leafField.append(field)
        if stack.isEmpty {
            leafMembership.append(0)
        } else {
            let start = UInt64(membershipPool.count)
            membershipPool.append(contentsOf: stack)
            leafMembership.append(start << 32 | UInt64(stack.count))
        }
        return index
    }

    /// Whether two leaves can belong to one match: on every array both lie in, the same element.
    @inline(__always)
    func consistent(_ a: Int32, _ b: Int32) -> Bool {
        let ma = leafMembership[Int(a)], mb = leafMembership[Int(b)]
        let ca = Int(ma & 0xFFFF_FFFF), cb = Int(mb & 0xFFFF_FFFF)
        if ca == 0 || cb == 0 { return true }
        let sa = Int(ma >> 32), sb = Int(mb >> 32)
        var k = 0
        while k < ca, k < cb {
            let x = membershipPool[sa + k], y = membershipPool[sb + k]
            if x >> 32 != y >> 32 { return true }
            if x != y { return false }
            k += 1
        }
        return true
    }

    @inline(__always)
    func consistentWithChosen(_ leaf: Int32) -> Bool {
        if leafMembership[Int(leaf)] == 0 { return true }
        for c in chosen where !consistent(c, leaf) { return false }
        return true
    }
}

/// A small lock-protected stack of scratch objects so that a shared `CompiledPatterns` can match
/// on several threads without allocating per event.
final class ScratchPool: @unchecked Sendable {
    private var free: [MatchScratch] = []
    private var mutex = pthread_mutex_t()

    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }

    func take() -> MatchScratch {
        pthread_mutex_lock(&mutex)
        let s = free.popLast()
        pthread_mutex_unlock(&mutex)
        return s ?? MatchScratch()
    }

    func give(_ s: MatchScratch) {
        pthread_mutex_lock(&mutex)
        if free.count < 64 { free.append(s) }
        pthread_mutex_unlock(&mutex)
    }
}
