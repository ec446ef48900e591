import HTTPTypes
import Hummingbird
import TrailJSON
import TrailModel

/// Headers on every response, errors included: a strict Content-Security-Policy (nothing but the
/// served stylesheet and same-site forms; no script at all), no MIME sniffing, no caching, no
/// framing, no referrer.
struct SecurityHeaders<Context: RequestContext>: RouterMiddleware {
    static var policy: String {
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = ConsoleResponse.error(status: error.status, message: error.status.reasonPhrase, html: !request.uri.path.hasPrefix("/api/"))
        }
        Self.apply(&response.headers)
        return response
    }

    static func apply(_ headers: inout HTTPFields) {
        headers[.contentSecurityPolicy] = policy
        headers[.xContentTypeOptions] = "nosniff"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[.crossOriginResourcePolicy] = "same-origin"
    }
}

/// Response builders: HTML pages, JSON (lines) for the API, plain-text and HTML errors.
enum ConsoleResponse {
    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// JSON lines are cut at the last whole line within `budget` bytes, and then the response
    /// carries `X-TrailWatch-Truncated: true` and `X-TrailWatch-Rows: N` (rows sent); ask for
    /// less (`limit`, `since`, `until`) to see the rest. A single JSON document is never cut.
    static func json(_ text: String, lines: Bool, budget: Int = .max) -> Response {
        let type = lines ? "application/x-ndjson; charset=utf-8" : "application/json; charset=utf-8"
        var headers: HTTPFields = [.contentType: type]
        var body = Substring(text)
        if lines && text.utf8.count > budget {
            let utf8 = text.utf8
            let cut = utf8.index(utf8.startIndex, offsetBy: budget)
            let end = utf8[..<cut].lastIndex(of: UInt8(ascii: "\n")).map { utf8.index(after: $0) } ?? utf8.startIndex
            body = text[..<end]
            headers[HTTPField.Name("X-TrailWatch-Truncated")!] = "true"
            headers[HTTPField.Name("X-TrailWatch-Rows")!] = String(body.utf8.count(where: { $0 == UInt8(ascii: "\n") }))
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: String(body))))
    }

    static func css(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// An error as a page (escaped) or, for the API, a JSON object `{"error": MESSAGE, "status": CODE}`.
    static func error(status: HTTPResponse.Status, message: String, html: Bool) -> Response {
        if html {
            let page = PageLayout.page(title: "\(status.code) \(status.reasonPhrase)", body: "<p class=\"error\">\(HTMLEscape.text(message))</p>")
            return self.html(page, status: status)
        }
        var w = JSONWriter()
        w.beginObject()
        w.key("error"); w.string(TerminalText.safe(message, keepingNewlines: true))
        w.key("status"); w.integer(status.code)
        w.endObject()
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: w.text + "\n")))
    }
}
