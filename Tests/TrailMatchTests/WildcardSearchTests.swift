import Testing
@testable import TrailMatch
import TrailTestSupport

/// Wildcard matching (leftmost chunk search with Two-Way) against a dynamic-programming reference.
@Suite struct WildcardSearchTests {
    /// Whether `text` matches `chunks` joined by `*`: the textbook O(n·m) table.
    static func reference(_ pattern: [UInt8?], _ text: [UInt8]) -> Bool {
        // `nil` is a star.
        var row = [Bool](repeating: false, count: text.count + 1)
        row[0] = true
        for p in pattern {
            var next = [Bool](repeating: false, count: text.count + 1)
            if p == nil {
                var any = false
                for j in 0...text.count { any = any || row[j]; next[j] = any }
            } else {
                for j in 0..<text.count where row[j] && text[j] == p { next[j + 1] = true }
            }
            row = next
        }
        return row[text.count]
    }

    func matches(_ pattern: WildcardPattern, _ text: [UInt8]) -> Bool {
        text.withUnsafeBufferPointer { pattern.matches($0.baseAddress, $0.count) }
    }

    @Test(arguments: [1, 2, 3])
    func randomAgainstReference(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<4000 {
            var pattern: [UInt8?] = []
            for _ in 0..<Int.random(in: 0...10, using: &rng) {
                if pattern.last != .some(nil), Int.random(in: 0..<4, using: &rng) == 0 { pattern.append(nil) }
                else { pattern.append(UInt8.random(in: 97...99, using: &rng)) }
            }
            let text = (0..<Int.random(in: 0...24, using: &rng)).map { _ in UInt8.random(in: 97...99, using: &rng) }
            let source = pattern.map { $0 ?? UInt8(ascii: "*") }
            let compiled = try WildcardPattern.parse(source).get()
            #expect(matches(compiled, text) == Self.reference(pattern, text),
                    "pattern \(String(decoding: source, as: UTF8.self)) text \(String(decoding: text, as: UTF8.self))")
        }
    }

    /// Issue 10's shape, scaled down: a long literal between stars against a field of one byte.
    @Test func longLiteralAgainstLongField() throws {
        let literal = [UInt8](repeating: 0x61, count: 3000) + [0x62]
        let pattern = try WildcardPattern.parse([UInt8(ascii: "*")] + literal + [UInt8(ascii: "*")]).get()
        let field = [UInt8](repeating: 0x61, count: 20_000)
        #expect(!matches(pattern, field))
        #expect(matches(pattern, field + literal + [0x7A]))
    }
}
