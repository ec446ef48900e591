import Testing
@testable import TrailConsole

@Suite struct RedactionTests {
    @Test func theAPIRedactsForgedSecretMaterialLikeTheAlertPage() async throws {
        let router = try ConsoleFixture.console().router(token: nil)
        for uri in ["/api/alerts", "/alert?id=alert-1"] {
            let r = try await ConsoleFixture.get(router, uri)
            #expect(r.status == .ok, "\(uri)")
            #expect(!r.body.contains(ConsoleFixture.secretValue), "\(uri) shows secret material")
            #expect(r.body.contains("(redacted)"), "\(uri)")
            // Identity fields stay: the secret's name in the request, the ARN and name in the response.
            #expect(r.body.contains("prod/db") && r.body.contains("arn"), "\(uri)")
        }
        let api = try await ConsoleFixture.get(router, "/api/alerts").body
        #expect(api.contains(#""secretId":"prod/db""#))
        #expect(api.contains(#""arn":"x""#) && api.contains(#""name":"prod/db""#))
        #expect(api.contains(#""randomPassword":"(redacted)""#) && api.contains(#""Blob":["(redacted)"]"#))
        #expect(api.split(separator: "\n").count == 1, "one JSON line per alert")
    }

    @Test func unknownResponseFieldsAndSensitiveRequestKeysAreRedacted() {
        let text = #"{"requestParameters":{"secretId":"s","nextToken":"t1","clientRequestToken":"t2","n":1},"# +
            #""responseElements":{"brandNew":"v1","nested":[["v2"]],"versionId":"ok1","ARN":"ok2","size":12,"flag":true},"# +
            #""additionalEventData":{"SecretValueX":{"a":"v3"},"ok":"ok3"}}"#
        let out = Redaction.redact(text)!
        for hidden in ["t1", "t2", "v1", "v2", "v3"] { #expect(!out.contains("\"\(hidden)\""), "\(hidden)") }
        for shown in [#""secretId":"s""#, #""versionId":"ok1""#, #""ARN":"ok2""#, #""size":12"#, #""flag":true"#, #""ok":"ok3""#, #""n":1"#] {
            #expect(out.contains(shown), "\(shown)")
        }
    }

    @Test func nothingToRedactLeavesTheTextByteForByte() {
        let text = #"{"eventName":"GetSecretValue","requestParameters":{"secretId":"a\u00e9"},"responseElements":null}"#
        #expect(Redaction.redact(text) == text)
        let line = #"{"id":"x","secret":{"id":"arn","name":"n"},"record":{"a":1},"evidence":{}}"#
        #expect(Redaction.redactAlertLine(line) == line)
        #expect(Redaction.redactAlertLine("not json") == #"{"error":"stored alert is not valid JSON (redacted)"}"#)
    }
}
