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
    struct Condition: Sendable {
        var field: Int32
        var matchers: [Int32]
        var allowsAbsent: Bool
    }

    struct SubRule: Sendable {
        var pattern: Int32
        var conditions: [Condition]
    }

    let trie: PathTrie
    let fields: [FieldIndex]
    let subRules: [SubRule]
    /// For each matcher id, the sub-rules anchored on it (flattened: `postingStart[m]..<postingStart[m+1]`).
    let postingStart: [Int32]
    let postings: [Int32]
    /// Sub-rules without an anchor (every condition can hold with the field absent): always checked.
    let alwaysCheck: [Int32]
    private let scratchPool = ScratchPool()

    /// The number of patterns.
    public let count: Int

    /// Validates and compiles `patterns`. Throws the first invalid pattern's error, naming its file,
    /// rule and the JSON path of the problem.
    public init(_ patterns: [NamedPattern]) throws(PatternError) {
        var trie = PathTrie()
        var fields: [FieldIndex] = []
        var fieldOfPath: [[UInt8]: Int32] = [:]
        var matcherIDs: [[MatcherSpec: Int32]] = []
        var matcherCount: Int32 = 0
        var subRules: [SubRule] = []
        var anchorOf: [(Int32, [Int32])] = []
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
                var conditions: [Condition] = []
                var bestCost = Int.max
                var anchor: [Int32]?
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
                    var cost = 0
                    for m in spec.matchers {
                        let id: Int32
                        if let existing = matcherIDs[Int(field)][m] {
                            id = existing
                        } else {
                            id = matcherCount
                            matcherCount += 1
                            matcherIDs[Int(field)][m] = id
                            fields[Int(field)].add(m, id: id)
                        }
                        if !ids.contains(id) { ids.append(id) }
                        cost += m.anchorCost
                    }
                    if !spec.allowsAbsent, !ids.isEmpty, cost < bestCost {
                        bestCost = cost
                        anchor = ids
                    }
                    conditions.append(Condition(field: field, matchers: ids, allowsAbsent: spec.allowsAbsent))
                }
                let sr = Int32(subRules.count)
                subRules.append(SubRule(pattern: Int32(pi), conditions: conditions))
                if let anchor {
                    anchorOf.append((sr, anchor))
                } else {
                    always.append(sr)
                }
            }
        }

        var lists = [[Int32]](repeating: [], count: Int(matcherCount))
        for (sr, ids) in anchorOf { for m in ids { lists[Int(m)].append(sr) } }
        var start: [Int32] = [0]
        var flat: [Int32] = []
        for l in lists {
            flat += l
            start.append(Int32(flat.count))
        }
        self.trie = trie
        self.fields = fields
        self.subRules = subRules
        self.postingStart = start
        self.postings = flat
        self.alwaysCheck = always
        self.count = patterns.count
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

    func matchingIndexes(event root: JSONValue, detail: JSONValue?, scratch s: MatchScratch) -> [Int] {
        s.reset()
        var walker = EventWalker(patterns: self, scratch: s)
        walker.walk(root.document, Int(root.index), node: 0)
        if let detail {
            let child = "detail".utf8.withContiguousStorageIfAvailable { trie.child(0, $0.baseAddress, $0.count) } ?? -1
            if child >= 0 { walker.walk(detail.document, detail.index, node: child) }
        }
        return resolve(s)
    }

    private func resolve(_ s: MatchScratch) -> [Int] {
        if s.fired.isEmpty, alwaysCheck.isEmpty { return [] }
        s.fired.sort()
        s.candidates.removeAll(keepingCapacity: true)
        var last: UInt64 = .max
        postingStart.withUnsafeBufferPointer { ps in
            postings.withUnsafeBufferPointer { po in
                for f in s.fired {
                    let m = f >> 32
                    if m == last { continue }
                    last = m
                    let a = Int(ps[Int(m)]), b = Int(ps[Int(m) + 1])
                    var k = a
                    while k < b { s.candidates.append(po[k]); k += 1 }
                }
            }
        }
        s.candidates.append(contentsOf: alwaysCheck)
        if s.candidates.isEmpty { return [] }
        s.candidates.sort()
        var result: [Int] = []
        var previous: Int32 = -1
        for sr in s.candidates where sr != previous {
            previous = sr
            let rule = subRules[Int(sr)]
            let p = Int(rule.pattern)
            if let lastMatched = result.last, lastMatched == p { continue }
            if verify(rule, s) {
                if result.last != p { result.append(p) }
            }
        }
        // Sub-rule ids grow with pattern ids, so `result` is already ascending; dedupe defensively.
        if result.count > 1 {
            result.sort()
            var out: [Int] = []
            out.reserveCapacity(result.count)
            for r in result where out.last != r { out.append(r) }
            return out
        }
        return result
    }

    /// The range of `fired` entries for matcher `m`.
    @inline(__always)
    private func firedRange(_ m: Int32, _ fired: [UInt64]) -> Range<Int> {
        let key = UInt64(UInt32(bitPattern: m)) << 32
        var lo = 0, hi = fired.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if fired[mid] < key { lo = mid + 1 } else { hi = mid }
        }
        var end = lo
        while end < fired.count, fired[end] >> 32 == key >> 32 { end += 1 }
        return lo..<end
    }

    private func verify(_ rule: SubRule, _ s: MatchScratch) -> Bool {
        for c in rule.conditions where !c.allowsAbsent {
            var any = false
            for m in c.matchers where !firedRange(m, s.fired).isEmpty { any = true; break }
            if !any { return false }
        }
        s.chosen.removeAll(keepingCapacity: true)
        return search(rule.conditions, 0, s)
    }

    /// Finds leaves for conditions `i...`, consistent with the leaves chosen so far. Conditions are
    /// in path order; an absence condition holds when no leaf of its field is consistent with the
    /// leaves chosen before it.
    private func search(_ conditions: [Condition], _ i: Int, _ s: MatchScratch) -> Bool {
        if i == conditions.count { return true }
        let c = conditions[i]
        for m in c.matchers {
            for k in firedRange(m, s.fired) {
                let leaf = Int32(truncatingIfNeeded: s.fired[k])
                if !s.consistentWithChosen(leaf) { continue }
                s.chosen.append(leaf)
                if search(conditions, i + 1, s) { return true }
                s.chosen.removeLast()
            }
        }
        if c.allowsAbsent {
            var present = false
            for leaf in 0..<s.leafField.count where s.leafField[leaf] == c.field {
                if s.consistentWithChosen(Int32(leaf)) { present = true; break }
            }
            if !present, search(conditions, i + 1, s) { return true }
        }
        return false
    }
}
