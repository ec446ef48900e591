/// Compact JSON text: the whitespace between tokens removed, every token's bytes kept as they are.
///
/// Strings keep their escapes exactly (`\u00e9` stays `\u00e9`, `\/` stays `\/`) and numbers their
/// spelling, so the values a reader sees are unchanged; only the layout goes. A JSON string cannot
/// hold a raw line feed, so the result of valid JSON is a single line.
public enum JSONCompactor {
    /// `text` without insignificant whitespace. Meant for valid JSON; on other text it still
    /// removes only whitespace outside double-quoted runs.
    public static func compact<Bytes: Collection>(_ text: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var inString = false
        var escaped = false
        for byte in text {
            if inString {
                out.append(byte)
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D:
                continue
            case UInt8(ascii: "\""):
                inString = true
                out.append(byte)
            default:
                out.append(byte)
            }
        }
        return out
    }

    /// Whether `text` has whitespace outside strings (so `compact` would change it).
    public static func hasLayout<Bytes: Collection>(_ text: Bytes) -> Bool where Bytes.Element == UInt8 {
        var inString = false
        var escaped = false
        for byte in text {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                return true
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            }
        }
        return false
    }
}
