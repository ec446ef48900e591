/// The frame every page shares: the document head (the served stylesheet, nothing external), the
/// navigation with the search box, and the page's body.
enum PageLayout {
    static func page(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
        <title>\(HTMLEscape.text(title)) · TrailWatch</title><link rel="stylesheet" href="/console.css"></head>
        <body><header><nav><a class="brand" href="/">TrailWatch</a> <a href="/">Overview</a> <a href="/alerts">Alerts</a>
        <form class="search" action="/search" method="get"><input name="q" type="search" placeholder="secret, ARN or principal" aria-label="search"> <button type="submit">Search</button></form></nav></header>
        <main><h1>\(HTMLEscape.text(title))</h1>
        \(body)
        </main></body></html>

        """
    }

    /// A section with a heading.
    static func section(_ heading: String, _ content: String, id: String? = nil) -> String {
        let anchor = id.map { " id=\"\(HTMLEscape.attribute($0))\"" } ?? ""
        return "<section\(anchor)><h2>\(HTMLEscape.text(heading))</h2>\n\(content)\n</section>\n"
    }

    /// A definition list of label/value pairs; values are escaped here.
    static func facts(_ pairs: [(String, String)]) -> String {
        "<dl class=\"facts\">" + pairs.map { "<dt>\(HTMLEscape.text($0.0))</dt><dd>\(HTMLEscape.text($0.1))</dd>" }.joined() + "</dl>"
    }

    /// Notes from the store (for example: no secret matches), escaped.
    static func notes(_ notes: [String]) -> String {
        notes.map { "<p class=\"note\">\(HTMLEscape.text($0))</p>" }.joined()
    }
}
