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
                document.withCursor { json in
                    walkValue(Context(trie: trie, fields: fields, json: json), index, node, &state)
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
                view.base.document.withCursor { json in
                    if json.kind(view.base.index) == .object {
                        walkValue(Context(trie: trie, fields: fields, json: json), view.base.index, 0, &s)
                    }
                }
                s.walkingDetail = 1
                view.detail.document.withCursor { json in
                    let ctx = Context(trie: trie, fields: fields, json: json)
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

    /// The list member of an ``EnvelopeView``: an array whose elements are the string values of
    /// `member` in the elements of `array`.
    private func walkList(_ ctx: Context, _ array: Int, member: StaticString, _ trieNode: Int, _ s: inout MatchState) {
        let json = ctx.json
        guard json.kind(array) == .array else { return }
        let id = UInt64(s.arrayCounter)
        s.arrayCounter += 1
        var element: UInt64 = 0
        json.forEachElement(array) { e in
            let value = json.member(e, member)
            guard value >= 0, json.kind(value) == .string else { return }
            s.enterElement(array: id, element: element)
            walkValue(ctx, value, trieNode, &s)
            s.leaveElement()
            element += 1
        }
    }

    /// What a walk reads: the rule set's trie and fields, and the event's document. Holds a
    /// ``JSONCursor``, so it cannot outlive the walk.
    struct Context: ~Escapable {
        let trie: TrieView
        let fields: UnsafeBufferPointer<FrozenField>
        let json: JSONCursor

        @_lifetime(copy json)
        init(trie: TrieView, fields: UnsafeBufferPointer<FrozenField>, json: JSONCursor) {
            self.trie = trie
            self.fields = fields
            self.json = json
        }
    }

    private func walkValue(_ ctx: Context, _ index: Int, _ trieNode: Int, _ s: inout MatchState) {
        let json = ctx.json
        let n = json.node(index)
        switch n.kind {
        case .object:
            if ctx.trie.lengthMasks[trieNode] == 0 { return }
            json.forEachMemberKey(index) { key, valueIndex in
                let child = ctx.trie.follow(trieNode, key.baseAddress, key.count)
                if child >= 0 { walkValue(ctx, valueIndex, child, &s) }
            }
        case .array:
            let id = UInt64(s.arrayCounter)
            s.arrayCounter += 1
            var element: UInt64 = 0
            json.forEachElement(index) { e in
                s.enterElement(array: id, element: element)
                walkValue(ctx, e, trieNode, &s)
                s.leaveElement()
                element += 1
            }
        default:
            let field = ctx.trie.fields[trieNode]
            if field >= 0 { evaluateLeaf(ctx, n, index, field, &s) }
        }
    }

    private func evaluateLeaf(_ ctx: Context, _ n: JSONNode, _ index: Int, _ field: Int32, _ s: inout MatchState) {
        let json = ctx.json
        let leaf = s.addLeaf(field: field, node: index)
        let tag = UInt64(UInt32(bitPattern: leaf))
        do {
            unowned(unsafe) let f = ctx.fields[Int(field)]
            switch n.kind {
            case .string:
                json.withStringBytes(index) { d in
                    let empty: UInt8 = 0
                    if let base = d.baseAddress {
                        f.evaluateString(base, d.count, out: &s, tag: tag)
                    } else {
                        withUnsafePointer(to: empty) { f.evaluateString($0, 0, out: &s, tag: tag) }
                    }
                }
            case .number:
                let text = json.sourceBytes(index)
                if let base = text.baseAddress { f.evaluateNumber(base, text.count, out: &s, tag: tag) }
            case .true: f.evaluateLiteral(f.trueID, out: &s, tag: tag)
            case .false: f.evaluateLiteral(f.falseID, out: &s, tag: tag)
            default: f.evaluateLiteral(f.nullID, out: &s, tag: tag)
            }
        }
    }
}
