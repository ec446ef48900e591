import TrailJSON

/// Byte-level substring search on UTF-8 text (the hot path avoids generic string processing),
/// with TrailJSON's linear-time ``SubstringSearcher`` (the one substring search of the package).
enum ByteSearch {
    /// `:secret:`, before a secret's name in its ARN.
    static let secretMarker = SubstringSearcher(Array(":secret:".utf8))
    /// `:key/`, before a KMS key's id in its ARN.
    static let keyMarker = SubstringSearcher(Array(":key/".utf8))
    /// `:trail/`, before a trail's name in its ARN.
    static let trailMarker = SubstringSearcher(Array(":trail/".utf8))

    /// The offset in `text`'s UTF-8 just past the first occurrence of `searcher`'s needle, or nil.
    static func offsetAfter(_ searcher: SubstringSearcher, in text: String) -> Int? {
        guard !searcher.needle.isEmpty else { return nil }
        var text = text
        return text.withUTF8 { hay in searcher.firstIndex(in: hay).map { $0 + searcher.needle.count } }
    }

    /// `text` from UTF-8 offset `from` to the end.
    static func suffix(_ text: String, from: Int) -> String {
        let utf8 = text.utf8
        return String(Substring(utf8[utf8.index(utf8.startIndex, offsetBy: from)...])) 
    }

    /// `text` up to UTF-8 offset `to`.
    static func prefix(_ text: String, to: Int) -> String {
        let utf8 = text.utf8
        return String(Substring(utf8[..<utf8.index(utf8.startIndex, offsetBy: to)]))
    }
}
