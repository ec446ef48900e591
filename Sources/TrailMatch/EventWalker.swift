import TrailJSON

/// Walks one event's JSON tape along the rule set's path trie, recording leaf values of tested
/// fields and the tests they pass.
struct EventWalker {
    let patterns: CompiledPatterns

    init(patterns: CompiledPatterns) {
        self.patterns = patterns
    }

    func walk(_ document: JSONDocument, _ index: Int, node: Int, state: inout MatchState) {
        patterns.trie.withView { trie in
            patterns.fields.withUnsafeBufferPointer { fields in
                document.nodes.withUnsafeBufferPointer { nodes in
                    document.bytes.withUnsafeBufferPointer { bytes in
                        let ctx = Context(trie: trie, fields: fields, nodes: nodes, bytes: bytes, document: document)
                        walkValue(ctx, index, node, &state)
                    }
                }
            }
        }
    }

    /// Walks the members of an ``EnvelopeView`` other than `detail`: its base object, its picked
    /// members and its list. Leaves outside the base object count as `detail` leaves, so that
    /// deferred tests read `detail`'s document.
    func walkHead(_ view: EnvelopeView, state s: inout MatchState) {
        patterns.trie.withView { trie in
            patterns.fields.withUnsafeBufferPointer { fields in
                let base = view.base.document
                if base.nodes[view.base.index].kind == .object {
                    base.nodes.withUnsafeBufferPointer { nodes in
                        base.bytes.withUnsafeBufferPointer { bytes in
                            let ctx = Context(trie: trie, fields: fields, nodes: nodes, bytes: bytes, document: base)
                            walkValue(ctx, view.base.index, 0, &s)
                        }
                    }
                }
                s.walkingDetail = 1
                let document = view.detail.document
                document.nodes.withUnsafeBufferPointer { nodes in
                    document.bytes.withUnsafeBufferPointer { bytes in
                        let ctx = Context(trie: trie, fields: fields, nodes: nodes, bytes: bytes, document: document)
                        for i in 0..<view.pickCount {
                            let pick = view.pick(i)
                            let child = trie.follow(0, pick.key.utf8Start, pick.key.utf8CodeUnitCount)
                            if child >= 0 { walkValue(ctx, pick.node, child, &s) }
                        }
                        if view.listArray >= 0 {
                            let child = trie.follow(0, view.listKey.utf8Start, view.listKey.utf8CodeUnitCount)
                            if child >= 0 { walkList(ctx, view.listArray, member: view.listMember, child, &s) }
                        }
                    }
                }
            }
        }
    }

    /// The list member of an ``EnvelopeView``: an array whose elements are the string values of
    /// `member` in the elements of `array`.
    private func walkList(_ ctx: Context, _ array: Int, member: StaticString, _ trieNode: Int, _ s: inout MatchState) {
        let nodes = ctx.nodes
        guard nodes[array].kind == .array else { return }
        let id = UInt64(s.arrayCounter)
        s.arrayCounter += 1
        var element: UInt64 = 0
        var cursor = array + 1
        var remaining = Int(nodes[array].count)
        while remaining > 0 {
            remaining -= 1
            let e = cursor
            cursor = Int(nodes[e].next)
            guard nodes[e].kind == .object else { continue }
            var value = -1
            var k = e + 1
            var members = Int(nodes[e].count)
            while members > 0 {
                members -= 1
                if keyEquals(ctx, k, member) { value = k + 1 }
                k = Int(nodes[k + 1].next)
            }
            guard value >= 0, nodes[value].kind == .string else { continue }
            s.stack.append(id << 32 | element)
            walkValue(ctx, value, trieNode, &s)
            s.stack.removeLast()
            element += 1
        }
    }

    @inline(__always)
    private func keyEquals(_ ctx: Context, _ k: Int, _ key: StaticString) -> Bool {
        let n = ctx.nodes[k]
        if n.hasEscapes { return JSONValue(document: ctx.document, index: k).isString(key.description) }
        let len = Int(n.end &- n.start)
        guard len == key.utf8CodeUnitCount, let base = ctx.bytes.baseAddress else { return false }
        let p = base + Int(n.start)
        let q = key.utf8Start
        for i in 0..<len where p[i] != q[i] { return false }
        return true
    }

    struct Context {
        let trie: TrieView
        let fields: UnsafeBufferPointer<FrozenField>
        let nodes: UnsafeBufferPointer<JSONNode>
        let bytes: UnsafeBufferPointer<UInt8>
        unowned(unsafe) let document: JSONDocument
    }

    private func walkValue(_ ctx: Context, _ index: Int, _ trieNode: Int, _ s: inout MatchState) {
        let nodes = ctx.nodes
        let n = nodes[index]
        switch n.kind {
        case .object:
            if ctx.trie.lengthMasks[trieNode] == 0 { return }
            var cursor = index + 1
            var remaining = Int(n.count)
            while remaining > 0 {
                remaining -= 1
                let keyIndex = cursor
                let valueIndex = cursor + 1
                cursor = Int(nodes[valueIndex].next)
                let key = nodes[keyIndex]
                let child: Int
                if key.hasEscapes {
                    let decoded = JSONValue(document: ctx.document, index: keyIndex).decodedStringBytes
                    child = decoded.withUnsafeBufferPointer { ctx.trie.follow(trieNode, $0.baseAddress, $0.count) }
                } else {
                    child = ctx.trie.follow(trieNode, ctx.bytes.baseAddress.map { $0 + Int(key.start) }, Int(key.end - key.start))
                }
                if child >= 0 { walkValue(ctx, valueIndex, child, &s) }
            }
        case .array:
            let id = UInt64(s.arrayCounter)
            s.arrayCounter += 1
            var cursor = index + 1
            var element: UInt64 = 0
            var remaining = Int(n.count)
            while remaining > 0 {
                remaining -= 1
                s.stack.append(id << 32 | element)
                walkValue(ctx, cursor, trieNode, &s)
                s.stack.removeLast()
                cursor = Int(nodes[cursor].next)
                element += 1
            }
        default:
            let field = ctx.trie.fields[trieNode]
            if field >= 0 { evaluateLeaf(ctx, n, index, field, &s) }
        }
    }

    private func evaluateLeaf(_ ctx: Context, _ n: JSONNode, _ index: Int, _ field: Int32, _ s: inout MatchState) {
        let bytes = ctx.bytes
        let leaf = s.addLeaf(field: field, node: index)
        let tag = UInt64(UInt32(bitPattern: leaf))
        do {
            unowned(unsafe) let f = ctx.fields[Int(field)]
            switch n.kind {
            case .string:
                if n.hasEscapes {
                    let decoded = JSONValue(document: ctx.document, index: index).decodedStringBytes
                    decoded.withUnsafeBufferPointer { d in
                        let empty: UInt8 = 0
                        if let base = d.baseAddress {
                            f.evaluateString(base, d.count, out: &s, tag: tag)
                        } else {
                            withUnsafePointer(to: empty) { f.evaluateString($0, 0, out: &s, tag: tag) }
                        }
                    }
                } else if let base = bytes.baseAddress {
                    f.evaluateString(base + Int(n.start), Int(n.end - n.start), out: &s, tag: tag)
                }
            case .number:
                if let base = bytes.baseAddress { f.evaluateNumber(base + Int(n.start), Int(n.end - n.start), out: &s, tag: tag) }
            case .true: f.evaluateLiteral(f.trueID, out: &s, tag: tag)
            case .false: f.evaluateLiteral(f.falseID, out: &s, tag: tag)
            default: f.evaluateLiteral(f.nullID, out: &s, tag: tag)
            }
        }
    }
}
