/// The case-insensitive key used to index `equals-ignore-case` operands: each Unicode scalar of
/// the Basic Multilingual Plane becomes the lowercase of its uppercase (`ß` → `ss`, `ς` → `σ`,
/// `K` (Kelvin) → `k`); scalars beyond it stay as they are (the reference compares UTF-16 units,
/// which leaves them case-sensitive). Two strings that match case-insensitively have equal keys;
/// the exact comparison is ``CaseInsensitive``.
enum CaseFold {
    /// Appends the key of the `n` UTF-8 bytes at `p` to `out`, stopping once `out` holds at
    /// least `limit` bytes (enough for the longest prefix that will be looked up).
    static func fold(_ p: UnsafePointer<UInt8>?, _ n: Int, into out: inout [UInt8], limit: Int = .max) {
        guard let p, n > 0 else { return }
        var i = 0
        while i < n {
            if out.count >= limit { return }
            let b = p[i]
            if b >= 0x80 { break }
            out.append(b &- 65 < 26 ? b | 0x20 : b)
            i += 1
        }
        if i == n { return }
        let rest = String(decoding: UnsafeBufferPointer(start: p + i, count: n - i), as: UTF8.self)
        for scalar in rest.unicodeScalars {
            if out.count >= limit { return }
            appendKey(scalar, &out)
        }
    }

    /// The same, into a raw buffer (the matching hot path).
    static func fold(_ p: UnsafePointer<UInt8>?, _ n: Int, into out: inout RawBuffer<UInt8>, limit: Int = .max) {
        guard let p, n > 0 else { return }
        var i = 0
        while i < n {
            if out.count >= limit { return }
            let b = p[i]
            if b >= 0x80 { break }
            out.append(b &- 65 < 26 ? b | 0x20 : b)
            i += 1
        }
        if i == n || out.count >= limit { return }
        var rest: [UInt8] = []
        fold(p + i, n - i, into: &rest, limit: limit - out.count)
        for b in rest { out.append(b) }
    }

    static func fold(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        bytes.withUnsafeBufferPointer { fold($0.baseAddress, $0.count, into: &out) }
        return out
    }

    static func appendKey(_ s: Unicode.Scalar, _ out: inout [UInt8]) {
        if s.value < 0x80 {
            let b = UInt8(s.value)
            out.append(b &- 65 < 26 ? b | 0x20 : b)
            return
        }
        if s.value > 0xFFFF {
            out.append(contentsOf: String(s).utf8)
            return
        }
        for u in s.properties.uppercaseMapping.unicodeScalars {
            out.append(contentsOf: u.properties.lowercaseMapping.utf8)
        }
    }
}

/// An `equals-ignore-case` operand compared the way the reference does: each UTF-16 unit `c` of
/// the operand matches the event text `lower(c)` or `upper(c)` (full mappings, root locale), so
/// `É` matches `é`, the Kelvin sign matches `k`, and `ß` matches `SS` but `SS` does not match `ß`.
struct CaseInsensitive: Hashable, Sendable {
    /// Per operand character, the UTF-8 byte sequences it accepts.
    var alternatives: [[[UInt8]]]
    /// The ``CaseFold`` key of the operand.
    var key: [UInt8]
    /// Whether every accepted spelling has the operand's key (true except for odd characters), so
    /// the key can be used for a hash lookup before the exact check.
    var indexable: Bool

    init(_ text: [UInt8]) {
        var alternatives: [[[UInt8]]] = []
        var key: [UInt8] = []
        var indexable = true
        for scalar in String(decoding: text, as: UTF8.self).unicodeScalars {
            var charKey: [UInt8] = []
            CaseFold.appendKey(scalar, &charKey)
            key += charKey
            if scalar.value > 0xFFFF {
                alternatives.append([Array(String(scalar).utf8)])
                continue
            }
            let lower = Array(scalar.properties.lowercaseMapping.utf8)
            let upper = Array(scalar.properties.uppercaseMapping.utf8)
            alternatives.append(lower == upper ? [lower] : [lower, upper])
            if CaseFold.fold(lower) != charKey || CaseFold.fold(upper) != charKey { indexable = false }
        }
        self.alternatives = alternatives
        self.key = key
        self.indexable = indexable
    }

    /// Whether the `n` bytes at `p` match the whole operand.
    func matchesWhole(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool { forward(p, 0, n, 0, whole: true) }

    /// Whether the bytes at `p` start with a match of the operand.
    func matchesPrefix(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool { forward(p, 0, n, 0, whole: false) }

    /// Whether the bytes at `p` end with a match of the operand.
    func matchesSuffix(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool { backward(p, n, alternatives.count) }

    private func forward(_ p: UnsafePointer<UInt8>, _ pos: Int, _ n: Int, _ i: Int, whole: Bool) -> Bool {
        if i == alternatives.count { return !whole || pos == n }
        for alt in alternatives[i] where pos + alt.count <= n {
            if WildcardPattern.equal(alt, p + pos), forward(p, pos + alt.count, n, i + 1, whole: whole) { return true }
        }
        return false
    }

    private func backward(_ p: UnsafePointer<UInt8>, _ end: Int, _ i: Int) -> Bool {
        if i == 0 { return true }
        for alt in alternatives[i - 1] where alt.count <= end {
            if WildcardPattern.equal(alt, p + (end - alt.count)), backward(p, end - alt.count, i - 1) { return true }
        }
        return false
    }
}
