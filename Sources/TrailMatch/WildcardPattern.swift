import TrailJSON

/// A compiled `wildcard` operand: literal chunks separated by `*` (which matches any run of
/// characters, including none). `\*` is a literal star and `\\` a literal backslash.
///
/// Matching takes the leftmost occurrence of each middle chunk in turn (which finds a match
/// whenever there is one), each found with a linear-time ``SubstringSearcher``, so a match costs
/// O(field + pattern) whatever an attacker puts in either.
struct WildcardPattern: Hashable, Sendable {
    /// `stars + 1` literal chunks; the first and last may be empty (a leading or trailing star).
    let chunks: [[UInt8]]
    /// Searchers for the non-empty chunks between the first and the last, in order.
    private let middle: [SubstringSearcher]

    init(chunks: [[UInt8]]) {
        self.chunks = chunks
        middle = chunks.count > 2 ? chunks[1..<(chunks.count - 1)].filter { !$0.isEmpty }.map(SubstringSearcher.init) : []
    }

    static func parse(_ text: [UInt8]) -> Result<WildcardPattern, PatternMessage> {
        var chunks: [[UInt8]] = [[]]
        var i = 0
        var lastWasStar = false
        var charIndex = 0
        while i < text.count {
            let c = text[i]
            if c == UInt8(ascii: "*") {
                if lastWasStar { return .failure(PatternMessage("\"wildcard\" has consecutive '*' at position \(charIndex)")) }
                chunks.append([])
                lastWasStar = true
                i += 1
            } else if c == UInt8(ascii: "\\") {
                guard i + 1 < text.count, text[i + 1] == UInt8(ascii: "*") || text[i + 1] == UInt8(ascii: "\\") else {
                    return .failure(PatternMessage("\"wildcard\" has an invalid escape at position \(charIndex + 1) (only \\* and \\\\ are allowed)"))
                }
                chunks[chunks.count - 1].append(text[i + 1])
                lastWasStar = false
                i += 2
                charIndex += 1
            } else {
                chunks[chunks.count - 1].append(c)
                lastWasStar = false
                i += 1
            }
            if c < 0x80 || c >= 0xC0 { charIndex += 1 }
        }
        return .success(WildcardPattern(chunks: chunks))
    }

    /// The literal text before the first star (all of it when there is no star).
    var literalPrefix: [UInt8] { chunks[0] }

    func matches(_ p: UnsafePointer<UInt8>?, _ n: Int) -> Bool {
        let count = chunks.count
        guard let p else { return count > 1 ? chunks.allSatisfy(\.isEmpty) : chunks[0].isEmpty }
        if count == 1 {
            let c = chunks[0]
            return c.count == n && Self.equal(c, p)
        }
        let first = chunks[0], last = chunks[count - 1]
        guard first.count + last.count <= n else { return false }
        if !Self.equal(first, p) || !Self.equal(last, p + n - last.count) { return false }
        var pos = first.count
        let end = n - last.count
        for searcher in middle {
            guard let found = searcher.firstIndex(in: p, from: pos, to: end) else { return false }
            pos = found + searcher.needle.count
        }
        return true
    }

    /// Whether the bytes at `p` start with `chunk`.
    @inline(__always)
    static func equal(_ chunk: [UInt8], _ p: UnsafePointer<UInt8>) -> Bool {
        chunk.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return true }
            return bytesEqual(base, p, b.count)
        }
    }
}
