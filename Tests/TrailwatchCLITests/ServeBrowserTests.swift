import Foundation
import Testing

/// The console in a real browser: headless Chromium loads every page from a running `serve` and
/// the test reads the DOM it built. No page may log a console message (a CSP violation included)
/// or fail to load a resource, and a store whose records carry HTML and script in `userAgent`, the
/// session name and the secret name renders them as text: no injected element exists.
@Suite(.serialized) struct ServeBrowserTests {
    static let paymentsARN = "arn:aws:secretsmanager:us-east-1:428471960213:secret:prod/payments/db-password-PWmi2J"

    static func encoded(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))!
    }

    /// Loads `path` and checks the DOM for `expected`, and the log for problems.
    static func check(_ serve: RunningServe, _ path: String, _ expected: [String], profile: TempDirectory,
                      sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let (dom, log) = try HeadlessChromium.load(serve.base + path, profile: profile)
        for e in expected { #expect(dom.contains(e), "\(path): the DOM lacks \(e)", sourceLocation: sourceLocation) }
        #expect(HeadlessChromium.problems(log).isEmpty, "\(path): \(HeadlessChromium.problems(log))", sourceLocation: sourceLocation)
        #expect(!dom.contains("<script"), "\(path) has a script element", sourceLocation: sourceLocation)
        return dom
    }

    @Test func sampleLogsPagesRender() async throws {
        let profile = try TempDirectory()
        let serve = try await RunningServe(db: try SampleRun.get().db)
        defer { _ = try? serve.stop() }
        let alerts = try await serve.get("/api/alerts?rule=secret-read-burst")
        let firstID = try #require(alerts.body.split(separator: "\n").first.flatMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["id"] as? String })
        _ = try Self.check(serve, "/", ["Alerts by severity per day", "<svg class=\"chart\"", "sev-fill-high", "staging/qa/test-user-passwords",
                                        "428471960213", "Failed files"], profile: profile)
        _ = try Self.check(serve, "/alerts", ["secret-read-burst", "user/ci-legacy", "<form class=\"filters\""], profile: profile)
        _ = try Self.check(serve, "/alerts?severity=critical", ["critical"], profile: profile)
        _ = try Self.check(serve, "/alert?id=\(firstID)", ["Evidence", "Record", "\"eventName\": \"GetSecretValue\""], profile: profile)
        _ = try Self.check(serve, "/secret?name=\(Self.encoded(Self.paymentsARN))",
                           ["prod/payments/db-password", "Reads per day by principal", "<rect class=\"s0\"", "role/app-payments", "Callers"], profile: profile)
        _ = try Self.check(serve, "/principal?name=role%2Fvendor-sync", ["Secrets touched per day", "AccessDenied", "prod/redis/auth-token"], profile: profile)
        _ = try Self.check(serve, "/search?q=app-reporting", ["is ambiguous", "arn:aws:iam::739205118846:role/app-reporting"], profile: profile)
    }

    @Test(.enabled(if: GenCloudTrail.isAvailable, GenCloudTrail.unavailableReason))
    func generatedTreePagesRender() async throws {
        let dir = try TempDirectory()
        let tree = try GenCloudTrail.generate(
            into: dir.path("tree"), ["-n", "20000", "--days", "9", "--seed", "3", "--accounts", "1", "--regions", "1",
                                     "--scenarios", "all", "--no-digests"])
        let db = dir.path("g.db")
        let backfill = try TrailwatchBinary.run(["backfill", tree.logs.path, "--db", db.path, "--no-progress"], in: dir.url)
        #expect(backfill.exitCode == 0, "\(backfill)")
        let serve = try await RunningServe(db: db)
        defer { _ = try? serve.stop() }
        let profile = try TempDirectory()
        let lines = try await serve.get("/api/alerts").body.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let withSecret = try #require(lines.first { ($0["secret"] as? [String: Any])?["id"] is String }, "no alert names a secret")
        let rule = try #require(withSecret["rule"] as? String)
        let secretARN = try #require((withSecret["secret"] as? [String: Any])?["id"] as? String)
        let principal = try #require((withSecret["principal"] as? [String: Any])?["id"] as? String)
        _ = try Self.check(serve, "/", ["<svg class=\"chart\"", "<rect class=\"sev-fill-", "Ingestion"], profile: profile)
        _ = try Self.check(serve, "/alerts", [rule], profile: profile)
        _ = try Self.check(serve, "/alert?id=" + Self.encoded(withSecret["id"] as! String), [rule, "Evidence"], profile: profile)
        _ = try Self.check(serve, "/secret?name=" + Self.encoded(secretARN), ["Reads per day by principal", "Callers", rule], profile: profile)
        _ = try Self.check(serve, "/principal?name=" + Self.encoded(principal), ["Secrets touched per day", "<svg class=\"chart\""], profile: profile)
    }

    /// Records whose attacker-controlled fields carry markup, as CloudTrail would deliver them.
    static func hostileLog() -> String {
        let script = #"<script>document.title='pwned'</script>"#
        let img = #"\"><img src=x onerror=alert(2)>"#
        let secretName = #"javascript:alert(3)//<svg onload=alert(4)>"#
        func record(_ n: Int, _ name: String, extra: String = "") -> String {
            #"{"eventVersion":"1.08","eventID":"00000000-0000-4000-8000-00000000000\#(n)","eventTime":"2024-06-03T12:0\#(n):00Z","#
                + #""eventSource":"secretsmanager.amazonaws.com","eventName":"\#(name)","awsRegion":"us-east-1","#
                + #""recipientAccountId":"111111111111","sourceIPAddress":"198.51.100.9","userAgent":"\#(script)\#(img)","#
                + #""userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111111111111:assumed-role/app/\#(script)","#
                + #""accountId":"111111111111","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111111111111:role/app","#
                + #""userName":"app","accountId":"111111111111"}}},"#
                + #""requestParameters":{"secretId":"arn:aws:secretsmanager:us-east-1:111111111111:secret:\#(secretName)-AbCdEf"\#(extra)}}"#
        }
        return #"{"Records":["# + [record(1, "GetSecretValue"), record(2, "DeleteSecret", extra: #","forceDeleteWithoutRecovery":true"#)]
            .joined(separator: ",") + "]}"
    }

    @Test func hostileFieldsRenderAsText() async throws {
        let dir = try TempDirectory()
        try dir.write("logs/111111111111_CloudTrail_us-east-1_20240603T1205Z_aaaaaaaaaaaaaaaa.json.gz", try HostileArchive.gzip(Data(Self.hostileLog().utf8)))
        let db = dir.path("h.db")
        let backfill = try TrailwatchBinary.run(["backfill", dir.path("logs").path, "--db", db.path, "--no-progress"], in: dir.url)
        #expect(backfill.exitCode == 0, "\(backfill)")
        let serve = try await RunningServe(db: db)
        defer { _ = try? serve.stop() }
        let profile = try TempDirectory()
        let alerts = try await serve.get("/api/alerts")
        let ids = alerts.body.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["id"] as? String }
        #expect(!ids.isEmpty, "the forced deletion raises an alert: \(backfill)")
        var pages = ["/", "/alerts", "/principal?name=role%2Fapp", "/search?q=app",
                     "/secret?name=" + Self.encoded("arn:aws:secretsmanager:us-east-1:111111111111:secret:javascript:alert(3)//<svg onload=alert(4)>-AbCdEf")]
        pages += ids.map { "/alert?id=" + Self.encoded($0) }
        for page in pages {
            let dom = try Self.check(serve, page, [], profile: profile)
            #expect(!dom.contains("<img"), "\(page): an injected img element")
            #expect(!dom.contains("<svg onload"), "\(page): an injected svg element")
            #expect(!dom.contains("href=\"javascript:"), "\(page): a javascript: link")
            #expect(!dom.contains("<title>pwned"), "\(page): the injected script ran")
        }
        _ = try Self.check(serve, pages[4], ["javascript:alert(3)//&lt;svg onload=alert(4)&gt;", "DeleteSecret", "forced"], profile: profile)
        // The alert page shows the record: the user agent and the session name as text.
        if let id = ids.first {
            _ = try Self.check(serve, "/alert?id=" + Self.encoded(id),
                               ["&lt;script&gt;document.title='pwned'&lt;/script&gt;\\\"&gt;&lt;img src=x onerror=alert(2)&gt;",
                                "assumed-role/app/&lt;script&gt;"], profile: profile)
        }
    }
}
