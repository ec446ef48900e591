import TrailJSON
import TrailModel
import TrailPresentation
import TrailStore

extension Console {
    static let alertsParameters: Set<String> = ["since", "until", "account", "region", "rule", "severity", "principal", "secret", "page"]

    /// `/alerts`: stored alerts, newest first, filtered by time range, rule, minimum severity,
    /// account, region, principal and secret; `pageSize` per page.
    func alertsPage(_ q: ConsoleRequest) throws -> String {
        let service = service()
        var scope = try q.scope(now: service.now, defaultLimit: ConsoleRequest.pageSize, maxLimit: ConsoleRequest.pageSize)
        scope.limit = ConsoleRequest.pageSize + 1
        let page = try q.page()
        let filter = AlertFilter(rule: q["rule"], minimumSeverity: try q.severity(), principal: q["principal"], secret: q["secret"],
                                 offset: (page - 1) * ConsoleRequest.pageSize)
        var list = try service.alertPage(scope, filter)
        let more = list.table.rows.count > ConsoleRequest.pageSize
        list.table.rows = Array(list.table.rows.prefix(ConsoleRequest.pageSize))
        var form = "<form class=\"filters\" action=\"/alerts\" method=\"get\">"
        for (key, label) in [("since", "since"), ("until", "until"), ("rule", "rule"), ("severity", "min severity"),
                             ("account", "account"), ("region", "region"), ("principal", "principal"), ("secret", "secret")] {
            form += "<label>\(label) <input name=\"\(key)\" value=\"\(HTMLEscape.attribute(q[key] ?? ""))\"></label>"
        }
        form += "<button type=\"submit\">Filter</button></form>"
        var pager = "<p class=\"pager\">page \(page)"
        let kept = q.keeping(dropping: ["page"])
        if page > 1 { pager += " <a rel=\"prev\" href=\"\(HTMLEscape.link("/alerts", kept + [("page", String(page - 1))]))\">newer</a>" }
        if more { pager += " <a rel=\"next\" href=\"\(HTMLEscape.link("/alerts", kept + [("page", String(page + 1))]))\">older</a>" }
        pager += "</p>"
        return PageLayout.page(title: "Alerts", body: form + TableHTML.render(list.table) + pager)
    }

    static let alertParameters: Set<String> = ["id"]

    /// `/alert?id=`: one alert's summary, its evidence and the CloudTrail record, pretty-printed
    /// (fields that could carry secret material redacted).
    func alertPage(_ q: ConsoleRequest) throws -> String {
        let id = try q.required("id")
        let list = try service().alert(id: id)
        guard let row = list.table.rows.first, let json = list.jsonLines.first else {
            throw ConsoleError(.notFound, subject: "alert \(id.prefix(80))", message: "no such alert in the store")
        }
        let f = TableHTML.formatter
        let columns = list.table.columns
        var pairs: [(String, String)] = []
        for (column, cell) in zip(columns, row) { pairs.append((column.title, f.plain(cell, listSeparator: ", "))) }
        var links = ""
        if let p = columns.firstIndex(where: { $0.key == "principal" }) {
            links += "<a href=\"\(HTMLEscape.link("/principal", [("name", f.plain(row[p], listSeparator: ""))]))\">the principal</a> "
        }
        if let s = columns.firstIndex(where: { $0.key == "secret" }), case .text(let secret) = row[s] {
            links += "<a href=\"\(HTMLEscape.link("/secret", [("name", secret)]))\">the secret</a>"
        }
        var evidence = "(none)"
        var record = "(none)"
        if let doc = try? TrailJSON.JSONDocument(bytes: Array(json.utf8)) {
            if let e = doc.root["evidence"] { evidence = PrettyJSON.render(e.rawText) }
            if let r = doc.root["record"] { record = PrettyJSON.render(r.rawText) }
        }
        var body = PageLayout.facts(pairs) + "<p>" + links + "</p>"
        body += PageLayout.section("Evidence", "<pre>\(HTMLEscape.text(evidence))</pre>", id: "evidence")
        body += PageLayout.section("Record", "<pre>\(HTMLEscape.text(record))</pre>", id: "record")
        let summary = columns.firstIndex { $0.key == "summary" }.map { f.plain(row[$0], listSeparator: "") } ?? id
        return PageLayout.page(title: summary, body: body)
    }
}
