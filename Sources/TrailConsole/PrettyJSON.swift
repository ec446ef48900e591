import TrailJSON

/// A stored JSON document (an alert's evidence or its CloudTrail record) pretty-printed for a
/// `<pre>` block, after ``Redaction`` (the console's one rule for secret material).
/// The output is JSON text: escape it for HTML before use.
enum PrettyJSON {
    /// Deepest nesting printed; deeper values are elided (a hostile record may nest thousands deep).
    static let maxDepth = 64

    static func render(_ text: String) -> String {
        guard let redacted = Redaction.redact(text), let doc = try? JSONDocument(bytes: Array(redacted.utf8)) else { return "(not valid JSON)" }
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
                write(value, depth: depth + 1, into: &out)
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
