import TrailJSON
import TrailModel
import TrailStore

/// Prints a `ResultTable` as an aligned table, JSON lines or CSV.
///
/// Table cells are made safe for a terminal (control characters, which attacker-chosen fields such as
/// `userAgent` may hold, are shown escaped) and long cells are cut; JSON and CSV keep values whole.
public struct ResultFormatter: Sendable {
    public var format: OutputFormat
    public var times: TimeRendering
    /// Longest table cell before it is cut with `…`.
    public var maxCellWidth: Int

    public init(format: OutputFormat, times: TimeRendering = .utc, maxCellWidth: Int = 60) {
        self.format = format
        self.times = times
        self.maxCellWidth = maxCellWidth
    }

    /// The whole output, each line ending in a newline; `no rows\n` for an empty table, "" for empty JSON/CSV.
    public func render(_ table: ResultTable) -> String {
        switch format {
        case .table: return renderTable(table)
        case .json: return table.rows.map { jsonLine(table.columns, $0) + "\n" }.joined()
        case .csv:
            if table.rows.isEmpty { return "" }
            var out = table.columns.map { CSVField.encode($0.key) }.joined(separator: ",") + "\n"
            for row in table.rows {
                out += row.map(csvCell).joined(separator: ",") + "\n"
            }
            return out
        }
    }

    /// One row as a compact JSON object, keys in column order.
    public func jsonLine(_ columns: [ResultTable.Column], _ row: [Cell]) -> String {
        var w = JSONWriter()
        writeObject(columns, row, into: &w)
        return w.text
    }

    func writeObject(_ columns: [ResultTable.Column], _ row: [Cell], into w: inout JSONWriter) {
        w.beginObject()
        for (column, cell) in zip(columns, row) {
            w.key(column.key)
            writeCell(cell, into: &w)
        }
        w.endObject()
    }

    func writeCell(_ cell: Cell, into w: inout JSONWriter) {
        switch cell {
        case .text(let s): w.string(s)
        case .integer(let v): w.integer(v)
        case .time(let t): w.string(times.render(t))
        case .bool(let b): w.bool(b)
        case .list(let items):
            w.beginArray()
            for item in items { w.string(item) }
            w.endArray()
        case .null: w.null()
        }
    }

    /// The cell as plain text (empty for null).
    public func plain(_ cell: Cell, listSeparator: String) -> String {
        switch cell {
        case .text(let s): return s
        case .integer(let v): return String(v)
        case .time(let t): return times.render(t)
        case .bool(let b): return b ? "true" : "false"
        case .list(let items): return items.joined(separator: listSeparator)
        case .null: return ""
        }
    }

    /// A cell as a CSV field; text that a spreadsheet would run as a formula is defused.
    private func csvCell(_ cell: Cell) -> String {
        switch cell {
        case .text, .list: return CSVField.encode(plain(cell, listSeparator: ";"), defuseFormula: true)
        case .integer, .time, .bool, .null: return CSVField.encode(plain(cell, listSeparator: ";"))
        }
    }

    /// Terminal-safe, cut to `maxCellWidth`; `-` for an empty cell.
    func tableText(_ cell: Cell) -> String {
        let s = TerminalText.safe(plain(cell, listSeparator: ","), limit: maxCellWidth)
        return s.isEmpty ? "-" : s
    }

    /// Aligned columns with an upper-case header; two spaces between columns, no trailing spaces.
    public func renderTable(_ table: ResultTable) -> String {
        if table.rows.isEmpty { return "no rows\n" }
        let shown = table.columns.indices.filter { table.columns[$0].inTable }
        var cells: [[String]] = [shown.map { table.columns[$0].title.uppercased() }]
        for row in table.rows { cells.append(shown.map { tableText(row[$0]) }) }
        return TextGrid.render(cells)
    }
}

/// Aligned plain-text columns.
enum TextGrid {
    static func render(_ cells: [[String]]) -> String {
        guard let first = cells.first else { return "" }
        var widths = Array(repeating: 0, count: first.count)
        for row in cells {
            for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) }
        }
        var out = ""
        for row in cells {
            var line = ""
            for (i, c) in row.enumerated() {
                line += c
                if i < row.count - 1 { line += String(repeating: " ", count: widths[i] - c.count + 2) }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        return out
    }
}
