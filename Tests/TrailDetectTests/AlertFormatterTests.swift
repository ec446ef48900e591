import Testing
import TrailAlerts
import TrailModel

@Suite struct AlertFormatterTests {
    @Test func exactJSONLine() {
        let alert = Alert(
            id: "0123456789abcdef", rule: "secret-read-burst", severity: .high, title: "Many secrets read",
            summary: "user/x read 20 distinct secrets within 5 minutes: \"a\", b", time: EventTime(milliseconds: 1_718_302_303_000),
            account: "111122223333", region: "us-east-1",
            principal: Principal(type: "AssumedRole", id: "arn:aws:iam::111122223333:role/app", session: "i-0abc", accountId: "111122223333"),
            secret: SecretRef(id: "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbC123", name: "prod/db", account: "111122223333", region: "us-east-1", isFullARN: true),
            eventID: "e-1", eventName: "GetSecretValue", sourceIPAddress: "203.0.113.9", userAgent: nil,
            evidence: [EvidenceItem("count", .integer(20)), EvidenceItem("window", .string("PT5M")), EvidenceItem("public", .bool(false)),
                       EvidenceItem("secrets", .strings(["a", "b"]))],
            count: 3, recordJSON: #"{"eventID":"e-1","x":[1,2]}"#)
        #expect(AlertFormatter.jsonLine(alert) == #"{"id":"0123456789abcdef","rule":"secret-read-burst","severity":"high","title":"Many secrets read","summary":"user/x read 20 distinct secrets within 5 minutes: \"a\", b","time":"2024-06-13T18:11:43Z","account":"111122223333","region":"us-east-1","principal":{"type":"AssumedRole","id":"arn:aws:iam::111122223333:role/app","session":"i-0abc","name":"role/app"},"secret":{"id":"arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbC123","name":"prod/db"},"eventID":"e-1","eventName":"GetSecretValue","sourceIPAddress":"203.0.113.9","userAgent":null,"evidence":{"count":20,"window":"PT5M","public":false,"secrets":["a","b"]},"count":3,"record":{"eventID":"e-1","x":[1,2]}}"#)
    }

    @Test func noSecretNoSessionAndEmptyEvidence() {
        let alert = Alert(
            id: "1", rule: "r", severity: .low, title: "t", summary: "s\nline", time: EventTime(milliseconds: 1),
            account: "a", region: "r", principal: Principal(type: "Root", id: "arn:aws:iam::1:root"), secret: nil,
            eventID: "e", eventName: "n", sourceIPAddress: nil, userAgent: "ua", recordJSON: "{}")
        #expect(AlertFormatter.jsonLine(alert) == #"{"id":"1","rule":"r","severity":"low","title":"t","summary":"s\nline","time":"1970-01-01T00:00:00.001Z","account":"a","region":"r","principal":{"type":"Root","id":"arn:aws:iam::1:root","session":null,"name":"root"},"secret":null,"eventID":"e","eventName":"n","sourceIPAddress":null,"userAgent":"ua","evidence":{},"count":1,"record":{}}"#)
    }
}
