/// Per-character case folding for `equals-ignore-case`: each Unicode scalar is replaced by its
/// simple lowercase mapping, with no context rules (so `Σ` folds to `σ` everywhere, `ß` stays `ß`
/// and the Kelvin sign folds to `k`).
enum CaseFold {
    /// Appends the folded form of the `n` UTF-8 bytes at `p` to `out`.
    static func fold(_ p: UnsafePointer<UInt8>?, _ n: Int, into out: inout [UInt8]) {
        guard let p, n > 0 else { return }
        var i = 0
        while i < n {
            let b = p[i]
            if b >= 0x80 { break }
            out.append(b &- 65 < 26 ? b | 0x20 : b)
            i += 1
        }
        if i == n { return }
        let rest = String(decoding: UnsafeBufferPointer(start: p + i, count: n - i), as: UTF8.self)
        for scalar in rest.unicodeScalars {
            let folded = lower(scalar)
            if folded.value < 0x80 {
                out.append(UInt8(folded.value))
            } else {
                out.append(contentsOf: Array(String(folded).utf8))
            }
        }
    }

    static func fold(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        bytes.withUnsafeBufferPointer { fold($0.baseAddress, $0.count, into: &out) }
        return out
    }

    /// The simple (one scalar) lowercase mapping.
    static func lower(_ s: Unicode.Scalar) -> Unicode.Scalar {
        if s.value < 0x80 {
            return s.value &- 65 < 26 ? Unicode.Scalar(UInt8(s.value) | 0x20) : s
        }
        if s.value == 0x130 { return "i" }
        let mapped = s.properties.lowercaseMapping.unicodeScalars
        if mapped.count == 1, let first = mapped.first { return first }
        return s
    }
}
