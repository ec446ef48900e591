/// The search of a sub-rule's leaves through the element tree, for events where the plain search
/// (each leaf of a condition against every leaf of the next) would be large.
///
/// Per search, each condition's candidate leaves are indexed by their innermost element, in a
/// tree of the elements whose subtree holds a candidate ("nodes", one per condition and element;
/// at most one per element and condition, so linear in the elements). A node's children are
/// grouped by array, so when a chosen leaf pins an array to one element the enumeration goes
/// straight to that element instead of scanning the array. Choosing a leaf pins every array on
/// its path (a count per array), and a candidate is consistent exactly when its path keeps to
/// the pinned elements: the enumeration costs the candidates it yields plus the pinned path.
struct ElementIndex {
    /// Per node: its element (-1 for a condition's root), slot, parent node, the next node of the
    /// same element, its first candidate, its first child group and the next child in its group.
    var nodeElement = RawBuffer<Int32>()
    var nodeSlot = RawBuffer<Int32>()
    var nodeParent = RawBuffer<Int32>()
    var nodeNextAtElement = RawBuffer<Int32>()
    var nodeFirstEntry = RawBuffer<Int32>()
    var nodeFirstGroup = RawBuffer<Int32>()
    var nodeNextSibling = RawBuffer<Int32>()
    /// Per group (a node's children in one array): the array, its first child, the next group.
    var groupArray = RawBuffer<UInt32>()
    var groupFirstChild = RawBuffer<Int32>()
    var groupNext = RawBuffer<Int32>()
    /// Candidates: leaf and next candidate of the same node.
    var entryLeaf = RawBuffer<Int32>()
    var entryNext = RawBuffer<Int32>()
    /// Per slot (two per condition: its tests' leaves, and for an absence condition all leaves
    /// of its field): the root node.
    var slotRoot = RawBuffer<Int32>()
    /// Per element: its first node.
    var elementNodes = RawBuffer<Int32>()
    /// Per array: how many chosen leaves lie in it, and in which element.
    var pinCount = RawBuffer<Int32>()
    var pinElement = RawBuffer<Int32>()
    /// Per array: the last slot with a node in it (-1: none). Pinning an array that no later slot
    /// has a node in changes nothing later on.
    var arrayLastSlot = RawBuffer<Int32>()
    /// Per element: the search step that last tried a candidate whose pins that matter later end
    /// at this element.
    var triedAt = RawBuffer<UInt32>()
    var step: UInt32 = 0
    /// Candidates found, a stack shared by the levels of the search; the enumeration's work list.
    var found = RawBuffer<Int32>()
    var work = RawBuffer<Int32>()

    mutating func free() {
        nodeElement.free(); nodeSlot.free(); nodeParent.free(); nodeNextAtElement.free()
        nodeFirstEntry.free(); nodeFirstGroup.free(); nodeNextSibling.free()
        groupArray.free(); groupFirstChild.free(); groupNext.free()
        entryLeaf.free(); entryNext.free(); slotRoot.free(); elementNodes.free()
        pinCount.free(); pinElement.free(); arrayLastSlot.free(); triedAt.free(); found.free(); work.free()
    }
}

extension MatchState {
    /// Empties the index for a search with `slots` slots over this event's elements and arrays.
    mutating func startIndex(slots: Int) {
        ix.nodeElement.count = 0; ix.nodeSlot.count = 0; ix.nodeParent.count = 0; ix.nodeNextAtElement.count = 0
        ix.nodeFirstEntry.count = 0; ix.nodeFirstGroup.count = 0; ix.nodeNextSibling.count = 0
        ix.groupArray.count = 0; ix.groupFirstChild.count = 0; ix.groupNext.count = 0
        ix.entryLeaf.count = 0; ix.entryNext.count = 0
        ix.found.count = 0; ix.work.count = 0
        ix.elementNodes.resize(to: elementValue.count, filling: -1)
        ix.pinCount.resize(to: Int(arrayCounter), filling: 0)
        ix.pinElement.resize(to: Int(arrayCounter), filling: -1)
        ix.arrayLastSlot.resize(to: Int(arrayCounter), filling: -1)
        ix.triedAt.resize(to: elementValue.count, filling: 0)
        ix.step = 0
        ix.slotRoot.count = 0
        for slot in 0..<slots { ix.slotRoot.append(newNode(slot: Int32(slot), element: -1)) }
    }

