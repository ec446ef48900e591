/// Text made safe for a terminal: control characters (C0, DEL, C1) and the bidi controls that
/// could reorder what follows (U+202A–U+202E, U+2066–U+2069) shown as `\u{…}`, and cut to a length.
/// For anything a user, a record, a file name or a server chose that reaches a terminal or a log:
/// table cells, diagnostics on stderr, error pages. A file named `x\ntrailwatch: …` cannot forge a
/// line of its own, and ESC cannot start an escape sequence.
public enum TerminalText {
    /// `text` made safe, cut to `limit` characters (the last one `…`). With `keepingNewlines`,
    /// line feeds stay (multi-line text the program wrote itself, quoting untrusted parts).
    public static func safe(_ text: String, limit: Int = .max, keepingNewlines: Bool = false) -> String {
        var s = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A where keepingNewlines:
                s.unicodeScalars.append(scalar)
            case 0..<0x20, 0x7F, 0x80..<0xA0, 0x202A...0x202E, 0x2066...0x2069:
                s += "\\u{" + String(scalar.value, radix: 16) + "}"
            default:
                s.unicodeScalars.append(scalar)
            }
        }
        if s.count > limit { s = String(s.prefix(max(1, limit) - 1)) + "…" }
        return s
    }
}
