import TrailJSON

/// Walks one event's JSON tape along the rule set's path trie, recording leaf values of tested
/// fields and the tests they pass.
struct EventWalker {
    let patterns: CompiledPatterns
    let scratch: MatchScratch

    init(patterns: CompiledPatterns, scratch: MatchScratch) {
        self.patterns = patterns
        self.scratch = scratch
    }

    mutating func walk(_ document: JSONDocument, _ index: Int, node: Int) {
        document.nodes.withUnsafeBufferPointer { nodes in
            document.bytes.withUnsafeBufferPointer { bytes in
                walkValue(nodes, bytes, document, index, node)
            }
        }
    }

    private func walkValue(_ nodes: UnsafeBufferPointer<JSONNode>, _ bytes: UnsafeBufferPointer<UInt8>, _ doc: JSONDocument, _ index: Int, _ trieNode: Int) {
        let n = nodes[index]
        switch n.kind {
        case .object:
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
                    let decoded = JSONValue(document: doc, index: keyIndex).decodedStringBytes
                    child = decoded.withUnsafeBufferPointer { patterns.trie.follow(trieNode, $0.baseAddress, $0.count) }
                } else {
                    child = patterns.trie.follow(trieNode, bytes.baseAddress.map { $0 + Int(key.start) }, Int(key.end - key.start))
                }
                if child >= 0 { walkValue(nodes, bytes, doc, valueIndex, child) }
            }
        case .array:
            let id = UInt64(scratch.arrayCounter)
            scratch.arrayCounter += 1
            var cursor = index + 1
            var element: UInt64 = 0
            var remaining = Int(n.count)
            while remaining > 0 {
                remaining -= 1
                scratch.stack.append(id << 32 | element)
                walkValue(nodes, bytes, doc, cursor, trieNode)
                scratch.stack.removeLast()
                cursor = Int(nodes[cursor].next)
                element += 1
            }
        default:
            let field = patterns.trie.nodes[trieNode].field
            if field >= 0 { evaluateLeaf(n, bytes, doc, index, field) }
        }
    }

    private func evaluateLeaf(_ n: JSONNode, _ bytes: UnsafeBufferPointer<UInt8>, _ doc: JSONDocument, _ index: Int, _ field: Int32) {
        let s = scratch
        let leaf = s.addLeaf(field: field)
        let tag = UInt64(UInt32(bitPattern: leaf))
        let fire: (Int32) -> Void = { id in s.fired.append(UInt64(UInt32(bitPattern: id)) << 32 | tag) }
        patterns.fields.withUnsafeBufferPointer { fs in
            let f = fs[Int(field)]
            switch n.kind {
            case .string:
                if n.hasEscapes {
                    let decoded = JSONValue(document: doc, index: index).decodedStringBytes
                    decoded.withUnsafeBufferPointer { d in
                        let empty: UInt8 = 0
                        if let base = d.baseAddress {
                            f.evaluateString(base, d.count, foldBuffer: &s.foldBuffer, fire: fire)
                        } else {
                            withUnsafePointer(to: empty) { f.evaluateString($0, 0, foldBuffer: &s.foldBuffer, fire: fire) }
                        }
                    }
                } else if let base = bytes.baseAddress {
                    f.evaluateString(base + Int(n.start), Int(n.end - n.start), foldBuffer: &s.foldBuffer, fire: fire)
                }
            case .number:
                if let base = bytes.baseAddress { f.evaluateNumber(base + Int(n.start), Int(n.end - n.start), fire: fire) }
            case .true: f.evaluateLiteral(f.trueID, fire: fire)
            case .false: f.evaluateLiteral(f.falseID, fire: fire)
            default: f.evaluateLiteral(f.nullID, fire: fire)
            }
        }
    }
}
