import Testing
@testable import TrailAlerts

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy()

    @Test func fullJitterDoublesUpToTheCap() {
        #expect(policy.delay(afterAttempts: 1, unit: 0.999_999) == .milliseconds(999))
        #expect(policy.delay(afterAttempts: 1, unit: 0) == .zero)
        #expect(policy.delay(afterAttempts: 2, unit: 0.5) == .milliseconds(1000))
        #expect(policy.delay(afterAttempts: 4, unit: 0.5) == .milliseconds(4000))
        #expect(policy.delay(afterAttempts: 20, unit: 1) == .seconds(300))
        #expect(policy.delay(afterAttempts: 10_000, unit: 1) == .seconds(300))
    }

    @Test func retryAfterIsAFloorCappedAtAnHour() {
        #expect(policy.delay(afterAttempts: 1, retryAfter: .seconds(7), unit: 0.5) == .seconds(7))
        #expect(policy.delay(afterAttempts: 12, retryAfter: .seconds(1), unit: 1) == .seconds(300))
        #expect(policy.delay(afterAttempts: 1, retryAfter: .seconds(999_999), unit: 0) == .seconds(3600))
    }

    @Test func statusesAreRetriedOrParked() {
        for status in [200, 201, 204, 299] { #expect(RetryPolicy.classify(status: status, reason: "r", retryAfter: nil) == .delivered) }
        for status in [408, 429, 500, 502, 503, 599] {
            #expect(RetryPolicy.classify(status: status, reason: "r", retryAfter: .seconds(2)) == .retry(reason: "r", notBefore: .seconds(2)))
        }
        for status in [400, 401, 403, 404, 410, 422, 301, 307] {
            #expect(RetryPolicy.classify(status: status, reason: "r", retryAfter: nil) == .failed(reason: "r"))
        }
    }

    @Test func retryAfterHeaderForms() throws {
        #expect(HTTPEndpoint.retryAfter("3") == .seconds(3))
        #expect(HTTPEndpoint.retryAfter(" 0 ") == .zero)
        #expect(HTTPEndpoint.retryAfter("-1") == nil)
        // A hostile sink's huge Retry-After trapped in the conversion to milliseconds; now it is
        // capped by the policy like any other.
        let huge = try #require(HTTPEndpoint.retryAfter("9223372036854775807"))
        #expect(RetryPolicy().delay(afterAttempts: 1, retryAfter: huge, unit: 0) == .seconds(3600))
        #expect(RetryPolicy.milliseconds(.seconds(Int64.max)) == .max)
        #expect(RetryPolicy.milliseconds(.seconds(Int64.min)) == .min)
        let far = try #require(HTTPEndpoint.retryAfter("Fri, 31 Dec 9999 23:59:59 GMT"))
        #expect(far == .seconds(365 * 86_400), "\(far.components)")
        #expect(HTTPEndpoint.retryAfter("soon") == nil)
        #expect(HTTPEndpoint.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == .zero)  // in the past
    }
}

@Suite struct SinkSpecTests {
    @Test func parsesTheFourKinds() throws {
        #expect(try SinkSpec(parsing: "stdout").kind == .stdout)
        #expect(try SinkSpec(parsing: "file:/tmp/a b.jsonl") == SinkSpec(kind: .file, target: "/tmp/a b.jsonl"))
        #expect(try SinkSpec(parsing: "webhook:https://soar.example/hook?x=1").kind == .webhook)
        #expect(try SinkSpec(parsing: "slack:https://hooks.slack.com/services/T0/B0/XyZ").kind == .slack)
        #expect(throws: DeliveryError.self) { try SinkSpec(parsing: "email:me@example.com") }
        #expect(throws: DeliveryError.self) { try SinkSpec(parsing: "webhook:ftp://x/y") }
        #expect(throws: DeliveryError.self) { try SinkSpec(parsing: "file:") }
        // A port past 65535 trapped in the HTTP client at the first send; it is refused here.
        for port in ["65536", "99999", "0"] {
            #expect(throws: DeliveryError.self, "\(port)") { try SinkSpec(parsing: "webhook:http://127.0.0.1:\(port)/x") }
        }
        #expect(try SinkSpec(parsing: "webhook:http://127.0.0.1:65535/x").kind == .webhook)
    }

    @Test func namesNeverHoldTheSecretPartsOfAURL() throws {
        let secret = "T000/B000/abcdefSECRET"
        let slack = try SinkSpec(parsing: "slack:https://hooks.slack.com/services/\(secret)")
        #expect(slack.name.hasPrefix("slack:https://hooks.slack.com/…#"))
        #expect(!slack.name.contains("SECRET"))
        let withUser = try SinkSpec(parsing: "webhook:https://user:pw@soar.example:8443/p?token=SECRET")
        #expect(withUser.name.hasPrefix("webhook:https://soar.example:8443/…#"))
        #expect(!withUser.name.contains("pw") && !withUser.name.contains("SECRET"))
        // Two URLs on one host are told apart.
        let other = try SinkSpec(parsing: "slack:https://hooks.slack.com/services/T000/B000/other")
        #expect(other.name != slack.name)
        // Errors about an unparsable sink do not echo the URL either.
        do {
            _ = try SinkSpec(parsing: "webhok:https://hooks.slack.com/services/\(secret)")
            Issue.record("expected an error")
        } catch {
            #expect(!error.description.contains("SECRET"))
        }
        #expect(SinkSpec.redactLocation("https://u:p@evil.example:81/x?sig=SECRET#f") == "https://evil.example:81/…")
        // A redirect to the same secret path (http to https, a trailing slash) shows no path.
        #expect(SinkSpec.redactLocation("https://hooks.example/services/T0/B0/PATHSECRET") == "https://hooks.example/…")
        #expect(SinkSpec.redactLocation("/services/T0/B0/PATHSECRET/") == "/…")
        #expect(SinkSpec.redactLocation("https://hooks.example/") == "https://hooks.example")
        #expect(SinkSpec.redactLocation("/") == "/")
    }

    @Test func tokensThatCouldSplitHeadersAreRefused() {
        #expect(throws: DeliveryError.self) { try HTTPEndpoint.checkToken("abc\r\nX-Evil: 1", sink: "w") }
        #expect(throws: DeliveryError.self) { try HTTPEndpoint.checkToken("abc\n", sink: "w") }
        #expect(throws: DeliveryError.self) { try HTTPEndpoint.checkToken("", sink: "w") }
        #expect(throws: Never.self) { try HTTPEndpoint.checkToken("eyJhbGciOi.abc-_~+/=", sink: "w") }
    }
}
