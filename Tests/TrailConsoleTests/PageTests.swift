import Hummingbird
import HummingbirdTesting
import Testing
import TrailConsole
import TrailStore

/// Every page over HTTP: status, security headers, the expected content, and hostile fields
/// rendered as text.
@Suite struct PageTests {
    /// Markup that must never reach a page unescaped (the fixture's payloads).
    static let injected = ["<script", "<img", "<svg onload", "<b>", "href=\"javascript:"]

    static func checkSafe(_ body: String, _ uri: String) {
        for needle in injected {
            #expect(!body.contains(needle), "\(uri) carries \(needle) unescaped")
        }
    }

    @Test(arguments: [
        ("/", ["Alerts by severity per day", "Secrets pending deletion", "javascript:alert(4)//&lt;b&gt;x", "in 24d 10h", "Failed files",
               "&lt;script&gt;", "<svg class=\"chart\"", "sev-fill-high"]),
        ("/alerts", ["&lt;script&gt;alert(1)&lt;/script&gt; read prod/db", "href=\"/alert?id=alert-1\"", "<form class=\"filters\"",
                     "href=\"/secret?name=prod%2Fdb&amp;account=111111111111&amp;region=us-east-1\""]),
        ("/alerts?severity=high&principal=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2F%3Csvg%20onload%3Dalert(3)%3E", ["alert-1"]),
        ("/alert?id=alert-1", ["Evidence", "&quot;(redacted)&quot;", "&quot;userAgent&quot;: &quot;&lt;script&gt;", "&lt;svg onload=alert(3)&gt;"]),
        ("/secret?name=prod%2Fdb", ["Reads per day by principal", "<rect class=\"s0\"", "role/app", "Callers", "CreateSecret",
                                    "role/&lt;svg onload=alert(3)&gt;"]),
        ("/secret?name=javascript%3Aalert(4)%2F%2F%3Cb%3Ex", ["DeleteSecret", "recovery window 30 days", "AccessDeniedException"]),
        ("/principal?name=role%2Fapp", ["Secrets touched per day", "prod/db", "<svg class=\"chart\""]),
        ("/search?q=prod%2Fdb", ["href=\"/secret?name=arn%3Aaws%3Asecretsmanager%3Aus-east-1%3A111111111111%3Asecret%3Aprod%2Fdb-AbCdEf\""]),
        ("/search?q=nothing-like-it", ["no secret or principal in the store matches"]),
    ])
    func pageRenders(uri: String, expected: [String]) async throws {
        let router = try ConsoleFixture.console().router(token: nil)
        let r = try await ConsoleFixture.get(router, uri)
        #expect(r.status == .ok, "\(uri): \(r.body.prefix(300))")
        #expect(r.headers[.contentType] == "text/html; charset=utf-8")
        #expect(r.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'none'") == true)
        #expect(r.headers[.contentSecurityPolicy]?.contains("script-src") == false)
        #expect(r.headers[.xContentTypeOptions] == "nosniff")
        #expect(r.headers[.cacheControl] == "no-store")
        for e in expected { #expect(r.body.contains(e), "\(uri) lacks \(e)") }
        Self.checkSafe(r.body, uri)
        #expect(!r.body.contains(ConsoleFixture.secretValue))
    }

    @Test func stylesheetIsServedAndPagesLinkNothingExternal() async throws {
        let router = try ConsoleFixture.console().router(token: nil)
        let css = try await ConsoleFixture.get(router, "/console.css")
        #expect(css.status == .ok)
        #expect(css.headers[.contentType] == "text/css; charset=utf-8")
        let page = try await ConsoleFixture.get(router, "/")
        #expect(!page.body.contains("http://") || page.body.components(separatedBy: "http://").count == 2)  // only the SVG namespace
        #expect(page.body.contains("xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(!page.body.contains("https://"))
        #expect(!page.body.contains(" style="))
    }

    @Test(arguments: [
        ("/alerts?bogus=1", "parameter &quot;bogus&quot;"),
        ("/alerts?since=2024-02-30", "parameter since"),
        ("/alerts?severity=severe", "parameter severity"),
        ("/alerts?page=0", "parameter page"),
        ("/alerts?rule=" + String(repeating: "x", count: 600), "longer than 512 bytes"),
        ("/alerts?rule=a%0Ab", "control characters"),
        ("/secret", "parameter name: is required"),
        ("/secret?name=prod%2Fdb&limit=100000", "parameter limit"),
    ])
    func badParametersAreRejected(uri: String, message: String) async throws {
        let router = try ConsoleFixture.console().router(token: nil)
        let r = try await ConsoleFixture.get(router, uri)
        #expect(r.status == .badRequest, "\(uri)")
        #expect(r.body.contains(message), "\(uri): \(r.body)")
        #expect(r.headers[.contentSecurityPolicy] != nil)
    }

    @Test func unknownThingsAre404WithHeaders() async throws {
        let router = try ConsoleFixture.console().router(token: nil)
        for uri in ["/secret?name=no-such-secret", "/principal?name=role%2Fnobody", "/alert?id=nope", "/no/such/page", "/api/nothing"] {
            let r = try await ConsoleFixture.get(router, uri)
            #expect(r.status == .notFound, "\(uri)")
            #expect(r.headers[.contentSecurityPolicy] != nil, "\(uri)")
            #expect(r.headers[.cacheControl] == "no-store", "\(uri)")
        }
    }

    @Test func alertsArePaged() async throws {
        let router = try ConsoleFixture.console().router(token: nil)
        let second = try await ConsoleFixture.get(router, "/alerts?page=2")
        #expect(second.status == .ok)
        #expect(second.body.contains("no rows"))
        #expect(second.body.contains("rel=\"prev\" href=\"/alerts?page=1\""))
    }
}
