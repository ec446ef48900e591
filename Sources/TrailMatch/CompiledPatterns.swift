import TrailJSON

/// A rule set compiled into one matching structure.
///
/// All patterns are validated and compiled together: their field paths form one trie, each field
/// has one index of value tests shared by every rule, and each sub-rule (a pattern with its `$or`s
/// multiplied out) is anchored on its most selective condition. Matching an event walks only the
/// parts of the event that some rule references, tests each value once against its field's index,
/// and then checks the few sub-rules whose anchor fired, keeping fields from one array element
/// together (array consistency). The cost grows with the event, not with the number of rules.
///
/// Safe to share between threads; each call uses its own scratch space.
public final class CompiledPatterns: Sendable {
    /// One field's condition in a sub-rule; its tests are `matcherList[matcherStart..<matcherEnd]`.
    struct Condition: Sendable {
        var field: Int32
        var matcherStart: Int32
        var matcherEnd: Int32
        var allowsAbsent: Bool
    }

    /// A pattern with its `$or`s multiplied out; its conditions (in path order) are
    /// `conditionList[conditionStart..<conditionEnd]`.
    struct SubRule: Sendable {
        var pattern: Int32
        var conditionStart: Int32
        var conditionEnd: Int32
    }

    let trie: PathTrie
    let fields: [FrozenField]
    let subRules: [SubRule]
    let conditionList: [Condition]
    let matcherList: [Int32]
    /// For each matcher id, the sub-rules anchored on it (flattened: `postingStart[m]..<postingStart[m+1]`).
    let postingStart: [Int32]
    let postings: [Int32]
    /// Sub-rules without an anchor (every condition can hold with the field absent): always checked.
    let alwaysCheck: [Int32]
    /// Per matcher id: its spec when it is tested only on demand (see ``LazyTest``), else nil.
    let deferred: [MatcherSpec?]
    /// Per matcher id: its field.
    let matcherField: [Int32]
    private let scratchPool = ScratchPool()
    /// The trie node of the top-level key `detail`, or -1 when no rule looks inside it.
    let detailNode: Int
    /// When every sub-rule requires an indexed test on a top-level field other than `detail`
    /// (such as `source`): one such test per sub-rule. If none passes once the top-level members
    /// other than `detail` are walked, no pattern matches and `detail` need not be walked.
    let gateMatchers: [Int32]?
    /// When every sub-rule requires an indexed test on a constant field of the envelope
    /// (`source`, `detail-type`, `version`): those tests. If none passes on an envelope's constant
    /// part, no pattern matches any event with that part (see ``mayMatch(constants:scratch:)``).
    let constantGateMatchers: [Int32]?

    /// The number of patterns.
    public let count: Int
    /// A sub-rule's search goes through the element tree (``RuleView/searchIndexed(_:_:_:)``)
    /// when its conditions have more candidate leaves than this.
    let searchIndexAbove: Int

    /// Validates and compiles `patterns`. Throws the first invalid pattern's error, naming its file,
    /// rule and the JSON path of the problem.
    public convenience init(_ patterns: [NamedPattern]) throws(PatternError) {
        try self.init(patterns, searchIndexAbove: 64)
    }

