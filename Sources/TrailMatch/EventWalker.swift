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
