import TrailModel
import TrailStore

extension Console {
    static let searchParameters: Set<String> = ["q", "account", "region"]

    /// `/search?q=`: a secret name, partial or full ARN, or a principal, resolved with the CLI's
    /// rules; several matches are listed, never guessed.
    func searchPage(_ q: ConsoleRequest) throws -> String {
        guard let text = q["q"] else {
            return PageLayout.page(title: "Search", body: "<p>Give a secret name, a partial or full ARN, or a principal.</p>")
        }
        let scope = try q.scope(now: clock(), defaultLimit: 1, maxLimit: 1)
        let match = try service().resolveName(text, scope: scope)
        var body = ""
        if let s = match.secret {
            body += "<p>Secret: <a href=\"\(HTMLEscape.link("/secret", [("name", s.arn)]))\">\(HTMLEscape.text(s.name))</a> (\(HTMLEscape.text(s.arn)))</p>"
        }
        if let p = match.principal {
            body += "<p>Principal: <a href=\"\(HTMLEscape.link("/principal", [("name", p.arn)]))\">\(HTMLEscape.text(p.display))</a> (\(HTMLEscape.text(p.arn)))</p>"
        }
        for e in match.ambiguous {
            body += "<p class=\"note\">\(HTMLEscape.text(e.message))</p><ul>"
            for c in e.candidates {
                let arn = String(c.split(separator: " ").first ?? Substring(c))
                body += "<li><a href=\"\(HTMLEscape.link("/search", [("q", arn)]))\">\(HTMLEscape.text(c))</a></li>"
            }
            body += "</ul>"
        }
        if body.isEmpty { body = "<p class=\"note\">no secret or principal in the store matches \"\(HTMLEscape.text(text))\"</p>" }
        return PageLayout.page(title: "Search: " + text, body: body)
    }
}
