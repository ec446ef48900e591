/// One CSV field per RFC 4180, decided on UTF-8 bytes.
///
/// Bytes, not `Character`s: in Swift `"\r\n"` is a single `Character` equal to neither `"\r"` nor
/// `"\n"`, so a character test leaves an attacker's CRLF unquoted and lets it forge rows.
enum CSVField {
    private static let quote = UInt8(ascii: "\"")

    /// `text` quoted when it holds a comma, a double quote, CR or LF (quotes inside doubled).
    ///
    /// With `defuseFormula`, text starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'`
    /// so a spreadsheet opening the file shows it instead of running it as a formula (OWASP's
    /// advice for CSV injection). It is set for text taken from events, not for numbers and times
    /// the store produces.
    static func encode(_ text: String, defuseFormula: Bool = false) -> String {
        var bytes = Array(text.utf8)
        if defuseFormula, let first = bytes.first, formulaStarts.contains(first) {
            bytes.insert(UInt8(ascii: "'"), at: 0)
        }
        guard bytes.contains(where: needsQuoting.contains) else { return String(decoding: bytes, as: UTF8.self) }
        var out: [UInt8] = [quote]
        out.reserveCapacity(bytes.count + 2)
        for b in bytes {
            out.append(b)
            if b == quote { out.append(quote) }
        }
        out.append(quote)
        return String(decoding: out, as: UTF8.self)
    }

    private static let needsQuoting: Set<UInt8> = [UInt8(ascii: ","), quote, 0x0A, 0x0D]
    private static let formulaStarts: Set<UInt8> = [
        UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D,
    ]
}
