import Hummingbird
import HummingbirdTesting
import Testing
@testable import TrailConsole

@Suite struct HostCheckTests {
    @Test func loopbackAnswersOnlyLoopbackNamesOnItsPort() throws {
        let policy = HostPolicy(listen: try ListenAddress(parsing: "127.0.0.1:8080"))
        for ok in ["localhost", "localhost:8080", "LOCALHOST:8080", "127.0.0.1:8080", "127.0.0.1", "[::1]:8080", "[::1]"] {
            #expect(policy.allows(ok), "\(ok)")
        }
        for bad in [nil, "", "evil.example", "evil.example:8080", "localhost:9090", "127.0.0.1:80", "localhost.evil.example:8080",
                    "127.0.0.2:8080", "[::1]:x", "localhost:8080@evil"] {
            #expect(!policy.allows(bad), "\(bad ?? "nil")")
        }
    }

    @Test func aBoundPortAndAllowedHostsAreAccepted() throws {
        let policy = HostPolicy(listen: try ListenAddress(parsing: "[::1]:0"), allowHosts: ["Console.Example.com"])
        policy.bound(port: 41234)
        #expect(policy.allows("[::1]:41234") && policy.allows("localhost:41234"))
        #expect(!policy.allows("localhost:0") && !policy.allows("localhost:41235"))
        #expect(policy.allows("console.example.com") && policy.allows("console.example.com:443"))
        #expect(!policy.allows("console.example.com:x") && !policy.allows("example.com"))
    }

    @Test func anotherHostGets421WithTheSecurityHeaders() async throws {
        let console = try ConsoleFixture.console()
        // The in-process test client sends `Host: localhost`.
        let blocked = console.router(token: SecurityTests.token, hosts: HostPolicy(names: ["10.0.0.1"], port: 8080, allowHosts: ["console.example.com"]))
        for uri in ["/", "/api/alerts", "/console.css", "/login"] {
            let r = try await ConsoleFixture.get(blocked, uri, headers: [.authorization: "Bearer \(SecurityTests.token)"])
            #expect(r.status == .misdirectedRequest, "\(uri)")
            #expect(r.headers[.contentSecurityPolicy] != nil && r.headers[.cacheControl] == "no-store", "\(uri)")
            #expect(!r.body.contains("prod/db"), "\(uri)")
        }
        let open = console.router(token: nil, hosts: HostPolicy(listen: try ListenAddress(parsing: "127.0.0.1:8080")))
        #expect(try await ConsoleFixture.get(open, "/alerts").status == .ok)
    }
}
