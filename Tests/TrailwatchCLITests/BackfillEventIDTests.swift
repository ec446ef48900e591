import Foundation
import Testing

/// `backfill` refuses eventIDs that are not valid Unicode as invalid records (with their location)
/// instead of reading them as U+FFFD text, under which different ids collapse and a DeleteSecret
/// is dropped as a duplicate.
@Suite("backfill eventID identity")
struct BackfillEventIDTests {
    /// A DeleteSecret record whose eventID is `id`'s raw bytes between the quotes.
    static func deleteSecret(id: [UInt8]) -> [UInt8] {
        let head = #"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/mallory","accountId":"111122223333"},"eventTime":"2024-06-03T10:00:00Z","eventSource":"secretsmanager.amazonaws.com","eventName":"DeleteSecret","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.9","userAgent":"aws-cli/2","requestParameters":{"secretId":"arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf","recoveryWindowInDays":7},"responseElements":null,"eventID":""#
        let tail = #"","readOnly":false,"eventType":"AwsApiCall","recipientAccountId":"111122223333"}"#
        return Array(head.utf8) + id + Array(tail.utf8)
    }

    @Test("flawed ids are invalid records, never merged into one event")
    func flawedIDs() throws {
        let dir = try TempDirectory()
        let ids: [[UInt8]] = [Array("ok-1".utf8), Array(#"x\ud800"#.utf8), Array(#"x\udbff"#.utf8), [0x78, 0xFF], [0x78, 0xFE]]
        var text = Array(#"{"Records":["#.utf8)
        for (k, id) in ids.enumerated() {
            if k > 0 { text.append(UInt8(ascii: ",")) }
            text += Self.deleteSecret(id: id)
        }
        text += Array("]}".utf8)
        let file = try dir.write("in/ids.json", Data(text))

        let result = try TrailwatchBinary.run(["backfill", dir.path("in").path, "--db", dir.path("s.db").path], in: dir.url)
        #expect(result.exitCode == 0, "\(result)")
        let summary = try #require(BackfillSummary(stderr: result.stderr), "no summary\n\(result)")
        #expect(summary.records == 1, "\(summary)")
        #expect(summary.invalidRecords == 4, "\(summary)")
        #expect(summary.eventsStored == 1, "\(summary)")
        let warnings = result.stderrLines.filter { $0.contains("eventID is not valid Unicode") }
        #expect(warnings.count == 4, "\(result)")
        for k in 1...4 { #expect(warnings.contains { $0.contains(file.path) && $0.contains("record \(k)") }, "\(result)") }
    }
}
