import Synchronization
import TrailSync

/// Per-match working memory, reused between events. Matching moves it into a local variable
/// for the duration of one event, so the hot path has no dynamic exclusivity checks.
struct MatchState {
    /// Field id of each recorded leaf.
    var leafField = RawBuffer<Int32>()
    /// Each leaf's node index, and whether it lies in the `detail` document.
    var leafNode = RawBuffer<Int32>()
    var leafInDetail = RawBuffer<UInt8>()
    /// Per deferred matcher: `== epoch` once it has been run for this event.
    var lazyStamp = RawBuffer<UInt32>()
    /// Set while walking the `detail` document.
    var walkingDetail: UInt8 = 0
    /// Each leaf's array membership as `start << 32 | count` into `membershipPool`.
    var leafMembership = RawBuffer<UInt64>()
    /// `arrayID << 32 | elementIndex`, root to leaf.
    var membershipPool = RawBuffer<UInt64>()
    /// The arrays enclosing the value being walked.
    var stack = RawBuffer<UInt64>()
    /// Leaves recorded inside some array (when 0, every combination of leaves is consistent).
    var leavesInArrays = 0
    /// Per matcher: `stamp == epoch` when it passed for this event; `head` starts its list of
    /// entries (`entryLeaf`, linked by `entryNext`).
    var stamp = RawBuffer<UInt32>()
    var head = RawBuffer<Int32>()
    var entryLeaf = RawBuffer<Int32>()
    var entryNext = RawBuffer<Int32>()
    /// Matchers that passed for this event, each once.
    var firedMatchers = RawBuffer<Int32>()
    /// Per field: `== epoch` when the event has a leaf there.
    var fieldStamp = RawBuffer<UInt32>()
    /// Per sub-rule and per pattern: `== epoch` once queued / matched for this event.
    var subRuleStamp = RawBuffer<UInt32>()
    var patternStamp = RawBuffer<UInt32>()
    var epoch: UInt32 = 0
    var candidates = RawBuffer<Int32>()
    var chosen = RawBuffer<Int32>()
    var foldBuffer = RawBuffer<UInt8>()
    var arrayCounter: UInt32 = 0

    /// Frees the raw buffers (called by the owning ``MatchScratch``).
    mutating func free() {
        stamp.free(); head.free(); entryLeaf.free(); entryNext.free()
        fieldStamp.free(); subRuleStamp.free(); patternStamp.free()
        leafField.free(); leafNode.free(); leafInDetail.free(); lazyStamp.free(); leafMembership.free(); membershipPool.free(); stack.free()
        firedMatchers.free(); candidates.free(); chosen.free(); foldBuffer.free()
    }

    init() {}

    /// Prepares for a new event of a rule set with the given sizes.
    mutating func reset(matchers: Int, fields: Int, subRules: Int, patterns: Int) {
        leafField.count = 0
        leafNode.count = 0
        leafInDetail.count = 0
        walkingDetail = 0
        leafMembership.count = 0
        membershipPool.count = 0
        stack.count = 0
        entryLeaf.count = 0
        entryNext.count = 0
        firedMatchers.count = 0
        leavesInArrays = 0
        arrayCounter = 0
        if stamp.count != matchers || fieldStamp.count != fields || subRuleStamp.count != subRules || patternStamp.count != patterns || epoch == .max {
            stamp.resize(to: matchers, filling: 0)
            lazyStamp.resize(to: matchers, filling: 0)
            head.resize(to: matchers, filling: -1)
            fieldStamp.resize(to: fields, filling: 0)
            subRuleStamp.resize(to: subRules, filling: 0)
            patternStamp.resize(to: patterns, filling: 0)
            epoch = 0
        }
        epoch += 1
    }

    /// Records that matcher `id` passed on leaf `tag`.
    @inline(__always)
    mutating func fire(_ id: Int32, _ tag: UInt64) {
        let m = Int(id)
        if stamp[m] != epoch {
            stamp[m] = epoch
            head[m] = -1
            firedMatchers.append(id)
        }
        entryLeaf.append(Int32(truncatingIfNeeded: tag))
        entryNext.append(head[m])
        head[m] = Int32(entryLeaf.count &- 1)
    }

    @inline(__always)
    func passed(_ id: Int32) -> Bool { stamp[Int(id)] == epoch }

    /// Records a leaf of `field` at the current array position; returns its index.
    @inline(__always)
    mutating func addLeaf(field: Int32, node: Int) -> Int32 {
        let index = Int32(leafField.count)
        leafField.append(field)
        leafNode.append(Int32(truncatingIfNeeded: node))
        leafInDetail.append(walkingDetail)
        fieldStamp[Int(field)] = epoch
        if stack.count == 0 {
            leafMembership.append(0)
        } else {
            let start = UInt64(membershipPool.count)
            for k in 0..<stack.count { membershipPool.append(stack[k]) }
            leafMembership.append(start << 32 | UInt64(stack.count))
            leavesInArrays += 1
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
        for k in 0..<chosen.count where !consistent(chosen[k], leaf) { return false }
        return true
    }
}

/// A reusable holder of ``MatchState``.
///
/// `@unchecked Sendable`: it moves between threads only through ``ScratchPool``, whose lock
/// orders the hand-over, and one thread uses it between `take` and `give`.
final class MatchScratch: @unchecked Sendable {
    /// Reached through a pointer so that matching mutates it without exclusivity checks.
    let state: UnsafeMutablePointer<MatchState>

    init() {
        state = UnsafeMutablePointer<MatchState>.allocate(capacity: 1)
        state.initialize(to: MatchState())
    }

    deinit {
        state.pointee.free()
        state.deinitialize(count: 1)
        state.deallocate()
    }
}

/// A growable buffer of plain values with unchecked, non-uniqueness-checked access (the hot path
/// appends and indexes millions of times per second). Owned by one ``MatchState``.
struct RawBuffer<T> {
    private(set) var base: UnsafeMutablePointer<T>?
    private(set) var capacity = 0
    var count = 0

    @inline(__always)
    subscript(_ i: Int) -> T {
        get { base.unsafelyUnwrapped[i] }
        nonmutating set { base.unsafelyUnwrapped[i] = newValue }
    }

    @inline(__always)
    mutating func append(_ v: T) {
        if count == capacity { grow() }
        base.unsafelyUnwrapped[count] = v
        count += 1
    }

    private mutating func grow() {
        let newCapacity = max(64, capacity * 2)
        let p = UnsafeMutablePointer<T>.allocate(capacity: newCapacity)
        if let base {
            p.moveInitialize(from: base, count: count)
            base.deallocate()
        }
        base = p
        capacity = newCapacity
    }

    /// Sets the size to `n` values, all `value`.
    mutating func resize(to n: Int, filling value: T) {
        if n > capacity {
            base?.deallocate()
            base = UnsafeMutablePointer<T>.allocate(capacity: max(n, 1))
            capacity = max(n, 1)
        }
        base?.initialize(repeating: value, count: n)
        count = n
    }

    @inline(__always)
    mutating func removeLast() { count -= 1 }

    mutating func free() {
        base?.deallocate()
        base = nil
        capacity = 0
        count = 0
    }
}

/// A small lock-protected stack of scratch objects so that a shared `CompiledPatterns` can match
/// on several threads without allocating per event.
final class ScratchPool: Sendable {
    private let free = Mutex<[MatchScratch]>([])

    init() {}

    func take() -> MatchScratch {
        free.locked { $0.popLast() } ?? MatchScratch()
    }

    func give(_ s: MatchScratch) {
        free.locked { if $0.count < 64 { $0.append(s) } }
    }
}
