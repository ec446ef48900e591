/// The field paths used by a rule set, as a trie of dotted-path segments. Walking an event follows
/// only keys that lead to some referenced field; everything else is skipped whole.
///
/// Stored flat for speed: per node a field id and a bit set of child key lengths (a cheap first
/// filter), and one hash table of edges keyed by (parent node, segment bytes).
struct PathTrie: Sendable {
    struct Edge: Sendable {
        var hash: UInt64 = 0
        var parent: Int32 = -1
        var child: Int32 = -1
        var offset: UInt32 = 0
        var length: UInt32 = 0
    }

    /// Field id per node (-1 when no rule tests the path).
    private(set) var fields: [Int32] = [-1]
    /// Bit `len & 63` is set when the node has a child key of that length.
    private(set) var lengthMasks: [UInt64] = [0]
    private(set) var edges: [Edge] = Array(repeating: Edge(), count: 16)
    private(set) var arena: [UInt8] = []
    private var edgeCount = 0
    /// Per node with children, 256 slots indexed by ``TrieView/slot(_:_:)`` of a key: the child
    /// when exactly one child key has that slot, -1 for none, -2 when several do (use `edges`).
    private(set) var quick: [Int32] = []
    /// Offset of each node's 256 quick slots, or -1 for nodes without children.
    private(set) var quickBase: [Int32] = [-1]
    /// Each node's own key (its last path segment) in `arena`.
    private(set) var keyOffset: [UInt32] = [0]
    private(set) var keyLength: [UInt32] = [0]

    var nodeCount: Int { fields.count }

