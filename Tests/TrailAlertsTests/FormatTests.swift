import Foundation
import Testing
import TrailJSON
@testable import TrailAlerts

/// Slack and OCSF bodies, and the one-line guarantee of line sinks.
@Suite struct FormatTests {
    static let alert = #"""
    {"id":"d4a61b7e14947256","rule":"secret-read-burst","severity":"high","title":"Many secrets read",
     "summary":"user/<b>ci</b> & co read 20 secrets\nin 5 minutes","time":"2025-09-05T12:12:41Z","account":"428471960213",
     "region":"us-east-1","principal":{"type":"IAMUser","id":"arn:aws:iam::428471960213:user/ci","session":null,"name":"user/ci"},
     "secret":{"id":"arn:aws:secretsmanager:us-east-1:428471960213:secret:prod/x-AbCdEf","name":"prod/x"},
     "eventID":"d89d686a-ecc8-4114-ab80-51c865504cf7","eventName":"GetSecretValue","sourceIPAddress":"203.0.113.77",
     "userAgent":"aws-cli/2","evidence":{"count":20},"count":3,
     "record":{ "eventID" : "d89d686a-ecc8-4114-ab80-51c865504cf7",
                "note" : "caf\u00e9 \/ \"q\"  spaced",
                "n" : 1.50e2 }}
    """#

    private func object(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func slackPayloadHasTextAndBlocks() throws {
        let bytes = SlackPayload.render(alertJSON: Self.alert)
        #expect(!bytes.contains(0x0A))
        let payload = try object(bytes)
        let text = try #require(payload["text"] as? String)
        #expect(text.hasPrefix("[HIGH] secret-read-burst: "))
        #expect(!text.contains("\n"))
        let blocks = try #require(payload["blocks"] as? [[String: Any]])
        #expect(blocks.map { $0["type"] as? String } == ["header", "section", "section"])
        let header = try #require(blocks[0]["text"] as? [String: Any])
        #expect(header["type"] as? String == "plain_text")
        #expect((header["text"] as? String ?? "").count <= 150)
        let summary = try #require(blocks[1]["text"] as? [String: Any])
        #expect(summary["type"] as? String == "mrkdwn")
        // Attacker-made names cannot form links or mentions.
        #expect(summary["text"] as? String == "user/&lt;b&gt;ci&lt;/b&gt; &amp; co read 20 secrets\nin 5 minutes")
        let fields = try #require(blocks[2]["fields"] as? [[String: Any]])
        #expect(fields.count <= 10)
        #expect(fields.allSatisfy { $0["type"] as? String == "mrkdwn" })
        let texts = fields.compactMap { $0["text"] as? String }
        #expect(texts == ["*Severity*\nhigh", "*Rule*\nsecret-read-burst", "*Principal*\nuser/ci", "*Secret*\nprod/x",
                          "*Time*\n2025-09-05T12:12:41Z", "*Event ID*\nd89d686a-ecc8-4114-ab80-51c865504cf7"])
    }

    @Test func ocsfFindingCarriesTheRecordAsEvidence() throws {
        let bytes = OCSFFinding.render(alertJSON: Self.alert)
        #expect(!bytes.contains(0x0A))
        let finding = try object(bytes)
        #expect(finding["class_uid"] as? Int == 2004)
        #expect(finding["category_uid"] as? Int == 2)
        #expect(finding["type_uid"] as? Int == 200_401)
        #expect(finding["severity_id"] as? Int == 4)
        #expect(finding["time"] as? Int == 1_757_074_361_000)
        let evidence = try #require((finding["evidences"] as? [[String: Any]])?.first)
        let data = try #require(evidence["data"] as? [String: Any])
        #expect(data["eventID"] as? String == "d89d686a-ecc8-4114-ab80-51c865504cf7")
        // The record's bytes: escapes and number spelling kept, layout gone.
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(#""note":"caf\u00e9 \/ \"q\"  spaced","n":1.50e2"#))
    }

    /// `sourceIPAddress` is attacker-made. `1.2.3.½` crashed the OCSF format (`½` is a Unicode
    /// number that `Int` cannot read); now only real addresses go to `ip`, anything else to `domain`.
    @Test func ocsfSourceEndpointIsAnAddressOrADomain() throws {
        let cases: [(String, String)] = [
            ("203.0.113.77", "ip"), ("2001:db8::1", "ip"), ("::ffff:10.0.0.1", "ip"),
            ("1.2.3.\u{00BD}", "domain"), ("1.2.3.\u{0663}", "domain"), ("\u{FF21}\u{FF22}::1", "domain"),
            ("010.0.0.1", "domain"), ("1.2.3.256", "domain"), ("secretsmanager.amazonaws.com", "domain"),
            ("AWS Internal", "domain"), (":::", "domain"),
        ]
        for (address, key) in cases {
            let escaped = address.unicodeScalars.map { $0.isASCII ? String($0) : String(format: "\\u%04x", $0.value) }.joined()
            let alert = Self.alert.replacingOccurrences(of: #""sourceIPAddress":"203.0.113.77""#, with: #""sourceIPAddress":"\#(escaped)""#)
            let finding = try object(OCSFFinding.render(alertJSON: alert))
            let evidence = try #require((finding["evidences"] as? [[String: Any]])?.first)
            let endpoint = try #require(evidence["src_endpoint"] as? [String: Any], "\(address)")
            #expect(endpoint.keys.sorted() == [key], "\(address)")
            #expect(endpoint[key] as? String == address, "\(address)")
        }
    }

    @Test func jsonBodyIsTheAlertOnOneLine() throws {
        let bytes = AlertFormat.json.body(for: .file, alertJSON: Self.alert)
        #expect(!bytes.contains(0x0A))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(#"{"eventID":"d89d686a-ecc8-4114-ab80-51c865504cf7","note":"caf\u00e9 \/ \"q\"  spaced","n":1.50e2}"#))
        #expect(try object(bytes)["count"] as? Int == 3)
    }

    @Test func isoTimesToMilliseconds() {
        #expect(OCSFFinding.milliseconds(iso8601: "1970-01-01T00:00:00Z") == 0)
        #expect(OCSFFinding.milliseconds(iso8601: "2000-03-01T00:00:00.250Z") == 951_868_800_250)
        #expect(OCSFFinding.milliseconds(iso8601: "2024-13-01T00:00:00Z") == nil)
    }
}
