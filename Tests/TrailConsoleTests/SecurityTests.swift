import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TrailConsole
import TrailStore

@Suite struct SecurityTests {
    static let token = "0123456789abcdef0123456789abcdef"
    /// HMAC-SHA256(token, "trailwatch console session"), computed independently with
    /// `printf 'trailwatch console session' | openssl dgst -sha256 -hmac 0123456789abcdef0123456789abcdef`.
    static let session = "d8125a57b67e5467237a9ee4a334396e900e6e18f3e9c4a334e2526230e2cfa6"

    @Test func beyondLoopbackNeedsAToken() throws {
        let console = try ConsoleFixture.console()
        #expect(throws: ConsoleError.self) { try ConsoleServer(console: console, listen: ListenAddress(parsing: "0.0.0.0:8080"), token: nil) }
        #expect(throws: ConsoleError.self) { try ConsoleServer(console: console, listen: ListenAddress(parsing: "[::]:8080"), token: nil) }
        #expect(throws: ConsoleError.self) { try ConsoleServer(console: console, listen: ListenAddress(parsing: "10.1.2.3:80"), token: nil) }
        _ = try ConsoleServer(console: console, listen: ListenAddress(parsing: "0.0.0.0:8080"), token: Self.token)
        _ = try ConsoleServer(console: console, listen: ListenAddress(parsing: "127.0.0.1:8080"), token: nil)
        _ = try ConsoleServer(console: console, listen: ListenAddress(parsing: "[::1]:0"), token: nil)
    }

    @Test func listenAddressesParse() throws {
        #expect(try ListenAddress(parsing: "127.0.0.1:8080") == ListenAddress(parsing: "127.0.0.1:8080"))
        #expect(try ListenAddress(parsing: "[::1]:9000").host == "::1")
        #expect(try ListenAddress(parsing: "localhost:1").isLoopback)
        #expect(try !ListenAddress(parsing: "127.example.com:1").isLoopback)
        for bad in ["8080", "host:", ":80", "1.2.3.4:70000", "::1:80", "[::1]80"] {
            #expect(throws: ConsoleError.self, "\(bad)") { try ListenAddress(parsing: bad) }
        }
    }

    @Test func tokenFilesAreChecked() throws {
        #expect(try AuthToken.parse(Self.token + "\n", file: "t") == Self.token)
        #expect(throws: ConsoleError.self) { try AuthToken.parse("short\n", file: "t") }
        #expect(throws: ConsoleError.self) { try AuthToken.parse("0123456789abcdef;0123", file: "t") }
        #expect(throws: ConsoleError.self) { try AuthToken.parse("", file: "t") }
    }

    @Test func everyRouteNeedsTheTokenButTheStylesheet() async throws {
        let router = try ConsoleFixture.console().router(token: Self.token)
        for uri in ["/", "/alerts", "/secret?name=prod%2Fdb", "/api/status", "/api/alerts"] {
            let none = try await ConsoleFixture.get(router, uri)
            #expect(none.status == .unauthorized, "\(uri)")
            #expect(!none.body.contains("prod/db"), "\(uri) leaks data before authentication")
            let wrong = try await ConsoleFixture.get(router, uri, headers: [.authorization: "Bearer 0123456789abcdef0123456789abcdeX"])
            #expect(wrong.status == .unauthorized, "\(uri)")
            let prefix = try await ConsoleFixture.get(router, uri, headers: [.authorization: "Bearer 0123456789abcdef"])
            #expect(prefix.status == .unauthorized, "\(uri)")
            let bearer = try await ConsoleFixture.get(router, uri, headers: [.authorization: "Bearer \(Self.token)"])
            #expect(bearer.status == .ok, "\(uri)")
            let cookie = try await ConsoleFixture.get(router, uri, headers: [.cookie: "other=1; trailwatch_session=\(Self.session)"])
            #expect(cookie.status == .ok, "\(uri)")
            // The token itself is not a session, under either cookie name.
            for raw in ["trailwatch_session=\(Self.token)", "trailwatch_token=\(Self.token)"] {
                let rawCookie = try await ConsoleFixture.get(router, uri, headers: [.cookie: raw])
                #expect(rawCookie.status == .unauthorized, "\(uri) \(raw)")
            }
        }
        #expect(try await ConsoleFixture.get(router, "/console.css").status == .ok)
    }

