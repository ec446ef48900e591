import TrailJSON

/// A stored JSON document (an alert and its CloudTrail record) pretty-printed for a `<pre>` block,
/// with the values of keys that could carry secret material replaced by `"(redacted)"`.
///
/// CloudTrail does not log `SecretString` or `SecretBinary`, but the record is attacker-made and a
/// forged one may carry them; the console never shows them. The output is JSON text: escape it
/// for HTML before use.
enum PrettyJSON {
    /// Keys (compared case-insensitively) whose values are never shown.
    static let redactedKeys: Set<String> = ["secretstring", "secretbinary", "plaintext", "secretvalue", "password"]
    /// Deepest nesting printed; deeper values are elided (a hostile record may nest thousands deep).
    static let maxDepth = 64

    static func render(_ text: String) -> String {
        guard let doc = try? JSONDocument(bytes: Array(text.utf8)) else { return "(not valid JSON)" }
        var out = ""
        write(doc.root, depth: 0, into: &out)
        return out
    }

    private static func write(_ v: JSONValue, depth: Int, into out: inout String) {
        let pad = String(repeating: "  ", count: depth + 1), closePad = String(repeating: "  ", count: depth)
        switch v.kind {
        case .object:
            if v.count == 0 { out += "{}"; return }
            if depth >= maxDepth { out += "{…}"; return }
            out += "{\n"
            var first = true
            for (key, value) in v.members {
                if !first { out += ",\n" }
                first = false
                let name = key.string ?? ""
                out += pad + JSONWriter.quoted(name) + ": "
                if redactedKeys.contains(name.lowercased()) && !value.isNull {
                    out += "\"(redacted)\""
                } else {
                    write(value, depth: depth + 1, into: &out)
                }
            }
            out += "\n" + closePad + "}"
        case .array:
            if v.count == 0 { out += "[]"; return }
            if depth >= maxDepth { out += "[…]"; return }
            out += "[\n"
            var first = true
            for element in v.elements {
                if !first { out += ",\n" }
                first = false
                out += pad
                write(element, depth: depth + 1, into: &out)
            }
            out += "\n" + closePad + "]"
        case .string:
            out += JSONWriter.quoted(v.string ?? "")
        default:
            out += v.rawText
        }
    }
}
