import Foundation
import Testing
import TrailJSON
@testable import TrailMatch
import TrailTestSupport

/// Leaves' array membership (``MatchState/consistent(_:_:)``) against each leaf's whole path
/// kept apart and compared the plain way: two leaves are inconsistent exactly when, walking
/// from the root, the first array element where their paths differ is another element of the
/// same array.
@Suite struct ArrayMembershipTests {
    static func plainConsistent(_ a: [UInt64], _ b: [UInt64]) -> Bool {
        for (x, y) in zip(a, b) {
            if x >> 32 != y >> 32 { return true }
            if x != y { return false }
        }
        return true
    }

    @Test func sharedPathsAgreeWithPathsKeptApart() {
        var random = SplitMix64(seed: 7)
        for round in 0..<300 {
            var s = MatchState()
            defer { s.free() }
            s.reset(matchers: 1, fields: 1, subRules: 1, patterns: 1)
            var paths: [[UInt64]] = []
            var elements = 0
            // A random walk: arrays opened inside elements, leaves here and there, as deep as 40,
            // about 200 elements in all.
            func walk(_ path: [UInt64], depth: Int) {
                for _ in 0..<Int.random(in: 0...3, using: &random) where Bool.random(using: &random) {
                    _ = s.addLeaf(field: 0, node: 0)
                    paths.append(path)
                }
                guard depth < 40, elements < 200, Int.random(in: 0..<3, using: &random) > 0 else { return }
                for _ in 0..<Int.random(in: 1...2, using: &random) {
                    let id = UInt64(s.arrayCounter)
                    s.arrayCounter += 1
                    for element in 0..<UInt64.random(in: 1...3, using: &random) {
                        elements += 1
                        s.enterElement(array: id, element: element)
                        walk(path + [id << 32 | element], depth: depth + 1)
                        s.leaveElement()
                    }
                }
            }
            walk([], depth: 0)
            #expect(s.currentElement == -1)
            for a in paths.indices {
                for b in paths.indices {
                    let expected = Self.plainConsistent(paths[a], paths[b])
                    #expect(s.consistent(Int32(a), Int32(b)) == expected, "round \(round): leaves \(a) and \(b)")
                }
            }
            #expect(s.leavesInArrays == paths.filter { !$0.isEmpty }.count)
            // Elements with no leaf inside are dropped: the tree holds the leaves' paths only.
            let prefixes = Set(paths.flatMap { path in path.indices.map { Array(path[...$0]) } })
            #expect(s.elementValue.count == prefixes.count, "round \(round)")
        }
    }

    /// One random event of objects `{"a", "b", "c", "sub": [...]}` inside `items` (an array, or
    /// now and then one object), each field a string or an array of strings; with each leaf's
    /// field (`a`, `b`, `c`, `sub.a`, ...), value and whole path of array elements.
    struct RandomEvent {
        var text = ""
        var leaves: [(field: String, value: String, path: [UInt64])] = []
        var arrays: UInt64 = 0

        init(_ random: inout SplitMix64) {
            text = #"{"items":"# + objects("", [], depth: 0, &random) + "}"
        }

        private mutating func objects(_ prefix: String, _ path: [UInt64], depth: Int, _ random: inout SplitMix64) -> String {
            if Int.random(in: 0..<6, using: &random) == 0 { return object(prefix, path, depth: depth, &random) }
            let id = arrays
            arrays += 1
            let n = Int.random(in: 0...5, using: &random)
            return "[" + (0..<n).map { object(prefix, path + [id << 32 | UInt64($0)], depth: depth, &random) }.joined(separator: ",") + "]"
        }

