import Testing
import TrailDecode
import TrailModel

@Suite struct NormaliserFieldTests {
    @Test func recordFields() throws {
        let e = try event(#"""
        {"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012"},
         "eventTime":"2024-06-03T10:00:00.123Z","eventSource":"secretsmanager.amazonaws.com","eventName":"GetSecretValue",
         "awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15 Python/3.11",
         "errorCode":"AccessDenied","errorMessage":"User: x is not authorized","requestParameters":{"secretId":"a"},
         "responseElements":null,"eventID":"e-1","readOnly":true,"eventType":"AwsApiCall","recipientAccountId":"210987654321"}
        """#)
        #expect(e.eventID == "e-1")
        #expect(e.eventTime == EventTime(milliseconds: 1_717_408_800_123))
        #expect(e.eventSource == "secretsmanager.amazonaws.com" && e.service == "secretsmanager")
        #expect(e.eventName == "GetSecretValue" && e.eventType == "AwsApiCall")
        #expect(e.region == "eu-west-1" && e.account == "210987654321")
        #expect(e.sourceIPAddress == "198.51.100.7" && e.userAgent == "aws-cli/2.15 Python/3.11")
        #expect(e.errorCode == "AccessDenied" && e.errorMessage == "User: x is not authorized")
        #expect(e.readOnly == true && !e.succeeded)
        #expect(e.location == RecordLocation(path: "test.json", recordIndex: 0, byteOffset: 0))
    }

    @Test func readOnlyAsStringAndEscapedValues() throws {
        #expect(try event(record(#""readOnly":"false""#)).readOnly == false)
        #expect(try event(record(#""readOnly":"true""#)).readOnly == true)
        #expect(try event(record()).readOnly == nil)
        #expect(try event(record(#""eventName":"Get\u0053ecretValue""#)).eventName == "GetSecretValue")
    }

    @Test func escapedKeysAreTheSameKeys() throws {
        let e = try event(#"{"event\u0049D":"k","eventTim\u0065":"2024-06-03T10:00:00Z","userIdentity":{"typ\u0065":"Root","arn":"arn:aws:iam::1:root"}}"#)
        #expect(e.eventID == "k" && e.principal.type == "Root")
    }

    @Test func logstashTimestampStandsInForAMissingEventTime() throws {
        let e = try event(#"{"eventID":"l","@timestamp":"2020-09-14T00:44:23.000Z","@version":"1","eventName":"X"}"#)
        #expect(e.eventTime == EventTimeParser.parse("2020-09-14T00:44:23Z"))
        // eventTime wins when both are present.
        let both = try event(#"{"eventID":"l","@timestamp":"2020-09-14T00:44:23.000Z","eventTime":"2021-01-01T00:00:00Z"}"#)
        #expect(both.eventTime == EventTimeParser.parse("2021-01-01T00:00:00Z"))
    }

    @Test func invalidRecordsFailWithTheirLocation() throws {
        let file = try decode(#"{"Records":[{"eventID":"ok","eventTime":"2024-06-03T10:00:00Z"}]}"#)
        let r = file.records[0]
        let doc = try JSONDocumentFixture.parse(#"{"eventTime":"2024-06-03T10:00:00Z"}"#)
        let bad = DecodedRecord(record: doc, location: r.location)
        guard case let .failure(invalid) = Normaliser().normalise(bad) else { Issue.record("expected failure"); return }
        #expect(invalid.location == r.location && invalid.reason == "record has no eventID")
        let badTime = DecodedRecord(record: try JSONDocumentFixture.parse(#"{"eventID":"x","eventTime":"2024-06-03 10:00"}"#), location: r.location)
        guard case let .failure(invalidTime) = Normaliser().normalise(badTime) else { Issue.record("expected failure"); return }
        #expect(invalidTime.reason.contains("not a valid time"))
    }
}

@Suite struct EventDetailsTests {
    let sm = #""eventSource":"secretsmanager.amazonaws.com""#
    let kms = #""eventSource":"kms.amazonaws.com""#

    @Test func deleteSecret() throws {
        let d = try event(record(sm + #","eventName":"DeleteSecret","requestParameters":{"secretId":"a","recoveryWindowInDays":7}"#)).details
        #expect(d.recoveryWindowInDays == 7 && !d.forceDeleteWithoutRecovery)
        let f = try event(record(sm + #","eventName":"DeleteSecret","requestParameters":{"secretId":"a","forceDeleteWithoutRecovery":true}"#)).details
        #expect(f.recoveryWindowInDays == nil && f.forceDeleteWithoutRecovery)
        let s = try event(record(sm + #","eventName":"DeleteSecret","requestParameters":{"secretId":"a","forceDeleteWithoutRecovery":"true","recoveryWindowInDays":"30"}"#)).details
        #expect(s.forceDeleteWithoutRecovery && s.recoveryWindowInDays == 30)
    }

    @Test func resourcePolicyAsTextOrObject() throws {
        let text = #"{\"Version\":\"2012-10-17\",\"Statement\":[]}"#
        let d = try event(record(sm + #","eventName":"PutResourcePolicy","requestParameters":{"secretId":"a","resourcePolicy":"\#(text)","blockPublicPolicy":false}"#)).details
        #expect(d.policy == #"{"Version":"2012-10-17","Statement":[]}"#)
        #expect(d.blockPublicPolicy == false)
        let o = try event(record(sm + #","eventName":"PutResourcePolicy","requestParameters":{"secretId":"a","resourcePolicy":{"Version":"2012-10-17"}}"#)).details
        #expect(o.policy == #"{"Version":"2012-10-17"}"#)
        #expect(o.blockPublicPolicy == nil)
    }

    @Test func kmsKeysAndKeyPolicy() throws {
        let d = try event(record(kms + #","eventName":"PutKeyPolicy","requestParameters":{"keyId":"1234abcd","policyName":"default","policy":"{\"Version\":\"2012-10-17\"}"},"resources":[{"ARN":"arn:aws:kms:us-east-1:123456789012:key/1234abcd","type":"AWS::KMS::Key"}]"#)).details
        #expect(d.kmsKeys == ["arn:aws:kms:us-east-1:123456789012:key/1234abcd", "1234abcd"])
        #expect(d.policy == #"{"Version":"2012-10-17"}"#)
        let created = try event(record(kms + #","eventName":"CreateKey","responseElements":{"keyMetadata":{"arn":"arn:aws:kms:us-east-1:123456789012:key/new","keyId":"new"}}"#)).details
        #expect(created.kmsKeys == ["arn:aws:kms:us-east-1:123456789012:key/new"])
        let secret = try event(record(sm + #","eventName":"CreateSecret","requestParameters":{"name":"a","kmsKeyId":"alias/app"}"#)).details
        #expect(secret.kmsKeys == ["alias/app"])
    }

    @Test func scheduleKeyDeletion() throws {
        let d = try event(record(kms + #","eventName":"ScheduleKeyDeletion","requestParameters":{"keyId":"k","pendingWindowInDays":7},"responseElements":{"keyId":"arn:aws:kms:us-east-1:123456789012:key/k","keyState":"PendingDeletion","deletionDate":"Oct 21, 2024, 2:25:29 PM"}"#)).details
        #expect(d.pendingWindowInDays == 7)
        #expect(d.kmsKeys == ["arn:aws:kms:us-east-1:123456789012:key/k", "k"])
        let r = try event(record(kms + #","eventName":"ScheduleKeyDeletion","requestParameters":{"keyId":"k"},"responseElements":{"pendingWindowInDays":30}"#)).details
        #expect(r.pendingWindowInDays == 30)
    }

    @Test func batchFilters() throws {
        let d = try event(record(sm + #","eventName":"BatchGetSecretValue","requestParameters":{"filters":[{"key":"tag-key","values":["!tagKeyThatWillNeverExist"]},{"key":"name","values":["a","b"]}]}"#)).details
        #expect(d.batchFilters == [BatchFilter(key: "tag-key", values: ["!tagKeyThatWillNeverExist"]), BatchFilter(key: "name", values: ["a", "b"])])
        let list = try event(record(sm + #","eventName":"ListSecrets","requestParameters":{"filters":[{"key":"name","values":["a"]}]}"#)).details
        #expect(list.batchFilters == nil)
    }
}

import TrailJSON

enum JSONDocumentFixture {
    static func parse(_ text: String) throws -> JSONValue { try JSONDocument(text: text).root }
}