    @Test func theLoginFormSetsAStrictCookie() async throws {
        let app = Application(router: try ConsoleFixture.console().router(token: Self.token))
        try await app.test(.router) { client in
            try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                     body: ByteBuffer(string: "token=\(Self.token)")) { r in
                #expect(r.status == .seeOther)
                #expect(r.headers[.setCookie] == "trailwatch_session=\(Self.session); Path=/; HttpOnly; SameSite=Strict")
                #expect(r.headers[.setCookie]?.contains(Self.token) == false, "the browser must not be handed the token")
            }
            try await client.execute(uri: "/login", method: .post, body: ByteBuffer(string: "token=wrong")) { r in
                #expect(r.status == .unauthorized)
                #expect(r.headers[.setCookie] == nil)
            }
        }
    }

    @Test func constantTimeComparisonIsEquality() {
        // (The timing is by construction; this pins the answers, including length mismatches.)
        let pairs: [(String, String, Bool)] = [("abc", "abc", true), ("abc", "abd", false), ("abc", "ab", false), ("", "", true), ("ab", "abc", false)]
        for (a, b, equal) in pairs {
            #expect(TokenCompare.equal(Array(a.utf8), Array(b.utf8)) == equal, "\(a) \(b)")
        }
    }

    @Test func nothingWrites() async throws {
        let console = try ConsoleFixture.console()
        #expect(console.store.readOnly)
        // The store refuses writes on a read-only connection...
        #expect(throws: StoreError.self) { try console.store.requeueDeliveries(sink: nil, since: nil) }
        // ...and the console answers only GET (and HEAD): no route takes a body that changes anything.
        let app = Application(router: console.router(token: nil))
        try await app.test(.router) { client in
            for (uri, method) in [("/", HTTPRequest.Method.post), ("/alerts", .put), ("/alert?id=alert-1", .delete), ("/api/alerts", .post)] {
                try await client.execute(uri: uri, method: method) { r in
                    #expect(r.status == .methodNotAllowed, "\(method) \(uri)")
                    #expect(r.headers[.allow] == "GET, HEAD", "\(method) \(uri)")
                    #expect(r.headers[.contentSecurityPolicy] != nil)
                }
            }
            try await client.execute(uri: "/alerts", method: .head) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentSecurityPolicy] != nil)
            }
        }
    }
}

@Suite struct TokenHygieneTests {
    @Test func aTokenFileOthersCanReadIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("x\n".utf8), attributes: [.posixPermissions: 0o644]))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ConsoleError.self) { try AuthToken.checkPermissions(of: path) }
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: path)
        #expect(throws: ConsoleError.self) { try AuthToken.checkPermissions(of: path) }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        try AuthToken.checkPermissions(of: path)
        #expect(throws: ConsoleError.self) { try AuthToken.checkPermissions(of: path + "-missing") }
    }

    @Test func secureCookieAndSignOut() async throws {
        let app = Application(router: try ConsoleFixture.console().router(token: SecurityTests.token, cookieSecure: true))
        try await app.test(.router) { client in
            try await client.execute(uri: "/login", method: .post, body: ByteBuffer(string: "token=\(SecurityTests.token)")) { r in
                #expect(r.headers[.setCookie] == "trailwatch_session=\(SecurityTests.session); Path=/; HttpOnly; SameSite=Strict; Secure")
            }
            try await client.execute(uri: "/logout", method: .get) { r in
                #expect(r.status == .ok && String(buffer: r.body).contains("action=\"/logout\" method=\"post\""))
            }
            try await client.execute(uri: "/logout", method: .post) { r in
                #expect(r.status == .seeOther && r.headers[.location] == "/login")
                #expect(r.headers[.setCookie] == "trailwatch_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Secure")
            }
        }
    }
}
