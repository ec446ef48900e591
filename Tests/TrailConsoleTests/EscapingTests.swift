import Testing
@testable import TrailConsole
import TrailStore

@Suite struct EscapingTests {
    @Test func textAndAttributesEscapeEveryMarkupCharacter() {
        #expect(HTMLEscape.text(#"<a href="x" onclick='y'>&</a>"#) == "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;")
        #expect(HTMLEscape.text("a\u{0}b\u{1B}c\td\ne") == "a\u{FFFD}b\u{FFFD}c\td\ne")
        #expect(HTMLEscape.text("café ✓") == "café ✓")
    }

    @Test func urlComponentsKeepOnlyUnreservedBytes() {
        #expect(HTMLEscape.urlComponent("javascript:alert(1)") == "javascript%3Aalert%281%29")
        #expect(HTMLEscape.urlComponent("a b&c=d#e/f?g") == "a%20b%26c%3Dd%23e%2Ff%3Fg")
        #expect(HTMLEscape.urlComponent("é") == "%C3%A9")
        #expect(HTMLEscape.link("/secret", [("name", "\"><script>")]) == "/secret?name=%22%3E%3Cscript%3E")
    }

    @Test func prettyJSONRedactsSecretMaterialAndBoundsDepth() {
        let out = PrettyJSON.render(#"{"a":[1,true,null,"x"],"responseElements":{"secretString":"hunter2","SecretBinary":"AAAA","plaintext":null}}"#)
        #expect(!out.contains("hunter2") && !out.contains("AAAA"))
        #expect(out.contains(#""secretString": "(redacted)""#))
        #expect(out.contains(#""plaintext": null"#))
        #expect(out.contains("\"a\": [\n    1,\n    true,\n    null,\n    \"x\"\n  ]"))
        let deep = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        let rendered = PrettyJSON.render(deep)
        #expect(rendered.contains("[…]") || rendered == "(not valid JSON)")
        #expect(PrettyJSON.render("{not json") == "(not valid JSON)")
    }

    @Test func chartsEscapeSeriesNamesAndCapDays() {
        let counts = [DailyCount(day: 100, series: "<svg onload=x>", count: 3), DailyCount(day: 101, series: "b", count: 1),
                      DailyCount(day: 10, series: "old", count: 9)]
        let svg = StackedBarChart().render(counts, first: 0, last: 200, label: "reads")
        #expect(svg.contains("&lt;svg onload=x&gt;"))
        #expect(!svg.contains("<svg onload"))
        #expect(!svg.contains("old"), "days before the last 120 are cut")
        #expect(svg.components(separatedBy: "<rect ").count - 1 == 2 + 2, "two bars and two legend boxes")
        #expect(StackedBarChart().render([], first: 0, last: 1, label: "reads").contains("no reads"))
    }

    /// The overview's chart builds each bar's class from the stored severity: a tampered store's
    /// `high" onmouseover="x` stays inside the attribute.
    @Test func chartClassesBuiltFromStoredTextAreEscaped() {
        var chart = StackedBarChart()
        chart.classOf = { "sev-fill-" + $0 }
        let svg = chart.render([DailyCount(day: 100, series: #"high" onmouseover="x"#, count: 3)], first: 90, last: 100, label: "alerts")
        #expect(svg.contains(#"class="sev-fill-high&quot; onmouseover=&quot;x""#))
        #expect(!svg.contains(#"" onmouseover=""#))
    }
}

@Suite struct QueryStringTests {
    @Test func plusIsASpaceAsFormsSendIt() {
        let pairs = Console.pairs(query: "q=role+app%2Bx&since=7d&a%20b=c+d&empty=&bad=%zz")
        #expect(pairs.map(\.0) == ["q", "since", "a b", "empty", "bad"])
        #expect(pairs.map(\.1) == ["role app+x", "7d", "c d", "", "%zz"])
    }
}

@Suite struct BidiTests {
    @Test func bidiControlsInNamesAreShownNotObeyed() async throws {
        #expect(HTMLEscape.text("evil\u{202E}txt.exe") == "evil[U+202E]txt.exe")
        #expect(HTMLEscape.text("a\u{2066}b\u{2069}c\u{202A}") == "a[U+2066]b[U+2069]c[U+202A]")
        #expect(HTMLEscape.text("\u{200F}ok") == "\u{200F}ok", "marks (not embeddings) are left alone")
        #expect(HTMLEscape.attribute("a\u{202E}b") == "a\u{202E}b")
        // Through a page: the search echoes the query in its text.
        let router = try ConsoleFixture.console().router(token: nil)
        let r = try await ConsoleFixture.get(router, "/search?q=x%E2%80%AEy")
        #expect(!r.body.contains("x\u{202E}y") && r.body.contains("x[U+202E]y"), "\(r.body)")
    }
}