    /// `searchIndexAbove` 0 makes every search with leaves in arrays use the index (tests).
    init(_ patterns: [NamedPattern], searchIndexAbove: Int) throws(PatternError) {
        self.searchIndexAbove = searchIndexAbove
        var trie = PathTrie()
        var fields: [FieldIndex] = []
        var fieldOfPath: [[UInt8]: Int32] = [:]
        var matcherIDs: [[MatcherSpec: Int32]] = []
        var matcherCount: Int32 = 0
        var subRules: [SubRule] = []
        var conditionList: [Condition] = []
        var matcherList: [Int32] = []
        var anchorOf: [(Int32, [Int32])] = []
        var specOf: [(Int32, MatcherSpec)] = []
        var always: [Int32] = []

        for (pi, named) in patterns.enumerated() {
            let conjunctions: [PatternCompiler.Conjunction]
            do {
                conjunctions = try PatternCompiler.compile(named.pattern)
            } catch {
                throw PatternError(file: named.file, rule: named.name, path: error.path, message: error.message)
            }
            for conjunction in conjunctions {
                let sorted = conjunction.sorted { $0.key.lexicographicallyPrecedes($1.key) }
                let conditionStart = Int32(conditionList.count)
                for (path, spec) in sorted {
                    let field: Int32
                    if let f = fieldOfPath[path] {
                        field = f
                    } else {
                        field = Int32(fields.count)
                        fieldOfPath[path] = field
                        fields.append(FieldIndex())
                        matcherIDs.append([:])
                        trie.setField(trie.insert(path: path), field)
                    }
                    var ids: [Int32] = []
                    for m in spec.matchers {
                        let id: Int32
                        if let existing = matcherIDs[Int(field)][m] {
                            id = existing
                        } else {
                            id = matcherCount
                            matcherCount += 1
                            matcherIDs[Int(field)][m] = id
                            specOf.append((field, m))
                        }
                        if !ids.contains(id) { ids.append(id) }
                    }
                    let start = Int32(matcherList.count)
                    matcherList += ids
                    conditionList.append(Condition(field: field, matcherStart: start, matcherEnd: Int32(matcherList.count), allowsAbsent: spec.allowsAbsent))
                }
                subRules.append(SubRule(pattern: Int32(pi), conditionStart: conditionStart, conditionEnd: Int32(conditionList.count)))
            }
        }

        // Anchor each sub-rule on the condition expected to fire least often: the operator's own
        // breadth times the number of sub-rules sharing the test (a test shared by many rules,
        // such as one event source, makes all of them candidates whenever it passes).
        var usage = [Int](repeating: 0, count: Int(matcherCount))
        for m in matcherList { usage[Int(m)] += 1 }
        for (sr, rule) in subRules.enumerated() {
            var bestCost = Int.max
            var anchor: [Int32]?
            for c in conditionList[Int(rule.conditionStart)..<Int(rule.conditionEnd)] where !c.allowsAbsent && c.matcherEnd > c.matcherStart {
                let ids = Array(matcherList[Int(c.matcherStart)..<Int(c.matcherEnd)])
                let cost = ids.reduce(0) { $0 + specOf[Int($1)].1.anchorCost * usage[Int($1)] }
                if cost < bestCost {
                    bestCost = cost
                    anchor = ids
                }
            }
            if let anchor {
                anchorOf.append((Int32(sr), anchor))
            } else {
                always.append(Int32(sr))
            }
        }

        var lists = [[Int32]](repeating: [], count: Int(matcherCount))
        for (sr, ids) in anchorOf { for m in ids { lists[Int(m)].append(sr) } }
        // Broad tests that anchor nothing are left to verification; the rest are indexed.
        var deferred = [MatcherSpec?](repeating: nil, count: Int(matcherCount))
        for (id, (field, spec)) in specOf.enumerated() {
            if lists[id].isEmpty, LazyTest.isDeferrable(spec) {
                deferred[id] = spec
            } else {
                fields[Int(field)].add(spec, id: Int32(id))
            }
        }
        self.deferred = deferred
        var pathOfField = [[UInt8]](repeating: [], count: fields.count)
        for (path, f) in fieldOfPath { pathOfField[Int(f)] = path }
        // Gates: per sub-rule, the first condition on a one-segment path other than `detail`.
        self.gateMatchers = Self.gates(subRules, conditionList, matcherList, deferred) { field in
            let path = pathOfField[Int(field)]
            return !path.contains(UInt8(ascii: ".")) && path != Array("detail".utf8)
        }
        // Constant gates: the same on the envelope's constant fields only.
        let constantFields: Set<[UInt8]> = [Array("source".utf8), Array("detail-type".utf8), Array("version".utf8)]
        self.constantGateMatchers = Self.gates(subRules, conditionList, matcherList, deferred) { constantFields.contains(pathOfField[Int($0)]) }
        self.matcherField = specOf.map(\.0)
        var start: [Int32] = [0]
        var flat: [Int32] = []
        for l in lists {
            flat += l
            start.append(Int32(flat.count))
        }
        self.trie = trie
        self.detailNode = trie.withView { view in
            let key: StaticString = "detail"
            return view.child(0, key.utf8Start, key.utf8CodeUnitCount)
        }
        self.fields = fields.map(FrozenField.init)
        self.subRules = subRules
        self.conditionList = conditionList
        self.matcherList = matcherList
        self.postingStart = start
        self.postings = flat
        self.alwaysCheck = always
        self.count = patterns.count
    }