        private mutating func object(_ prefix: String, _ path: [UInt64], depth: Int, _ random: inout SplitMix64) -> String {
            var members: [String] = []
            for key in ["a", "b", "c"] where Int.random(in: 0..<5, using: &random) < 2 {
                members.append(#""\#(key)":"# + strings(prefix + key, path, &random))
            }
            if depth == 0, Bool.random(using: &random) {
                members.append(#""sub":"# + objects("sub.", path, depth: 1, &random))
            }
            return "{" + members.joined(separator: ",") + "}"
        }

        private mutating func strings(_ field: String, _ path: [UInt64], _ random: inout SplitMix64) -> String {
            func one(_ path: [UInt64], _ random: inout SplitMix64) -> String {
                let value = Int.random(in: 0..<3, using: &random) == 0 ? "y" : "x"
                leaves.append((field, value, path))
                return #""\#(value)""#
            }
            if Int.random(in: 0..<4, using: &random) > 0 { return one(path, &random) }
            let id = arrays
            arrays += 1
            return "[" + (0..<Int.random(in: 0...3, using: &random)).map { one(path + [id << 32 | UInt64($0)], &random) }.joined(separator: ",") + "]"
        }

        /// The plain whole-path answer for conditions in path order, each `(field, wantsX,
        /// allowsAbsent)`: leaves, one per condition, pairwise consistent; an absence condition
        /// with no chosen leaf holds when no leaf of its field is consistent with those chosen before.
        func plainMatch(_ conditions: [(field: String, wantsX: Bool, allowsAbsent: Bool)]) -> Bool {
            func search(_ i: Int, _ chosen: [[UInt64]]) -> Bool {
                if i == conditions.count { return true }
                let c = conditions[i]
                let ofField = leaves.filter { $0.field == c.field }
                for leaf in ofField where c.wantsX && leaf.value == "x" && chosen.allSatisfy({ plainConsistent($0, leaf.path) }) {
                    if search(i + 1, chosen + [leaf.path]) { return true }
                }
                if c.allowsAbsent, !ofField.contains(where: { leaf in chosen.allSatisfy { plainConsistent($0, leaf.path) } }) {
                    return search(i + 1, chosen)
                }
                return false
            }
            return search(0, [])
        }
    }

    /// Rules of two and three conditions on fields of one array of objects and of arrays nested
    /// in it, with absence conditions, against the plain whole-path answer: the search through the
    /// element index (used for every event here) and the plain search (never used) agree with it.
    @Test func multiConditionRulesAgreeWithWholePaths() throws {
        var random = SplitMix64(seed: 11)
        let fields = ["a", "b", "c", "sub.a", "sub.b", "sub.c"]   // in path order
        var matched = 0, unmatched = 0
        for round in 0..<1500 {
            let event = RandomEvent(&random)
            let document = try JSONDocument(text: event.text)
            let count = Int.random(in: 2...3, using: &random)
            var chosen = Array(fields.shuffled(using: &random).prefix(count))
            chosen.sort { fields.firstIndex(of: $0)! < fields.firstIndex(of: $1)! }
            var conditions: [(field: String, wantsX: Bool, allowsAbsent: Bool)] = []
            var pattern: [String: Any] = [:]
            for field in chosen {
                let kind = Int.random(in: 0..<5, using: &random)
                let wantsX = kind != 0, allowsAbsent = kind <= 1
                conditions.append((field, wantsX, allowsAbsent))
                var values: [Any] = []
                if wantsX { values.append("x") }
                if allowsAbsent { values.append(["exists": false]) }
                let parts = field.split(separator: ".").map(String.init)
                if parts.count == 1 {
                    pattern[parts[0]] = values
                } else {
                    var sub = pattern["sub"] as? [String: Any] ?? [:]
                    sub[parts[1]] = values
                    pattern["sub"] = sub
                }
            }
            let patternText = String(decoding: try JSONSerialization.data(withJSONObject: ["items": pattern], options: [.sortedKeys]), as: UTF8.self)
            let named = [NamedPattern(name: "r", file: nil, pattern: try JSONDocument(text: patternText).root)]
            let expected = event.plainMatch(conditions)
            let indexed = try CompiledPatterns(named, searchIndexAbove: 0)
            let plain = try CompiledPatterns(named, searchIndexAbove: .max)
            #expect(!indexed.matchingIndexes(event: document.root, detail: nil).isEmpty == expected,
                    "round \(round): \(patternText) on \(event.text)")
            #expect(!plain.matchingIndexes(event: document.root, detail: nil).isEmpty == expected,
                    "round \(round): \(patternText) on \(event.text) (plain search)")
            if expected { matched += 1 } else { unmatched += 1 }
        }
        // Both answers are common, so a wrong one in either direction shows.
        #expect(matched > 300 && unmatched > 300, "\(matched) matched, \(unmatched) not")
    }