    private mutating func newNode(slot: Int32, element: Int32) -> Int32 {
        let n = Int32(ix.nodeElement.count)
        ix.nodeElement.append(element)
        ix.nodeSlot.append(slot)
        ix.nodeParent.append(-1)
        ix.nodeFirstEntry.append(-1)
        ix.nodeFirstGroup.append(-1)
        ix.nodeNextSibling.append(-1)
        if element >= 0 {
            ix.nodeNextAtElement.append(ix.elementNodes[Int(element)])
            ix.elementNodes[Int(element)] = n
        } else {
            ix.nodeNextAtElement.append(-1)
        }
        return n
    }

    /// The node of `slot` at `element`, -1 when none.
    @inline(__always)
    func node(slot: Int32, element: Int32) -> Int32 {
        var n = ix.elementNodes[Int(element)]
        while n >= 0, ix.nodeSlot[Int(n)] != slot { n = ix.nodeNextAtElement[Int(n)] }
        return n
    }

    /// Adds `leaf` as a candidate of `slot`, creating the nodes of its path that are missing.
    mutating func indexLeaf(slot: Int32, _ leaf: Int32) {
        let element = leafElement[Int(leaf)]
        var target = ix.slotRoot[Int(slot)]
        if element >= 0 {
            target = node(slot: slot, element: element)
            if target < 0 {
                var e = element, child: Int32 = -1
                var parent = ix.slotRoot[Int(slot)]
                while e >= 0 {
                    let existing = node(slot: slot, element: e)
                    if existing >= 0 { parent = existing; break }
                    let n = newNode(slot: slot, element: e)
                    if child >= 0 { ix.nodeParent[Int(child)] = n } else { target = n }
                    child = n
                    e = elementParent[Int(e)]
                }
                ix.nodeParent[Int(child)] = parent
            }
        }
        ix.entryLeaf.append(leaf)
        ix.entryNext.append(ix.nodeFirstEntry[Int(target)])
        ix.nodeFirstEntry[Int(target)] = Int32(ix.entryLeaf.count - 1)
    }

    /// Links each node under its parent, grouped by array. Elements are visited in walk order, in
    /// which the elements of one array are consecutive among their parent's children, so a node's
    /// children of one array form one group.
    mutating func linkIndex() {
        for e in 0..<elementValue.count {
            var n = ix.elementNodes[e]
            while n >= 0 {
                let parent = Int(ix.nodeParent[Int(n)])
                let array = UInt32(truncatingIfNeeded: elementValue[e] >> 32)
                ix.arrayLastSlot[Int(array)] = max(ix.arrayLastSlot[Int(array)], ix.nodeSlot[Int(n)])
                var g = ix.nodeFirstGroup[parent]
                if g < 0 || ix.groupArray[Int(g)] != array {
                    g = Int32(ix.groupArray.count)
                    ix.groupArray.append(array)
                    ix.groupFirstChild.append(-1)
                    ix.groupNext.append(ix.nodeFirstGroup[parent])
                    ix.nodeFirstGroup[parent] = g
                }
                ix.nodeNextSibling[Int(n)] = ix.groupFirstChild[Int(g)]
                ix.groupFirstChild[Int(g)] = n
                n = ix.nodeNextAtElement[Int(n)]
            }
        }
    }

    /// Pushes onto `found` the candidates of `slot` consistent with the pinned elements (only the
    /// first when `one`).
    mutating func collect(slot: Int32, one: Bool) {
        ix.work.count = 0
        ix.work.append(ix.slotRoot[Int(slot)])
        while ix.work.count > 0 {
            ix.work.count -= 1
            let n = Int(ix.work[ix.work.count])
            var entry = ix.nodeFirstEntry[n]
            while entry >= 0 {
                ix.found.append(ix.entryLeaf[Int(entry)])
                if one { return }
                entry = ix.entryNext[Int(entry)]
            }
            var g = ix.nodeFirstGroup[n]
            while g >= 0 {
                let array = Int(ix.groupArray[Int(g)])
                if ix.pinCount[array] > 0 {
                    // Only the pinned element (the array lies in this node's element, so the
                    // pinned element is a child here when it holds a candidate).
                    let child = node(slot: slot, element: ix.pinElement[array])
                    if child >= 0 { ix.work.append(child) }
                } else {
                    var child = ix.groupFirstChild[Int(g)]
                    while child >= 0 {
                        ix.work.append(child)
                        child = ix.nodeNextSibling[Int(child)]
                    }
                }
                g = ix.groupNext[Int(g)]
            }
        }
    }