    /// Per sub-rule, the tests of its first condition on a field `qualifies` accepts that must
    /// hold (absence does not satisfy it) and whose tests are all indexed (decided while walking);
    /// the union over sub-rules, or nil when some sub-rule has no such condition.
    private static func gates(_ subRules: [SubRule], _ conditionList: [Condition], _ matcherList: [Int32], _ deferred: [MatcherSpec?],
                              qualifies: (Int32) -> Bool) -> [Int32]? {
        guard !subRules.isEmpty else { return nil }
        var gates: [Int32] = []
        for rule in subRules {
            let gate = conditionList[Int(rule.conditionStart)..<Int(rule.conditionEnd)].first { c in
                !c.allowsAbsent && c.matcherEnd > c.matcherStart && qualifies(c.field)
                    && matcherList[Int(c.matcherStart)..<Int(c.matcherEnd)].allSatisfy { deferred[Int($0)] == nil }
            }
            guard let gate else { return nil }
            for m in matcherList[Int(gate.matcherStart)..<Int(gate.matcherEnd)] where !gates.contains(m) { gates.append(m) }
        }
        return gates
    }

    /// Ascending indexes of the patterns that match the event.
    ///
    /// When `detail` is non-nil, the event is the object `root` plus an extra member `"detail"`
    /// with that value (so a caller can pair a small envelope with a record without copying it).
    public func matchingIndexes(event root: JSONValue, detail: JSONValue?) -> [Int] {
        let scratch = scratchPool.take()
        defer { scratchPool.give(scratch) }
        return matchingIndexes(event: root, detail: detail, scratch: scratch)
    }

    /// Whether any pattern matches.
    public func matches(event root: JSONValue, detail: JSONValue? = nil) -> Bool {
        !matchingIndexes(event: root, detail: detail).isEmpty
    }

    func matchingIndexes(event root: JSONValue, detail: JSONValue?, scratch: MatchScratch) -> [Int] {
        let state = scratch.state
        return matchingIndexes(event: root, detail: detail, state: &state.pointee)
    }

    /// Whether some pattern may match an event whose envelope has `constants` as its constant part
    /// (`version`, `detail-type`, `source`: ``EnvelopeView/base``). False only when every pattern
    /// requires a value of one of those fields that `constants` does not have, so that an event
    /// with that part can be passed over without building its envelope.
    func mayMatch(constants: JSONValue, scratch: MatchScratch) -> Bool {
        guard let gates = constantGateMatchers else { return true }
        let state = scratch.state
        state.pointee.reset(matchers: postingStart.count - 1, fields: fields.count, subRules: subRules.count, patterns: count)
        if constants.kind == .object {
            EventWalker(patterns: self).walk(constants.document, constants.index, node: 0, state: &state.pointee)
        }
        for m in gates where state.pointee.passed(m) { return true }
        return false
    }

    /// Ascending indexes of the patterns that match the event `envelope` describes (the same as
    /// matching that event built as a document).
    public func matchingIndexes(envelope: EnvelopeView) -> [Int] {
        let scratch = scratchPool.take()
        defer { scratchPool.give(scratch) }
        return matchingIndexes(envelope: envelope, scratch: scratch)
    }

    func matchingIndexes(envelope: EnvelopeView, scratch: MatchScratch) -> [Int] {
        let state = scratch.state
        return matchingIndexes(envelope: envelope, state: &state.pointee)
    }

    private func matchingIndexes(envelope: EnvelopeView, state s: inout MatchState) -> [Int] {
        s.reset(matchers: postingStart.count - 1, fields: fields.count, subRules: subRules.count, patterns: count)
        let walker = EventWalker(patterns: self)
        walker.walkHead(envelope, state: &s)
        if gateClosed(s) { return [] }
        if detailNode >= 0 {
            s.walkingDetail = 1
            walker.walk(envelope.detail.document, envelope.detail.index, node: detailNode, state: &s)
        }
        return resolve(&s, envelope.base.document, envelope.detail.document)
    }

