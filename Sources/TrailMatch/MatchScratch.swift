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
    /// Each leaf's innermost array element (an index into the element tree below), -1 when it
    /// lies in no array.
    var leafElement = RawBuffer<Int32>()
    /// The array elements walked, as a tree: each is `arrayID << 32 | elementIndex`, with the
    /// element of the next array out (-1: none) and its depth. A leaf's membership is the path
    /// from its element to the root, shared with every other leaf of the same elements, so a
    /// leaf costs one index however deeply its arrays nest (a copy of the whole path per leaf
    /// cost 4 KB per string inside 500 nested arrays).
    var elementValue = RawBuffer<UInt64>()
    var elementParent = RawBuffer<Int32>()
    var elementDepth = RawBuffer<Int32>()
    /// The innermost element being walked, -1 outside arrays.
    var currentElement: Int32 = -1
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
    /// The index of a large search (``RuleView/searchIndexed(_:_:_:)``).
    var ix = ElementIndex()

    /// Frees the raw buffers (called by the owning ``MatchScratch``).
    mutating func free() {
        stamp.free(); head.free(); entryLeaf.free(); entryNext.free()
        fieldStamp.free(); subRuleStamp.free(); patternStamp.free()
        leafField.free(); leafNode.free(); leafInDetail.free(); lazyStamp.free(); leafElement.free()
        elementValue.free(); elementParent.free(); elementDepth.free()
        firedMatchers.free(); candidates.free(); chosen.free(); foldBuffer.free()
        ix.free()
    }

    init() {}

    /// Prepares for a new event of a rule set with the given sizes.
    mutating func reset(matchers: Int, fields: Int, subRules: Int, patterns: Int) {
        leafField.count = 0
        leafNode.count = 0
        leafInDetail.count = 0
        walkingDetail = 0
        leafElement.count = 0
        elementValue.count = 0
        elementParent.count = 0
        elementDepth.count = 0
        currentElement = -1
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
        leafElement.append(currentElement)
        if currentElement >= 0 { leavesInArrays += 1 }
        return index
    }

    /// Steps into element `element` of array `array` (inside the current element).
    @inline(__always)
    mutating func enterElement(array: UInt64, element: UInt64) {
        let parent = currentElement
        elementValue.append(array << 32 | element)
        elementParent.append(parent)
        elementDepth.append(parent < 0 ? 1 : elementDepth[Int(parent)] &+ 1)
        currentElement = Int32(truncatingIfNeeded: elementValue.count &- 1)
    }

    /// Steps out of the current element; one that holds no leaf is dropped again (it is the
    /// last in the tree then), so elements without strings cost nothing.
    @inline(__always)
    mutating func leaveElement() {
        let leaving = currentElement
        currentElement = elementParent[Int(leaving)]
        if Int(leaving) == elementValue.count &- 1, leafElement.count == 0 || leafElement[leafElement.count &- 1] != leaving {
            elementValue.count &-= 1
            elementParent.count &-= 1
            elementDepth.count &-= 1
        }
    }

    /// Whether two leaves can belong to one match: on every array both lie in, the same element.
    /// Their paths from the root agree down to some element; below it, they are in different
    /// elements of one array (inconsistent) or went different ways through an object.
    @inline(__always)
    func consistent(_ a: Int32, _ b: Int32) -> Bool {
        var x = leafElement[Int(a)], y = leafElement[Int(b)]
        if x < 0 || y < 0 { return true }
        var dx = elementDepth[Int(x)], dy = elementDepth[Int(y)]
        while dx > dy {
            x = elementParent[Int(x)]
            dx &-= 1
        }
        while dy > dx {
            y = elementParent[Int(y)]
            dy &-= 1
        }
        // One path is a prefix of the other.
        if x == y { return true }
        while elementParent[Int(x)] != elementParent[Int(y)] {
            x = elementParent[Int(x)]
            y = elementParent[Int(y)]
        }
        return elementValue[Int(x)] >> 32 != elementValue[Int(y)] >> 32
    }

    @inline(__always)
    func consistentWithChosen(_ leaf: Int32) -> Bool {
        if leafElement[Int(leaf)] < 0 { return true }
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