    /// The node for a dotted path, created as needed.
    mutating func insert(path: [UInt8]) -> Int {
        var current = 0
        for segment in path.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            let key = Array(segment)
            let existing = key.withUnsafeBufferPointer { k in
                edges.withUnsafeBufferPointer { e in
                    arena.withUnsafeBufferPointer { a in TrieView.find(e, a, Int32(current), k.baseAddress, k.count) }
                }
            }
            if existing >= 0 {
                current = existing
                continue
            }
            let child = fields.count
            fields.append(-1)
            lengthMasks.append(0)
            quickBase.append(-1)
            keyOffset.append(UInt32(arena.count))
            keyLength.append(UInt32(key.count))
            if quickBase[current] < 0 {
                quickBase[current] = Int32(quick.count)
                quick.append(contentsOf: repeatElement(-1, count: 256))
            }
            let slot = Int(quickBase[current]) + key.withUnsafeBufferPointer { TrieView.slot($0.baseAddress, $0.count) }
            quick[slot] = quick[slot] == -1 ? Int32(child) : -2
            lengthMasks[current] |= 1 << UInt64(key.count & 63)
            if (edgeCount + 1) * 2 > edges.count { growEdges() }
            let h = key.withUnsafeBufferPointer { TrieView.edgeHash(Int32(current), $0.baseAddress, $0.count) }
            let edge = Edge(hash: h, parent: Int32(current), child: Int32(child), offset: UInt32(arena.count), length: UInt32(key.count))
            arena.append(contentsOf: key)
            place(edge)
            edgeCount += 1
            current = child
        }
        return current
    }

    mutating func setField(_ node: Int, _ field: Int32) { fields[node] = field }

    private mutating func place(_ edge: Edge) {
        let mask = edges.count - 1
        var i = Int(truncatingIfNeeded: edge.hash) & mask
        while edges[i].child >= 0 { i = (i + 1) & mask }
        edges[i] = edge
    }

    private mutating func growEdges() {
        let old = edges
        edges = Array(repeating: Edge(), count: old.count * 2)
        for e in old where e.child >= 0 { place(e) }
    }

    /// Runs `body` with a pointer-based view of the trie.
    @inline(__always)
    func withView<R>(_ body: (TrieView) -> R) -> R {
        fields.withUnsafeBufferPointer { f in
            lengthMasks.withUnsafeBufferPointer { m in
                edges.withUnsafeBufferPointer { e in
                    arena.withUnsafeBufferPointer { a in
                        quick.withUnsafeBufferPointer { q in
                            quickBase.withUnsafeBufferPointer { qb in
                                keyOffset.withUnsafeBufferPointer { ko in
                                    keyLength.withUnsafeBufferPointer { kl in
                                        body(TrieView(fields: f, lengthMasks: m, edges: e, arena: a, quick: q, quickBase: qb, keyOffset: ko, keyLength: kl))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Pointers into a ``PathTrie``, valid inside ``PathTrie/withView(_:)``.
struct TrieView {
    let fields: UnsafeBufferPointer<Int32>
    let lengthMasks: UnsafeBufferPointer<UInt64>
    let edges: UnsafeBufferPointer<PathTrie.Edge>
    let arena: UnsafeBufferPointer<UInt8>
    let quick: UnsafeBufferPointer<Int32>
    let quickBase: UnsafeBufferPointer<Int32>
    let keyOffset: UnsafeBufferPointer<UInt32>
    let keyLength: UnsafeBufferPointer<UInt32>

    /// A cheap 8-bit signature of a key: its length, first and last bytes.
    @inline(__always)
    static func slot(_ p: UnsafePointer<UInt8>?, _ n: Int) -> Int {
        guard let p, n > 0 else { return 0 }
        return (n &* 37 &+ Int(p[0]) &* 7 &+ Int(p[n - 1]) &* 3) & 255
    }

    /// Whether `n` bytes at `p` contain a dot (eight bytes at a time).
    @inline(__always)
    static func containsDot(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= n {
            let x = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ 0x2E2E_2E2E_2E2E_2E2E
            if (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080 != 0 { return true }
            i += 8
        }
        while i < n {
            if p[i] == UInt8(ascii: ".") { return true }
            i += 1
        }
        return false
    }

    @inline(__always)
    static func edgeHash(_ parent: Int32, _ p: UnsafePointer<UInt8>?, _ n: Int) -> UInt64 {
        (ByteHash.hash(p, n) ^ (UInt64(UInt32(bitPattern: parent)) &* 0x9E37_79B9_7F4A_7C15)) &* 0xD6E8_FEB8_6659_FD93
    }

    @inline(__always)
    static func find(_ edges: UnsafeBufferPointer<PathTrie.Edge>, _ arena: UnsafeBufferPointer<UInt8>, _ parent: Int32, _ p: UnsafePointer<UInt8>?, _ n: Int) -> Int {
        let h = edgeHash(parent, p, n)
        let mask = edges.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = edges[i]
            if e.child < 0 { return -1 }
            if e.hash == h, e.parent == parent, Int(e.length) == n {
                if n == 0 { return Int(e.child) }
                if let p, let base = arena.baseAddress, bytesEqual(base + Int(e.offset), p, n) { return Int(e.child) }
            }
            i = (i + 1) & mask
        }
    }

    /// The child of `node` reached by the `n` bytes at `p` (which contain no dot), or -1.
    @inline(__always)
    func child(_ node: Int, _ p: UnsafePointer<UInt8>?, _ n: Int) -> Int {
        if lengthMasks[node] & (1 << UInt64(n & 63)) == 0 { return -1 }
        return Self.find(edges, arena, Int32(node), p, n)
    }

    /// The node reached from `node` by a key that may contain dots (`a.b` is the same as nesting).
    @inline(__always)
    func follow(_ node: Int, _ p: UnsafePointer<UInt8>?, _ n: Int) -> Int {
        guard let p else { return child(node, nil, 0) }
        let qb = Int(quickBase[node])
        if qb < 0 { return -1 }
        let c = Int(quick[qb + Self.slot(p, n)])
        if c >= 0 {
            if Int(keyLength[c]) == n, let a = arena.baseAddress, bytesEqual(a + Int(keyOffset[c]), p, n) { return c }
        } else if c == -2 {
            let found = child(node, p, n)
            if found >= 0 { return found }
        }
        if !Self.containsDot(p, n) { return -1 }
        var start = 0
        var current = node
        var i = 0
        while i < n {
            if p[i] == UInt8(ascii: ".") {
                current = child(current, p + start, i - start)
                if current < 0 { return -1 }
                start = i + 1
            }
            i += 1
        }
        return child(current, p + start, n - start)
    }
}
