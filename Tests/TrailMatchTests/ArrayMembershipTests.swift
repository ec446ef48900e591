import Testing
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
}