    /// Whether no pattern can match, judged once every top-level member but `detail` has been
    /// walked: every sub-rule requires some test on a top-level field (not `detail`) that is
    /// indexed, so its outcome is final by then, and none of those tests passed.
    @inline(__always)
    private func gateClosed(_ s: borrowing MatchState) -> Bool {
        guard let gates = gateMatchers else { return false }
        for m in gates where s.passed(m) { return false }
        return true
    }

    private func matchingIndexes(event root: JSONValue, detail: JSONValue?, state s: inout MatchState) -> [Int] {
        s.reset(matchers: postingStart.count - 1, fields: fields.count, subRules: subRules.count, patterns: count)
        let walker = EventWalker(patterns: self)
        // An event that is not an object has no fields.
        if root.kind == .object { walker.walk(root.document, Int(root.index), node: 0, state: &s) }
        if gateClosed(s) { return [] }
        if let detail, detailNode >= 0 {
            s.walkingDetail = 1
            walker.walk(detail.document, detail.index, node: detailNode, state: &s)
        }
        return resolve(&s, root.document, detail?.document)
    }

    private func resolve(_ s: inout MatchState, _ rootDocument: JSONDocument, _ detailDocument: JSONDocument?) -> [Int] {
        if s.firedMatchers.count == 0, alwaysCheck.isEmpty { return [] }
        s.candidates.count = 0
        let epoch = s.epoch
        postingStart.withUnsafeBufferPointer { ps in
            postings.withUnsafeBufferPointer { po in
                for f in 0..<s.firedMatchers.count {
                    let m = s.firedMatchers[f]
                    var k = Int(ps[Int(m)])
                    let end = Int(ps[Int(m) + 1])
                    while k < end {
                        let sr = po[k]
                        if s.subRuleStamp[Int(sr)] != epoch {
                            s.subRuleStamp[Int(sr)] = epoch
                            s.candidates.append(sr)
                        }
                        k += 1
                    }
                }
            }
        }
        for sr in alwaysCheck where s.subRuleStamp[Int(sr)] != epoch {
            s.subRuleStamp[Int(sr)] = epoch
            s.candidates.append(sr)
        }
        var result: [Int] = []
        let candidates = s.candidates
        subRules.withUnsafeBufferPointer { rules in
            conditionList.withUnsafeBufferPointer { conds in
                matcherList.withUnsafeBufferPointer { ms in
                    deferred.withUnsafeBufferPointer { df in
                    matcherField.withUnsafeBufferPointer { mf in
                    let view = RuleView(conditions: conds, matchers: ms, deferred: df, matcherField: mf, indexAbove: searchIndexAbove,
                                        rootDocument: rootDocument, detailDocument: detailDocument)
                    for c in 0..<candidates.count {
                        let sr = candidates[c]
                        let rule = rules[Int(sr)]
                        let p = Int(rule.pattern)
                        if s.patternStamp[p] == epoch { continue }
                        if view.verify(Int(rule.conditionStart), Int(rule.conditionEnd), &s) {
                            s.patternStamp[p] = epoch
                            result.append(p)
                        }
                    }
                    }
                    }
                }
            }
        }
        if result.count > 1 { result.sort() }
        return result
    }
}

/// Pointers to a rule set's flat condition and test lists, valid while matching one event.
///
/// Non-escapable: it lives only while `resolve` borrows the event's documents, which makes its
/// unowned references to them sound (and spares a retain and release per event).
struct RuleView: ~Escapable {
    typealias Condition = CompiledPatterns.Condition
    let conditions: UnsafeBufferPointer<Condition>
    let matchers: UnsafeBufferPointer<Int32>
    let deferred: UnsafeBufferPointer<MatcherSpec?>
    let matcherField: UnsafeBufferPointer<Int32>
    let indexAbove: Int
    unowned(unsafe) let rootDocument: JSONDocument
    unowned(unsafe) let detailDocument: JSONDocument?

    @_lifetime(borrow rootDocument, borrow detailDocument)
    init(conditions: UnsafeBufferPointer<Condition>, matchers: UnsafeBufferPointer<Int32>, deferred: UnsafeBufferPointer<MatcherSpec?>,
         matcherField: UnsafeBufferPointer<Int32>, indexAbove: Int, rootDocument: borrowing JSONDocument, detailDocument: borrowing JSONDocument?) {
        self.conditions = conditions
        self.matchers = matchers
        self.deferred = deferred
        self.matcherField = matcherField
        self.indexAbove = indexAbove
        self.rootDocument = copy rootDocument
        self.detailDocument = copy detailDocument
    }

