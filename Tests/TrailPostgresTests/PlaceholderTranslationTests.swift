import Testing
@testable import TrailPostgres

/// `?` becomes `$n` in code only: not in strings, quoted identifiers or comments.
@Suite struct PlaceholderTranslationTests {
    @Test(arguments: [
        ("SELECT ?", "SELECT $1"),
        ("INSERT INTO t VALUES (?, ?, ?)", "INSERT INTO t VALUES ($1, $2, $3)"),
        ("SELECT '?', ? FROM t WHERE a = 'it''s ?' AND b = ?", "SELECT '?', $1 FROM t WHERE a = 'it''s ?' AND b = $2"),
        ("SELECT \"odd?name\" FROM t WHERE x = ?", "SELECT \"odd?name\" FROM t WHERE x = $1"),
        ("SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2"),
        ("SELECT /* ? */ ? /* ?? */", "SELECT /* ? */ $1 /* ?? */"),
        ("SELECT E'\\'?' , ?", "SELECT E'\\'?' , $1"),
        ("SELECT 'é?' || ?", "SELECT 'é?' || $1"),
        ("SELECT 1 - -? ", "SELECT 1 - -$1 "),
        ("SELECT ?10", "SELECT $110"),
    ])
    func translation(sql: String, expected: String) {
        #expect(PlaceholderTranslation.translateUncached(sql) == expected)
        #expect(PlaceholderTranslation.translate(sql) == expected)
        #expect(PlaceholderTranslation.translate(sql) == expected)
    }
}