    /// Drops from `found[base...]` each candidate whose pins on arrays of slots from `laterSlot`
    /// on are those of a candidate before it: the search after either is the same. Those pins
    /// are the ones on the path down to the candidate's deepest element in such an array, so that
    /// element (or none) tells them apart. Leaves in arrays no later condition looks at (another
    /// array of the record than the rest of the rule's fields) are tried once, not once each.
    mutating func dropEquivalent(from base: Int, laterSlot: Int32) {
        ix.step &+= 1
        if ix.step == 0 {
            ix.triedAt.resize(to: elementValue.count, filling: 0)
            ix.step = 1
        }
        let step = ix.step
        var noneTried = false, kept = base
        for k in base..<ix.found.count {
            let leaf = ix.found[k]
            var e = leafElement[Int(leaf)]
            while e >= 0, ix.arrayLastSlot[Int(elementValue[Int(e)] >> 32)] < laterSlot { e = elementParent[Int(e)] }
            if e < 0 {
                if noneTried { continue }
                noneTried = true
            } else {
                if ix.triedAt[Int(e)] == step { continue }
                ix.triedAt[Int(e)] = step
            }
            ix.found[kept] = leaf
            kept += 1
        }
        ix.found.count = kept
    }

    /// Pins (`by` 1) or unpins (`by` -1) every array on `leaf`'s path to its element.
    @inline(__always)
    mutating func pin(_ leaf: Int32, by delta: Int32) {
        var e = leafElement[Int(leaf)]
        while e >= 0 {
            let array = Int(elementValue[Int(e)] >> 32)
            ix.pinCount[array] &+= delta
            ix.pinElement[array] = e
            e = elementParent[Int(e)]
        }
    }
}

extension RuleView {
    /// ``search`` through an ``ElementIndex``, same answers: conditions `start..<end` of one
    /// sub-rule, whose tests have all been asked (``passes``) by the caller.
    func searchIndexed(_ start: Int, _ end: Int, _ s: inout MatchState) -> Bool {
        s.startIndex(slots: 2 * (end - start))
        for i in start..<end {
            let c = conditions[i]
            let slot = Int32(2 * (i - start))
            for k in Int(c.matcherStart)..<Int(c.matcherEnd) {
                let m = matchers[k]
                if !passes(m, &s) { continue }
                var e = s.head[Int(m)]
                while e >= 0 {
                    s.indexLeaf(slot: slot, s.entryLeaf[Int(e)])
                    e = s.entryNext[Int(e)]
                }
            }
            if c.allowsAbsent, s.fieldStamp[Int(c.field)] == s.epoch {
                for leaf in 0..<s.leafField.count where s.leafField[leaf] == c.field {
                    s.indexLeaf(slot: slot + 1, Int32(leaf))
                }
            }
        }
        s.linkIndex()
        return searchIndexed(start, start, end, &s)
    }

    private func searchIndexed(_ start: Int, _ i: Int, _ end: Int, _ s: inout MatchState) -> Bool {
        if i == end { return true }
        let c = conditions[i]
        let slot = Int32(2 * (i - start))
        let base = s.ix.found.count
        s.collect(slot: slot, one: false)
        if i + 1 < end { s.dropEquivalent(from: base, laterSlot: slot + 2) }
        var k = base
        while k < s.ix.found.count {
            let leaf = s.ix.found[k]
            s.pin(leaf, by: 1)
            if searchIndexed(start, i + 1, end, &s) { return true }
            s.pin(leaf, by: -1)
            k += 1
        }
        s.ix.found.count = base
        if c.allowsAbsent {
            s.collect(slot: slot + 1, one: true)
            let present = s.ix.found.count > base
            s.ix.found.count = base
            if !present, searchIndexed(start, i + 1, end, &s) { return true }
        }
        return false
    }
}
