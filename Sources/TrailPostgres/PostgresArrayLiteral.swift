/// The text form of a PostgreSQL `text[]`, sent as ONE bound value and cast in SQL
/// (`= ANY(ARRAY(SELECT unnest(?::text[])))`): a lookup of a thousand values binds one parameter
/// instead of a thousand (which the server parses and plans, and the client encodes, for every
/// statement).
///
/// Every element is double-quoted, with `"` and `\` escaped by a backslash, so no element can
/// end the array, start another or read as NULL, whatever it holds. The value stays a bound
/// parameter, never SQL text.
enum PostgresArrayLiteral {
    static func text(_ elements: some Sequence<String>) -> String {
        var out = "{"
        var first = true
        for element in elements {
            if !first { out += "," }
            first = false
            out += "\""
            for character in element.unicodeScalars {
                if character == "\"" || character == "\\" { out.unicodeScalars.append("\\") }
                out.unicodeScalars.append(character)
            }
            out += "\""
        }
        return out + "}"
    }
}
