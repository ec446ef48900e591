import Testing
import TrailModel

/// A forged record can spell a NUL character (`\u0000`) in any string: the normalised event holds
/// U+FFFD in its place, in every string field, so both stores can keep it.
@Suite struct NULCharacterTests {
    @Test func everyStringFieldLosesItsNUL() throws {
        let members = [
            #""eventSource":"secretsmanager.amazonaws.com","eventName":"Get\u0000SecretValue","eventType":"AwsApiCall""#,
            #""sourceIPAddress":"10.0.0.\u00001","userAgent":"ua\u0000","errorCode":"Access\u0000Denied","errorMessage":"m\u0000""#,
            #""userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/al\u0000ice","accountId":"123456789012"}"#,
            #""requestParameters":{"secretId":"arn:aws:secretsmanager:us-east-1:123456789012:secret:db\u0000x-AbCdEf"}"#,
        ]
        let e = try event(record(members.joined(separator: ","), id: #"id\u0000-1"#))
        let strings: [String?] = [e.eventID, e.eventName, e.sourceIPAddress, e.userAgent, e.errorCode, e.errorMessage, e.principal.id]
            + e.secrets.flatMap { [$0.id, $0.name] }
        for s in strings { #expect(s?.utf8.contains(0) != true, "\(String(describing: s))") }
        #expect(e.eventID == "id\u{FFFD}-1")
        #expect(e.userAgent == "ua\u{FFFD}")
        #expect(e.principal.id.contains("al\u{FFFD}ice"))
    }

    @Test func anEventWithoutNULIsUnchanged() throws {
        let e = try event(record(#""eventSource":"kms.amazonaws.com","eventName":"Decrypt","userAgent":"ua\tb""#))
        #expect(e.replacingNULCharacters() == e)
        #expect(e.userAgent == "ua\tb")
    }
}
