/// A compiled `wildcard` operand: literal chunks separated by `*` (which matches any run of
/// characters, including none). `\*` is a literal star and `\\` a literal backslash.
struct WildcardPattern: Hashable, Sendable {
    /// `stars + 1` literal chunks; the first and last may be empty (a leading or trailing star).
    var chunks: [[UInt8]]

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
        var k = 1
        while k < count - 1 {
            let c = chunks[k]
            k += 1
            if c.isEmpty { continue }
            guard let found = c.withUnsafeBufferPointer({ find($0, in: p, from: pos, to: end) }) else { return false }
            pos = found + c.count
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

    private func find(_ needle: UnsafeBufferPointer<UInt8>, in p: UnsafePointer<UInt8>, from: Int, to: Int) -> Int? {
        guard let nb = needle.baseAddress else { return from }
        let m = needle.count
        var i = from
        while i + m <= to {
            if p[i] == nb[0], bytesEqual(p + i, nb, m) { return i }
            i += 1
        }
        return nil
    }
}
