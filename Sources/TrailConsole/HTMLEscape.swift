/// Output escaping by context. Every CloudTrail field is attacker-made, so nothing from the store
/// reaches a page without passing through one of these.
enum HTMLEscape {
    /// Text in HTML or SVG element content: `& < > " '` become entities; C0 controls other than
    /// tab and newline (invalid in HTML) become U+FFFD; bidi embedding, override and isolate
    /// controls (U+202A–U+202E, U+2066–U+2069) are shown as `[U+202E]`, so a name cannot reorder
    /// the text around it (`evil\u{202E}txt.exe`).
    static func text(_ s: String) -> String { escape(s, showBidi: true) }

    /// The bidi controls a name may carry to reorder what is displayed after it.
    static func isBidiControl(_ scalar: Unicode.Scalar) -> Bool {
        (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
    }

    private static func escape(_ s: String, showBidi: Bool) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\u{FFFD}"
                } else if showBidi && isBidiControl(scalar) {
                    out += "[U+" + String(scalar.value, radix: 16, uppercase: true) + "]"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// A double-quoted attribute value (the same entities as text; attributes are always quoted).
    /// Bidi controls are kept: a form field's value must resubmit as it came.
    static func attribute(_ s: String) -> String { escape(s, showBidi: false) }

    /// One URL query component: every byte outside RFC 3986's unreserved set is percent-encoded,
    /// so a value can never end the component, start a new parameter or carry a scheme.
    static func urlComponent(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            let unreserved = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "~")
            if unreserved {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                out += "%" + String(b >> 4, radix: 16, uppercase: true) + String(b & 0xF, radix: 16, uppercase: true)
            }
        }
        return out
    }

    /// A same-site link: a fixed path of ours and query parameters (each encoded), ready for an
    /// `href` attribute. Only paths we write reach here, so the scheme is always the page's own.
    static func link(_ path: String, _ query: [(String, String)]) -> String {
        let q = query.map { urlComponent($0.0) + "=" + urlComponent($0.1) }.joined(separator: "&")
        return attribute(q.isEmpty ? path : path + "?" + q)
    }
}
