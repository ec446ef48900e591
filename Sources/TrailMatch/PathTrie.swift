/// The field paths used by a rule set, as a trie of dotted-path segments. Walking an event follows
/// only keys that lead to some referenced field; everything else is skipped whole.
struct PathTrie: Sendable {
    struct Node: Sendable {
        var children = ByteTable()
        /// Bit `len & 63` is set when some child key has that length: a cheap first filter.
        var lengthMask: UInt64 = 0
        /// The field id when a rule tests this path, else -1.
        var field: Int32 = -1
    }

    private(set) var nodes: [Node] = [Node()]

    /// The node for a dotted path, created as needed.
    mutating func insert(path: [UInt8]) -> Int {
        var current = 0
        for segment in path.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            let key = Array(segment)
            let existing = key.withUnsafeBufferPointer { nodes[current].children.find($0.baseAddress, $0.count) }
            if existing >= 0 {
                current = Int(existing)
            } else {
                let index = nodes.count
                nodes.append(Node())
                nodes[current].children.insert(key, value: Int32(index))
                nodes[current].lengthMask |= 1 << UInt64(key.count & 63)
                current = index
            }
        }
        return current
    }

    mutating func setField(_ node: Int, _ field: Int32) { nodes[node].field = field }

    /// The child of `node` reached by the `n` bytes at `p` (which contain no dot), or -1.
    @inline(__always)
    func child(_ node: Int, _ p: UnsafePointer<UInt8>?, _ n: Int) -> Int {
        nodes.withUnsafeBufferPointer { ns in
            let nd = ns[node]
            if nd.lengthMask & (1 << UInt64(n & 63)) == 0 { return -1 }
            return Int(nd.children.find(p, n))
        }
    }

    /// The node reached from `node` by a key that may contain dots (`a.b` is the same as nesting).
    @inline(__always)
    func follow(_ node: Int, _ p: UnsafePointer<UInt8>?, _ n: Int) -> Int {
        guard let p else { return child(node, nil, 0) }
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
