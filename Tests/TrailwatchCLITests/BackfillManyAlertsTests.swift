import Foundation
import Testing

/// A backlog larger than one delivery batch (256) in a single hand-over: every alert reaches the
/// sink before the run ends. Delivery used to stop after the batches that one nudge started
/// (512 of 600 here), wait out `--drain-timeout` and exit 1 with the rest pending.
@Suite struct BackfillManyAlertsTests {
    /// One log file with `count` DeleteSecret calls on as many secrets: an alert each.
    static func tree(_ dir: TempDirectory, count: Int) throws -> URL {
        let day = dir.path("AWSLogs/111111111111/CloudTrail/us-east-1/2024/06/03")
        try FileManager.default.createDirectory(at: day, withIntermediateDirectories: true)
        let records = (0..<count).map { i in
            let arn = "arn:aws:secretsmanager:us-east-1:111111111111:secret:s\(i)-AbCdEf"
            return """
                {"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111111111111:assumed-role/app/s",\
                "accountId":"111111111111"},"eventTime":"2024-06-03T12:\(String(format: "%02d:%02d", i / 60 % 60, i % 60))Z",\
                "eventSource":"secretsmanager.amazonaws.com","eventName":"DeleteSecret","awsRegion":"us-east-1",\
                "sourceIPAddress":"203.0.113.9","userAgent":"x","requestParameters":{"secretId":"\(arn)","recoveryWindowInDays":7},\
                "responseElements":{"arn":"\(arn)","name":"s\(i)"},"eventID":"00000000-0000-4000-8000-\(String(format: "%012x", i))",\
                "readOnly":false,"eventType":"AwsApiCall","recipientAccountId":"111111111111"}
                """
        }
        let file = day.appendingPathComponent("111111111111_CloudTrail_us-east-1_20240603T1200Z_deletions0000001.json")
        try Data("{\"Records\":[\(records.joined(separator: ","))]}".utf8).write(to: file)
        return dir.path("AWSLogs")
    }

    @Test func aBacklogOfSeveralBatchesIsDeliveredWhole() throws {
        let dir = try TempDirectory()
        let tree = try Self.tree(dir, count: 600)
        let alertsFile = dir.path("alerts.jsonl").path
        let run = try TrailwatchBinary.run(["backfill", tree.path, "--db", dir.path("t.db").path, "--no-progress",
                                            "--alerts", alertsFile, "--drain-timeout", "10"], timeout: 120)
        #expect(run.exitCode == 0, "\(run.stderr)")
        let written = try String(contentsOfFile: alertsFile, encoding: .utf8).split(separator: "\n").count
        #expect(written == 600)
        #expect(!run.stderr.contains("pending"), "\(run.stderr)")
    }
}
