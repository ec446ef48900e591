import Foundation

/// The counts in `backfill`'s final summary on standard error.
///
/// The parser is deliberately tolerant of layout: it takes the last line that mentions "records" and
/// reads each count written as either `N word` or `word: N` / `word N` (thousands separators allowed),
/// e.g. `files: 221 done, 2 skipped, 0 failed; records: 3087; events stored: 1900; alerts: 19; 1.2 s`.
struct BackfillSummary: Equatable {
    var filesDone: Int?
    var filesSkipped: Int?
    var filesFailed: Int?
    var records: Int?
    var eventsStored: Int?
    var alerts: Int?

    init?(stderr: String) {
        guard let line = stderr.split(separator: "\n").last(where: { $0.localizedCaseInsensitiveContains("records") })
        else { return nil }
        let text = String(line)
        filesDone = Self.count(in: text, word: "done")
        filesSkipped = Self.count(in: text, word: "skipped")
        filesFailed = Self.count(in: text, word: "failed")
        records = Self.count(in: text, word: "records")
        eventsStored = Self.count(in: text, word: "events stored") ?? Self.count(in: text, word: "events")
        alerts = Self.count(in: text, word: "alerts")
    }

    /// `N word` or `word: N` / `word N` / `word=N`, case-insensitive.
    static func count(in text: String, word: String) -> Int? {
        let escaped = NSRegularExpression.escapedPattern(for: word)
        let patterns = ["(\\d[\\d,]*)\\s+\(escaped)\\b", "\\b\(escaped)\\s*[:=]?\\s*(\\d[\\d,]*)"]
        for pattern in patterns {
            guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else { continue }
            let range = NSRange(text.startIndex..., in: text)
            if let match = regex.firstMatch(in: text, range: range), let r = Range(match.range(at: 1), in: text) {
                return Int(text[r].replacingOccurrences(of: ",", with: ""))
            }
        }
        return nil
    }
}
