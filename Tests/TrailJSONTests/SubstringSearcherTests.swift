import Testing
import TrailJSON
import TrailTestSupport

/// ``SubstringSearcher`` (Two-Way) against a naive scan on random and periodic inputs.
@Suite struct SubstringSearcherTests {
    /// The first occurrence of `needle` in `hay[from..<to]` by trying every position.
    static func naive(_ needle: [UInt8], _ hay: [UInt8], from: Int, to: Int) -> Int? {
        guard from <= to else { return nil }
        var i = from
        while i + needle.count <= to {
            if hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    func search(_ needle: [UInt8], _ hay: [UInt8], from: Int, to: Int) -> Int? {
        let s = SubstringSearcher(needle)
        return hay.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return needle.isEmpty && from <= to ? from : nil }
            return s.firstIndex(in: base, from: from, to: to)
        }
    }

    @Test(arguments: [2, 3, 4, 256])
    func randomAgainstNaive(alphabet: Int) {
        var rng = SplitMix64(seed: UInt64(alphabet) &* 7919)
        for round in 0..<3000 {
            let m = Int.random(in: 0...12, using: &rng)
            let n = Int.random(in: 0...60, using: &rng)
            let needle = (0..<m).map { _ in UInt8(Int.random(in: 0..<alphabet, using: &rng)) }
            var hay = (0..<n).map { _ in UInt8(Int.random(in: 0..<alphabet, using: &rng)) }
            // Plant the needle (or a near miss) half the time.
            if m > 0, n >= m, round % 2 == 0 {
                let at = Int.random(in: 0...(n - m), using: &rng)
                hay.replaceSubrange(at..<(at + m), with: needle)
                if round % 4 == 0 { hay[at + m - 1] ^= 1 }
            }
            let from = n == 0 ? 0 : Int.random(in: 0...n, using: &rng)
            let to = Int.random(in: from...n, using: &rng)
            #expect(search(needle, hay, from: from, to: to) == Self.naive(needle, hay, from: from, to: to),
                    "needle \(needle) hay \(hay) from \(from) to \(to)")
        }
    }

    /// Periodic needles and haystacks, where the memory of the periodic case matters.
    @Test func periodicAgainstNaive() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<3000 {
            let unit = (0..<Int.random(in: 1...4, using: &rng)).map { _ in UInt8.random(in: 97...98, using: &rng) }
            var needle = Array([[UInt8]](repeating: unit, count: Int.random(in: 1...5, using: &rng)).joined())
            if Bool.random(using: &rng) { needle.append(UInt8.random(in: 97...99, using: &rng)) }
            var hay = Array([[UInt8]](repeating: unit, count: Int.random(in: 0...20, using: &rng)).joined())
            if !hay.isEmpty, Bool.random(using: &rng) { hay[Int.random(in: 0..<hay.count, using: &rng)] = 99 }
            #expect(search(needle, hay, from: 0, to: hay.count) == Self.naive(needle, hay, from: 0, to: hay.count),
                    "needle \(needle) hay \(hay)")
        }
    }

    @Test func edgeCases() {
        let abc = Array("abcabc".utf8)
        #expect(search([], abc, from: 2, to: 6) == 2)
        #expect(search([], [], from: 0, to: 0) == 0)
        #expect(search(Array("c".utf8), abc, from: 0, to: 6) == 2)
        #expect(search(Array("c".utf8), abc, from: 3, to: 6) == 5)
        #expect(search(Array("c".utf8), abc, from: 3, to: 5) == nil)
        #expect(search(Array("abcabcd".utf8), abc, from: 0, to: 6) == nil)
        #expect(search(Array("abcabc".utf8), abc, from: 0, to: 6) == 0)
    }

    /// The adversarial shape of issue 10 (a long run of one byte then a mismatch, against a field of
    /// that byte): correct, and found in a time linear in the sizes (checked by the benchmark, not here).
    @Test func longRunNeedle() {
        let needle = [UInt8](repeating: 0x61, count: 3000) + [0x62]
        var hay = [UInt8](repeating: 0x61, count: 10_000)
        #expect(search(needle, hay, from: 0, to: hay.count) == nil)
        hay += needle
        #expect(search(needle, hay, from: 0, to: hay.count) == 10_000)
    }
}
