/// Byte-level substring search on UTF-8 text (the hot path avoids generic string processing).
enum ByteSearch {
    /// The offset in `text`'s UTF-8 just past the first occurrence of `needle`, or nil.
    static func offsetAfter(_ needle: StaticString, in text: String) -> Int? {
        let n = needle.utf8CodeUnitCount
        var text = text
        return text.withUTF8 { hay -> Int? in
            guard n > 0, hay.count >= n, let h = hay.baseAddress else { return nil }
            let p = needle.utf8Start
            var i = 0
            let last = hay.count - n
            while i <= last {
                if h[i] == p[0] {
                    var j = 1
                    while j < n, h[i + j] == p[j] { j += 1 }
                    if j == n { return i + n }
                }
                i += 1
            }
            return nil
        }
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
