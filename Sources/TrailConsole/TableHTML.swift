import TrailModel
import TrailPresentation
import TrailStore

/// A `ResultTable` as an HTML table: the columns the CLI's table shows, cells escaped, and the
/// principal, secret and alert-id columns linked to their pages.
enum TableHTML {
    static let formatter = ResultFormatter(format: .table)
    /// Longest cell shown whole; longer ones are cut with an ellipsis (and, in alert rows, a link to
    /// the alert's page, which shows the record).
    static let maxCellCharacters = 512

    /// `links` maps a column key to the page it links to and the parameter the value goes in.
    static func render(_ table: ResultTable, links: [String: (path: String, parameter: String)] = defaultLinks,
                       extraColumn: (title: String, value: ([Cell]) -> String)? = nil) -> String {
        if table.rows.isEmpty { return PageLayout.notes(table.notes) + "<p class=\"empty\">no rows</p>" }
        let shown = table.columns.indices.filter { table.columns[$0].inTable }
        var out = "<table><thead><tr>"
        for i in shown { out += "<th>\(HTMLEscape.text(table.columns[i].title))</th>" }
        if let extraColumn { out += "<th>\(HTMLEscape.text(extraColumn.title))</th>" }
        out += "</tr></thead><tbody>\n"
        let keys = table.columns.map(\.key)
        let idColumn = keys.firstIndex(of: "id").flatMap { keys.contains("summary") ? $0 : nil }
        for row in table.rows {
            out += "<tr>"
            for i in shown {
                let text = formatter.plain(row[i], listSeparator: ", ")
                var cell = HTMLEscape.text(text)
                if text.count > maxCellCharacters {
                    // A forged 100 kB userAgent must not make every page that lists it huge.
                    cell = HTMLEscape.text(String(text.prefix(maxCellCharacters))) + "…"
                    if let idColumn, case .text(let id) = row[idColumn] {
                        cell += " <a class=\"more\" href=\"\(HTMLEscape.link("/alert", [("id", id)]))\">(all \(text.count) characters)</a>"
                    } else {
                        cell += " (\(text.count - maxCellCharacters) more characters)"
                    }
                    out += "<td>\(cell)</td>"
                    continue
                }
                if let link = links[keys[i]], !text.isEmpty,
                   let target = linkTarget(keys[i], row: row, keys: keys) ?? (keys[i] == "summary" ? nil : text) {
                    var query = [(link.parameter, target)]
                    if keys[i] == "secret", target == text { query += scopeParameters(row: row, keys: keys) }
                    cell = "<a href=\"\(HTMLEscape.link(link.path, query))\">\(cell)</a>"
                }
                if keys[i] == "severity" { cell = "<span class=\"sev-\(HTMLEscape.attribute(text))\">\(cell)</span>" }
                out += "<td>\(cell)</td>"
            }
            if let extraColumn { out += "<td>\(HTMLEscape.text(extraColumn.value(row)))</td>" }
            out += "</tr>\n"
        }
        return PageLayout.notes(table.notes) + out + "</tbody></table>"
    }

    static let defaultLinks: [String: (path: String, parameter: String)] = [
        "principal": ("/principal", "name"), "secret": ("/secret", "name"), "summary": ("/alert", "id"),
    ]

    /// A secret linked by name (no ARN in the row) is narrowed to the row's account and region, so
    /// a name that several accounts share still opens the right secret.
    private static func scopeParameters(row: [Cell], keys: [String]) -> [(String, String)] {
        ["account", "region"].compactMap { key in
            guard let i = keys.firstIndex(of: key), case .text(let v) = row[i], !v.isEmpty else { return nil }
            return (key, v)
        }
    }

    /// The value to link with: the full ARN column when the row has one (unambiguous), the alert
    /// id for a summary.
    private static func linkTarget(_ key: String, row: [Cell], keys: [String]) -> String? {
        let arnKey = key == "principal" ? "principalArn" : key == "secret" ? "secretArn" : key == "summary" ? "id" : nil
        guard let arnKey, let index = keys.firstIndex(of: arnKey), case .text(let arn) = row[index] else { return nil }
        return arn
    }
}
