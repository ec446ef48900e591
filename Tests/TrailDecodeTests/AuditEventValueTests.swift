import Testing
import TrailModel

/// `AuditEvent` holds its fields in a shared box: it must still behave as a value.
@Suite struct AuditEventValueTests {
    private func sample(_ id: String = "e-1") -> AuditEvent {
        AuditEvent(
            eventID: id, eventTime: EventTime(milliseconds: 1_700_000_000_000),
            eventSource: "secretsmanager.amazonaws.com", eventName: "PutResourcePolicy", eventType: "AwsApiCall",
            region: "us-east-1", account: "123456789012", userAgent: "aws-cli/2",
            principal: Principal(type: "IAMUser", id: "arn:aws:iam::123456789012:user/alice"),
            secrets: [SecretRef(id: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db", name: "db",
                                account: "123456789012", region: "us-east-1", isFullARN: false)],
            details: EventDetails(kmsKeys: ["k1"], policy: "{}", batchFilters: [BatchFilter(key: "name", values: ["a"])]),
            location: RecordLocation(path: "f.json.gz", recordIndex: 0, byteOffset: 12))
    }

    @Test func aWriteToACopyLeavesTheOriginalAlone() {
        let original = sample()
        var copy = original
        copy.eventName = "DeleteSecret"
        copy.secrets[0].name = "other"
        copy.principal.session = "s"
        copy.details.kmsKeys.append("k2")
        #expect(original.eventName == "PutResourcePolicy")
        #expect(original.secrets[0].name == "db")
        #expect(original.principal.session == nil)
        #expect(original.details.kmsKeys == ["k1"])
        #expect(copy.eventName == "DeleteSecret" && copy.secrets[0].name == "other" && copy.details.kmsKeys == ["k1", "k2"])
        #expect(copy != original)
    }

    @Test func equalFieldsMakeEqualEventsWithEqualHashes() {
        let a = sample(), b = sample()
        #expect(a == b)
        #expect(Set([a, b]).count == 1)
        var c = b
        c.location.byteOffset = 13
        #expect(c != a)
        #expect(Set([a, b, c]).count == 2)
    }

    @Test func nulInDetailsSecretsAndFiltersIsReplaced() {
        var e = sample()
        e.secrets[0].region = "us-\u{0}east-1"
        e.details.kmsKeys = ["k\u{0}"]
        e.details.policy = "{\u{0}}"
        e.details.batchFilters = [BatchFilter(key: "n\u{0}", values: ["a", "b\u{0}"])]
        let fixed = e.replacingNULCharacters()
        #expect(fixed.secrets[0].region == "us-\u{FFFD}east-1")
        #expect(fixed.details.kmsKeys == ["k\u{FFFD}"])
        #expect(fixed.details.policy == "{\u{FFFD}}")
        #expect(fixed.details.batchFilters == [BatchFilter(key: "n\u{FFFD}", values: ["a", "b\u{FFFD}"])])
        #expect(fixed.eventName == e.eventName && fixed.secrets[0].name == "db")
        #expect(e.details.policy == "{\u{0}}")
    }
}
