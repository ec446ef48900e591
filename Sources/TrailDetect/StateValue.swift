import TrailJSON

/// Small helpers to read detector state values (compact JSON text) back.
enum StateValue {
    /// Parses `text`; nil when it is not valid JSON (a damaged entry is ignored, not fatal).
    static func parse(_ text: String) -> JSONValue? {
        guard let doc = try? JSONDocument(bytes: Array(text.utf8)) else { return nil }
        return doc.root
    }

    /// Joins field values into one state key (unit separator between parts).
    static func join(_ parts: [String]) -> String { parts.joined(separator: "\u{1F}") }

    /// Every combination of the fields' values (empty when a field has no value).
    static func combinations(_ lists: [[String]]) -> [[String]] {
        var out: [[String]] = [[]]
        for list in lists {
            if list.isEmpty { return [] }
            var next: [[String]] = []
            for prefix in out { for v in list { next.append(prefix + [v]) } }
            out = next
        }
        return out
    }
}
