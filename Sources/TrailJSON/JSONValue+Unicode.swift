extension JSONValue {
    /// The decoded string when it is valid Unicode; nil when the value is not a string, or its
    /// bytes are not valid UTF-8, or it holds an unpaired surrogate escape (`"\ud800"`).
    ///
    /// ``string`` replaces such flaws with U+FFFD, so two different strings can read the same;
    /// use this where the text is an identity (an `eventID`) and distinct values must stay distinct.
    public var validatedString: String? {
        let n = node
        guard n.kind == .string else { return nil }
        let raw = document.bytes[Int(n.start)..<Int(n.end)]
        if n.hasEscapes {
            if JSONStringDecoder.hasUnpairedSurrogate(raw) { return nil }
            return String(validating: JSONStringDecoder.unescape(raw), as: UTF8.self)
        }
        return String(validating: raw, as: UTF8.self)
    }
}

extension JSONStringDecoder {
    /// Whether the raw string content (between its quotes) holds a `\u` escape of a surrogate
    /// that is not part of a high-low pair.
    static func hasUnpairedSurrogate(_ raw: ArraySlice<UInt8>) -> Bool {
        var i = raw.startIndex
        let end = raw.endIndex
        func unit(at k: Int) -> UInt16? {
            guard k + 6 <= end, raw[k] == UInt8(ascii: "\\"), raw[k + 1] == UInt8(ascii: "u") else { return nil }
            var v: UInt16 = 0
            for d in 0..<4 {
                guard let h = JSONParser.hexValue(raw[k + 2 + d]) else { return nil }
                v = v << 4 | UInt16(h)
            }
            return v
        }
        while i < end {
            guard raw[i] == UInt8(ascii: "\\"), i + 1 < end else { i += 1; continue }
            guard let u = unit(at: i) else { i += 2; continue }
            switch u {
            case 0xD800...0xDBFF:
                guard let low = unit(at: i + 6), (0xDC00...0xDFFF).contains(low) else { return true }
                i += 12
            case 0xDC00...0xDFFF:
                return true
            default:
                i += 6
            }
        }
        return false
    }
}
