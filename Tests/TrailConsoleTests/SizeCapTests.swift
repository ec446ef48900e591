import HTTPTypes
import Hummingbird
import Testing
@testable import TrailConsole
import TrailStore

@Suite struct SizeCapTests {
    @Test func longCellsAreCutWithALinkToTheAlert() {
        let long = String(repeating: "<a>", count: 40_000)
        let table = ResultTable(columns: [.init("summary", "summary"), .init("agent", "agent"), .init("id", "id", inTable: false)],
                                rows: [[.text(long), .text(long), .text("alert-9")]])
        let html = TableHTML.render(table)
        #expect(html.utf8.count < 8_000, "\(html.utf8.count) bytes")
        #expect(html.contains("…"))
        #expect(html.contains("href=\"/alert?id=alert-9\">(all 120000 characters)</a>"))
        #expect(!html.contains("<a>"), "cut text is still escaped")
        let short = TableHTML.render(ResultTable(columns: [.init("agent", "agent")], rows: [[.text("ok")]]))
        #expect(short.contains("<td>ok</td>"))
    }

    @Test func apiListsStopAtTheByteBudgetAndSaySo() async throws {
        var console = try ConsoleFixture.console()
        let whole = try await ConsoleFixture.get(console.router(token: nil), "/api/query/access?secret=prod%2Fdb")
        let lines = whole.body.split(separator: "\n")
        #expect(lines.count >= 2 && whole.headers[HTTPField.Name("X-TrailWatch-Truncated")!] == nil)
        console.apiByteBudget = lines[0].utf8.count + 1 + lines[1].utf8.count / 2
        let cut = try await ConsoleFixture.get(console.router(token: nil), "/api/query/access?secret=prod%2Fdb")
        #expect(cut.status == .ok)
        #expect(cut.body == lines[0] + "\n")
        #expect(cut.headers[HTTPField.Name("X-TrailWatch-Truncated")!] == "true")
        #expect(cut.headers[HTTPField.Name("X-TrailWatch-Rows")!] == "1")
    }
}
