import Testing
@testable import TrailStore
import TrailPresentation

/// CSV output quotes by bytes (RFC 4180) and defuses spreadsheet formulas in event text.
@Suite struct CSVOutputTests {
    func csv(_ cells: [Cell]) -> String {
        let columns = cells.indices.map { ResultTable.Column("c\($0)", "C\($0)") }
        let out = ResultFormatter(format: .csv).render(ResultTable(columns: columns, rows: [cells]))
        // Drop the header line.
        return String(out.utf8.split(separator: 0x0A, maxSplits: 1, omittingEmptySubsequences: false)[1])!
    }

    @Test(arguments: [
        ("a\r\nb", "\"a\r\nb\"\n"),
        ("a\rb", "\"a\rb\"\n"),
        ("a\nb", "\"a\nb\"\n"),
        ("say \"hi\"", "\"say \"\"hi\"\"\"\n"),
        ("a,b", "\"a,b\"\n"),
        ("x\r\n2024-01-01,evil,row", "\"x\r\n2024-01-01,evil,row\"\n"),
        ("plain/ua 1.0", "plain/ua 1.0\n"),
        ("", "\n"),
    ])
    func quotesByBytes(_ field: String, _ expected: String) {
        #expect(csv([.text(field)]) == expected)
    }

    @Test func crlfCannotForgeARow() {
        let out = ResultFormatter(format: .csv).render(ResultTable(
            columns: [.init("ua", "UA"), .init("id", "ID")],
            rows: [[.text("aws-cli\r\nforged,row"), .text("e1")]]))
        #expect(out == "ua,id\n\"aws-cli\r\nforged,row\",e1\n")
    }

    @Test(arguments: [
        ("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"\n"),
        ("+1+1", "'+1+1\n"),
        ("-2+3", "'-2+3\n"),
        ("@SUM(A1)", "'@SUM(A1)\n"),
        ("\tcmd", "'\tcmd\n"),
        ("\r=1", "\"'\r=1\"\n"),
        ("a=1", "a=1\n"),
    ])
    func defusesFormulas(_ field: String, _ expected: String) {
        #expect(csv([.text(field)]) == expected)
    }

    @Test func listsAreDefusedAndNumbersAreNot() {
        #expect(csv([.list(["=1", "b"]), .integer(-5)]) == "'=1;b,-5\n")
    }
}
