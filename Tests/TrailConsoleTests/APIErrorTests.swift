import Foundation
import Testing
import TrailConsole

@Suite struct APIErrorTests {
    @Test func anUnknownSecretIsA404WithAJSONError() async throws {
        let router = try ConsoleFixture.console().router(token: nil)
        let r = try await ConsoleFixture.get(router, "/api/query/secret?name=unknown%1B")
        #expect(r.status == .notFound)
        #expect(r.headers[.contentType] == "application/json; charset=utf-8")
        let object = try JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any]
        #expect(object?["status"] as? Int == 404)
        #expect((object?["error"] as? String)?.contains("no secret in the store matches") == true)
        #expect(!r.body.contains("\u{1B}"))
        let bad = try await ConsoleFixture.get(router, "/api/alerts?severity=severe")
        #expect(bad.status == .badRequest && bad.body.hasPrefix(#"{"error":"parameter severity"#), "\(bad.body)")
        #expect(try await ConsoleFixture.get(router, "/api/query/secret?name=prod%2Fdb").status == .ok)
    }
}