    /// Whether test `m` passed on some leaf; deferred tests are run on the field's leaves the
    /// first time a sub-rule asks.
    @inline(__always)
    func passes(_ m: Int32, _ s: inout MatchState) -> Bool {
        if s.passed(m) { return true }
        guard let spec = deferred[Int(m)] else { return false }
        if s.lazyStamp[Int(m)] == s.epoch { return false }
        s.lazyStamp[Int(m)] = s.epoch
        let field = matcherField[Int(m)]
        for leaf in 0..<s.leafField.count where s.leafField[leaf] == field {
            let doc: JSONDocument = s.leafInDetail[leaf] != 0 ? (detailDocument ?? rootDocument) : rootDocument
            if LazyTest.test(spec, doc, Int(s.leafNode[leaf])) { s.fire(m, UInt64(leaf)) }
        }
        return s.passed(m)
    }

    @inline(__always)
    private func anyPassed(_ c: Condition, _ s: inout MatchState) -> Bool {
        var k = Int(c.matcherStart)
        while k < Int(c.matcherEnd) {
            if passes(matchers[k], &s) { return true }
            k += 1
        }
        return false
    }

    func verify(_ start: Int, _ end: Int, _ s: inout MatchState) -> Bool {
        var hasAbsence = false
        for i in start..<end {
            let c = conditions[i]
            if c.allowsAbsent { hasAbsence = true; continue }
            if !anyPassed(c, &s) { return false }
        }
        if s.leavesInArrays == 0 {
            // Every combination of leaves is consistent: an absence condition holds when one of its
            // tests passed or the field has no leaf at all.
            if hasAbsence {
                for i in start..<end {
                    let c = conditions[i]
                    if c.allowsAbsent, s.fieldStamp[Int(c.field)] == s.epoch, !anyPassed(c, &s) { return false }
                }
            }
            return true
        }
        if plainSearchIsLarge(start, end, &s) { return searchIndexed(start, end, &s) }
        s.chosen.count = 0
        return search(start, end, &s)
    }

    /// Whether the conditions have more than `indexAbove` candidate leaves in all (the plain
    /// search may try each against each), counted up to that. Most events have few leaves, and
    /// then nothing is counted (nor are deferred tests run early).
    private func plainSearchIsLarge(_ start: Int, _ end: Int, _ s: inout MatchState) -> Bool {
        if s.entryLeaf.count + s.leafField.count <= indexAbove { return false }
        var n = 0
        for i in start..<end {
            let c = conditions[i]
            if c.allowsAbsent, s.fieldStamp[Int(c.field)] == s.epoch { n += s.leafField.count }
            for k in Int(c.matcherStart)..<Int(c.matcherEnd) where passes(matchers[k], &s) {
                var e = s.head[Int(matchers[k])]
                while e >= 0 {
                    n += 1
                    if n > indexAbove { return true }
                    e = s.entryNext[Int(e)]
                }
            }
            if n > indexAbove { return true }
        }
        return false
    }

    /// Finds leaves for conditions `i...`, consistent with the leaves chosen so far. Conditions are
    /// in path order; an absence condition holds when no leaf of its field is consistent with the
    /// leaves chosen before it.
    private func search(_ i: Int, _ end: Int, _ s: inout MatchState) -> Bool {
        if i == end { return true }
        let c = conditions[i]
        for k in Int(c.matcherStart)..<Int(c.matcherEnd) {
            let m = matchers[k]
            if !passes(m, &s) { continue }
            var e = s.head[Int(m)]
            while e >= 0 {
                let leaf = s.entryLeaf[Int(e)]
                e = s.entryNext[Int(e)]
                if !s.consistentWithChosen(leaf) { continue }
                s.chosen.append(leaf)
                if search(i + 1, end, &s) { return true }
                s.chosen.removeLast()
            }
        }
        if c.allowsAbsent {
            var present = false
            if s.fieldStamp[Int(c.field)] == s.epoch {
                for leaf in 0..<s.leafField.count where s.leafField[leaf] == c.field {
                    if s.consistentWithChosen(Int32(leaf)) { present = true; break }
                }
            }
            if !present, search(i + 1, end, &s) { return true }
        }
        return false
    }
}