    /// The hostile record: 80,000 objects in one array, half with the rule's first field, half
    /// with its second. No element has both (no match) until one is added (a match), at the
    /// start, at the end, or one array further down.
    @Test func eightyThousandObjectsInOneArray() throws {
        let rule = #"{"source":["aws.secretsmanager"],"detail":{"requestParameters":{"items":{"arn":[{"prefix":"arn:aws:secretsmanager:"}],"kind":["secret"]}}}}"#
        let compiled = try CompiledPatterns([NamedPattern(name: "pair", file: nil, pattern: try JSONDocument(text: rule).root)])
        let arns = Array(repeating: #"{"arn":"arn:aws:secretsmanager:us-east-1:1:secret:s"}"#, count: 40_000)
        let kinds = Array(repeating: #"{"kind":"secret"}"#, count: 40_000)
        let both = #"{"arn":"arn:aws:secretsmanager:us-east-1:1:secret:s","kind":"secret"}"#
        func matches(_ items: [String]) throws -> Bool {
            let list = "[" + items.joined(separator: ",") + "]"
            let text = #"{"source":"aws.secretsmanager","detail":{"requestParameters":{"items":"# + list + "}}}"
            return !compiled.matchingIndexes(event: try JSONDocument(text: text).root, detail: nil).isEmpty
        }
        #expect(try !matches(arns + kinds))
        #expect(try matches(arns + kinds + [both]))
        #expect(try matches([both] + kinds + arns))
        // One array further down (fields `items.sub.*`), the same shape.
        let nestedRule = #"{"detail":{"requestParameters":{"items":{"sub":{"arn":[{"prefix":"arn:"}],"kind":["secret"]}}}}}"#
        let nested = try CompiledPatterns([NamedPattern(name: "nested", file: nil, pattern: try JSONDocument(text: nestedRule).root)])
        func nestedMatches(_ items: [String]) throws -> Bool {
            let text = #"{"detail":{"requestParameters":{"items":[{"sub":["# + items.joined(separator: ",") + "]}]}}}"
            return !nested.matchingIndexes(event: try JSONDocument(text: text).root, detail: nil).isEmpty
        }
        #expect(try !nestedMatches(arns + kinds))
        #expect(try nestedMatches(arns + [both] + kinds))
    }

    /// A condition on another array than the rest (`a`, before `items` in path order): each of
    /// its leaves leaves the rest of the search the same, and the answer is the same.
    @Test func conditionOnAnotherArray() throws {
        let rule = #"{"a":{"key":["k"]},"items":{"arn":[{"prefix":"arn:"}],"kind":["secret"]}}"#
        let compiled = try CompiledPatterns([NamedPattern(name: "other", file: nil, pattern: try JSONDocument(text: rule).root)])
        let keys = Array(repeating: #"{"key":"k"}"#, count: 5_000) + [#"{"key":"other"}"#]
        let arns = Array(repeating: #"{"arn":"arn:x"}"#, count: 5_000)
        let kinds = Array(repeating: #"{"kind":"secret"}"#, count: 5_000)
        func matches(_ a: [String], _ items: [String]) throws -> Bool {
            let text = #"{"a":["# + a.joined(separator: ",") + #"],"items":["# + items.joined(separator: ",") + "]}"
            return !compiled.matchingIndexes(event: try JSONDocument(text: text).root, detail: nil).isEmpty
        }
        #expect(try !matches(keys, arns + kinds))
        #expect(try matches(keys, arns + [#"{"arn":"arn:y","kind":"secret"}"#] + kinds))
        #expect(try !matches([#"{"key":"other"}"#], arns + [#"{"arn":"arn:y","kind":"secret"}"#] + kinds))
    }
}
