import Testing
import TrailModel

/// What reaches a terminal cannot move the cursor, ring, or reorder the text after it.
@Suite struct TerminalTextTests {
    @Test func controlsAndBidiOverridesAreShownNotObeyed() {
        #expect(TerminalText.safe("a\u{1B}[2Jb") == "a\\u{1b}[2Jb")
        #expect(TerminalText.safe("evil\u{202E}txt.exe") == "evil\\u{202e}txt.exe")
        #expect(TerminalText.safe("x\u{2066}y\u{2069}") == "x\\u{2066}y\\u{2069}")
        #expect(TerminalText.safe("prod/db/é") == "prod/db/é")
        #expect(TerminalText.safe(String(repeating: "n", count: 5_000), limit: 10) == "nnnnnnnnn…")
    }
}
