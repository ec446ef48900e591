import Foundation
import Hummingbird
import NIOPosix
import TrailModel
import TrailStore

extension Console {
    /// The router: pages, the API, the stylesheet and (with a token) the login form. Only GET and
    /// HEAD are served, but for the login form's POST; nothing writes to the store. With `hosts`,
    /// requests for any other `Host` are answered 421 (the server always passes one).
    /// `cookieSecure` marks the login cookie `Secure` (behind a TLS proxy).
    public func router(token: String?, hosts: HostPolicy? = nil, cookieSecure: Bool = false) -> Router<BasicRequestContext> {
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.add(middleware: SecurityHeaders())
        if let hosts { router.add(middleware: HostCheck(policy: hosts)) }
        router.add(middleware: MethodCheck(posts: token == nil ? [] : ["/login", "/logout"]))
        if let token { router.add(middleware: TokenAuth(token: Array(token.utf8))) }
        let console = self
        router.get("/console.css") { _, _ in ConsoleResponse.css(Stylesheet.css) }
        let pages: [(String, Set<String>, @Sendable (Console, ConsoleRequest) throws -> String)] = [
            ("/", Self.overviewParameters, { try $0.overview($1) }),
            ("/alerts", Self.alertsParameters, { try $0.alertsPage($1) }),
            ("/alert", Self.alertParameters, { try $0.alertPage($1) }),
            ("/secret", Self.secretParameters, { try $0.secretPage($1) }),
            ("/principal", Self.principalParameters, { try $0.principalPage($1) }),
            ("/search", Self.searchParameters, { try $0.searchPage($1) }),
            ("/pending", Self.pendingParameters, { try $0.pendingPage($1) }),
        ]
        for (path, allowed, render) in pages {
            router.get(RouterPath(path)) { request, _ in
                do {
                    let q = try ConsoleRequest(pairs: Self.pairs(request), allowed: allowed)
                    let compute: @Sendable () async throws -> PageCache.Answer = { (try await Self.offLoop { try render(console, q) }, false) }
                    if let cache = console.cache {
                        return ConsoleResponse.html(try await cache.answer("page " + request.uri.description, now: console.clock(), compute: compute).body)
                    }
                    return ConsoleResponse.html(try await compute().body)
                } catch {
                    return Self.failure(error, html: true)
                }
            }
        }
        router.get("/api/**") { request, _ in
            let path = String(request.uri.path.dropFirst("/api/".count))
            do {
                let pairs = Self.pairs(request)
                guard Self.apiCalls.contains(path) else {
                    return ConsoleResponse.error(status: .notFound, message: "no such API call: /api/\(path.prefix(80))", html: false)
                }
                let compute: @Sendable () async throws -> PageCache.Answer = {
                    guard let answer = try await Self.offLoop({ try console.api(path, pairs: pairs) }) else { return ("", false) }
                    return (answer.body, answer.lines)
                }
                let answer: PageCache.Answer
                if let cache = console.cache {
                    answer = try await cache.answer("api " + request.uri.description, now: console.clock(), compute: compute)
                } else {
                    answer = try await compute()
                }
                return ConsoleResponse.json(answer.body, lines: answer.lines, budget: console.apiByteBudget)
            } catch {
                return Self.failure(error, html: false)
            }
        }
        if let token {
            let expected = Array(token.utf8)
            router.get("/login") { _, _ in ConsoleResponse.html(LoginPage.render(failed: false)) }
            router.post("/login") { request, _ in
                var request = request
                let body = try await request.collectBody(upTo: 4096)
                let given = LoginPage.token(fromForm: String(buffer: body)).map { Array($0.utf8) } ?? []
                guard TokenCompare.equal(given, expected) else {
                    return ConsoleResponse.html(LoginPage.render(failed: true), status: .unauthorized)
                }
                var response = Response(status: .seeOther, headers: [.location: "/"])
                response.headers[.setCookie] = "\(TokenAuth<BasicRequestContext>.cookieName)=\(TokenAuth<BasicRequestContext>.sessionValue(for: expected)); Path=/; HttpOnly; SameSite=Strict"
                    + (cookieSecure ? "; Secure" : "")
                return response
            }
            router.get("/logout") { _, _ in ConsoleResponse.html(LoginPage.renderLogout()) }
            router.post("/logout") { _, _ in
                var response = Response(status: .seeOther, headers: [.location: "/login"])
                response.headers[.setCookie] = "\(TokenAuth<BasicRequestContext>.cookieName)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
                    + (cookieSecure ? "; Secure" : "")
                return response
            }
        }
        return router
    }

    /// Runs a page's or API call's synchronous SQLite reads on NIO's blocking thread pool, so a
    /// slow page occupies a pool thread, not one of Swift's few cooperative threads (two on a
    /// 2-core machine) that every other request needs.
    static func offLoop<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }

    /// The query string's parameters, decoded as HTML forms send them (`+` is a space, then
    /// percent-decoding), in order. A malformed escape is kept as written.
    static func pairs(_ request: Request) -> [(String, String)] {
        pairs(query: request.uri.query ?? "")
    }

    static func pairs(query: String) -> [(String, String)] {
        func decode(_ part: Substring) -> String {
            let spaced = part.replacingOccurrences(of: "+", with: " ")
            return spaced.removingPercentEncoding ?? spaced
        }
        return query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// An error as the client sees it: 400 for a bad or ambiguous parameter, 404 for nothing found,
    /// 500 (without details) for the rest.
    static func failure(_ error: any Error, html: Bool) -> Response {
        switch error {
        case let e as ConsoleError:
            let status: HTTPResponse.Status = e.kind == .notFound ? .notFound : .badRequest
            return ConsoleResponse.error(status: status, message: e.description, html: html)
        case let e as StoreError where e.kind == .ambiguous || e.kind == .invalidArgument:
            return ConsoleResponse.error(status: .badRequest, message: ([e.message] + e.candidates).joined(separator: "\n"), html: html)
        default:
            FileHandle.standardError.write(Data("trailwatch: serve: \(TerminalText.safe("\(error)"))\n".utf8))
            return ConsoleResponse.error(status: .internalServerError, message: "the store could not answer (see the server's standard error)", html: html)
        }
    }
}
