import Foundation
import Testing
import TrailDetect
import TrailJSON
import TrailModel

/// The trail-change and pending-deletion analyses on hand-written records, with their state
/// carried over a restart (an engine built from the stored state).
@Suite struct TrailAndPendingDeletionTests {
    static let account = "111122223333"
    static let admin = #"{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/admin","accountId":"111122223333","userName":"admin"}"#
    static let app = #"{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/app/s1","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/app","accountId":"111122223333","userName":"app"}}}"#
    static let secretARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbC123"

    static func record(_ id: String, _ source: String, _ name: String, _ time: String, who: String = admin,
                       request: String = "null", response: String = "null", error: String? = nil, message: String? = nil) -> String {
        var r = #"{"eventVersion":"1.09","userIdentity":\#(who),"eventTime":"\#(time)","eventSource":"\#(source)","eventName":"\#(name)","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.5","userAgent":"aws-cli","requestParameters":\#(request),"responseElements":\#(response),"eventID":"\#(id)","eventType":"AwsApiCall","recipientAccountId":"\#(account)""#
        if let error { r += #","errorCode":"\#(error)""# }
        if let message { r += #","errorMessage":"\#(message)""# }
        return r + "}"
    }

    static func records(_ texts: [String]) throws -> [JSONValue] {
        try Harness.records(bytes: Array(("[" + texts.joined(separator: ",") + "]").utf8))
    }

    static let marked = "You can't perform this operation on the secret because it was marked for deletion."

    @Test func pendingDeletionReadNamesTheDateAcrossARestartAndForgetsItAfterRestore() throws {
        let rules = try RuleLoader.loadShipped()
        let first = try Harness(rules: rules)
        first.file(try Self.records([Self.record("d1", "secretsmanager.amazonaws.com", "DeleteSecret", "2024-06-01T10:00:00Z",
            request: #"{"secretId":"prod/db","recoveryWindowInDays":10}"#, response: #"{"arn":"\#(Self.secretARN)","name":"prod/db"}"#)]))
        #expect(first.snapshot.contains { $0.namespace == "secret-deletion-schedule" })
        // A new engine from the stored state still knows the date.
        let second = try Harness(rules: rules, state: first.snapshot)
        let read = Self.record("g1", "secretsmanager.amazonaws.com", "GetSecretValue", "2024-06-02T10:00:00Z", who: Self.app,
                               request: #"{"secretId":"\#(Self.secretARN)"}"#, error: "InvalidRequestException", message: Self.marked)
        let alerts = second.file(try Self.records([read])).alerts.filter { $0.rule == "secret-read-pending-deletion" }
        let alert = try #require(alerts.first)
        #expect(alerts.count == 1)
        #expect(alert.summary == "role/app (s1) still reads secret prod/db, which is scheduled for deletion on 2024-06-11 (DeleteSecret by user/admin at 2024-06-01T10:00:00Z) (account 111122223333, us-east-1)")
        #expect(alert.evidence.contains(EvidenceItem("deletionDate", .string("2024-06-11T10:00:00Z"))))
        // Restored, then (oddly) refused again: the date is no longer claimed.
        second.file(try Self.records([Self.record("r1", "secretsmanager.amazonaws.com", "RestoreSecret", "2024-06-03T10:00:00Z",
            request: #"{"secretId":"\#(Self.secretARN)"}"#, response: #"{"arn":"\#(Self.secretARN)","name":"prod/db"}"#)]))
        let again = Self.record("g2", "secretsmanager.amazonaws.com", "GetSecretValue", "2024-06-05T10:00:00Z", who: Self.app,
                                request: #"{"secretId":"\#(Self.secretARN)"}"#, error: "InvalidRequestException", message: Self.marked)
        let later = second.file(try Self.records([again])).alerts.filter { $0.rule == "secret-read-pending-deletion" }
        #expect(later.map(\.summary) == ["role/app (s1) still reads secret prod/db, which is scheduled for deletion (no DeleteSecret for it in the history, so the date is unknown) (account 111122223333, us-east-1)"])
    }

    static let trail = "arn:aws:cloudtrail:us-east-1:111122223333:trail/main"

    @Test func selectorsThatDropDataEventsAlertAfterARestart() throws {
        let rules = try RuleLoader.loadShipped()
        let first = try Harness(rules: rules)
        let withData = #"{"trailName":"\#(Self.trail)","advancedEventSelectors":[{"fieldSelectors":[{"field":"eventCategory","equals":["Management"]}]},{"fieldSelectors":[{"field":"eventCategory","equals":["Data"]},{"field":"resources.type","equals":["AWS::S3::Object","AWS::Lambda::Function"]}]}]}"#
        #expect(first.file(try Self.records([Self.record("p1", "cloudtrail.amazonaws.com", "PutEventSelectors", "2024-06-01T10:00:00Z", request: withData)])).alerts.isEmpty)
        let second = try Harness(rules: rules, state: first.snapshot)
        let onlyS3 = #"{"trailName":"main","eventSelectors":[{"readWriteType":"All","includeManagementEvents":true,"dataResources":[{"type":"AWS::S3::Object","values":["arn:aws:s3"]}]}]}"#
        let alerts = second.file(try Self.records([Self.record("p2", "cloudtrail.amazonaws.com", "PutEventSelectors", "2024-06-02T10:00:00Z", request: onlyS3)])).alerts
        #expect(alerts.map(\.summary) == ["user/admin narrowed the event selectors of trail main: data events no longer logged: AWS::Lambda::Function (account 111122223333, us-east-1)"])
        #expect(alerts.first?.evidence.contains(EvidenceItem("droppedDataEventTypes", .strings(["AWS::Lambda::Function"]))) == true)
    }

    @Test(arguments: [
        (#"{"name":"main","isMultiRegionTrail":false}"#, "made it a single-region trail"),
        (#"{"name":"main","includeGlobalServiceEvents":false}"#, "turned off global service events (IAM, STS)"),
        (#"{"name":"main","enableLogFileValidation":false}"#, "turned off log file validation"),
        (#"{"name":"main","s3BucketName":"logs-111122223333"}"#, "moved log delivery to bucket logs-111122223333"),
        (#"{"name":"main","s3BucketName":"aws-cloudtrail-logs-444455556666-ab12"}"#, "moved log delivery to bucket aws-cloudtrail-logs-444455556666-ab12, whose name names account 444455556666"),
    ])
    func updateTrailThatWeakensIt(request: String, change: String) throws {
        let h = try Harness(rules: try RuleLoader.loadShipped())
        let alerts = h.file(try Self.records([Self.record("u1", "cloudtrail.amazonaws.com", "UpdateTrail", "2024-06-01T10:00:00Z", request: request)])).alerts
        #expect(alerts.map(\.summary) == ["user/admin changed trail main: \(change) (account 111122223333, us-east-1)"])
    }

    @Test func deniedAttemptsAreMedium() throws {
        let h = try Harness(rules: try RuleLoader.loadShipped())
        let alerts = h.file(try Self.records([Self.record("s1", "cloudtrail.amazonaws.com", "StopLogging", "2024-06-01T10:00:00Z",
                                                          request: #"{"name":"main"}"#, error: "AccessDenied", message: "not authorized")])).alerts
        #expect(alerts.map(\.rule) == ["trail-logging-stopped"])
        #expect(alerts.first?.severity == .medium)
        #expect(alerts.first?.summary == "user/admin tried to stop logging of trail main (AccessDenied) (account 111122223333, us-east-1)")
    }
}
