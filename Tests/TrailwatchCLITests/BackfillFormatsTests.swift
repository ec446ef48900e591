import Foundation
import Testing

/// Every input format `backfill` detects by content gives the same event and the same alert: one
/// SampleLogs record (the planted DeleteSecret of prod/cdn/signing-key, taken from its alert) written
/// as a CloudTrail log, a bare array, JSON lines, `lookup-events` output and an EventBridge envelope.
@Suite("backfill input formats")
struct BackfillFormatsTests {
    static let eventID = "f308f60a-1d7e-454a-b066-191d2fc00951"
    static let formats = ["records.json", "array.json", "lines.jsonl", "lookup.json", "eventbridge.json"]

    /// The SampleLogs alert for the record, and the record itself.
    private func sampleAlert() throws -> (alert: AlertLine, record: [String: Any]) {
        let stdout = try SampleRun.get().result.stdout
        let line = try #require(stdout.split(separator: "\n").first { $0.contains(#""eventID":"\#(Self.eventID)""#) })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let record = try #require(object["record"] as? [String: Any])
        return (try JSONDecoder().decode(AlertLine.self, from: Data(line.utf8)), record)
    }

    /// Writes the record in every format into `dir/in/`; the JSON lines file starts with a copy that
    /// has no eventID (an invalid record).
    private func writeFormats(_ record: [String: Any], in dir: TempDirectory) throws {
        func json(_ value: Any) throws -> Data { try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) }
        var invalid = record
        invalid["eventID"] = nil
        try dir.write("in/records.json", json(["Records": [record]]))
        try dir.write("in/array.json", json([record]))
        try dir.write("in/lines.jsonl", json(invalid) + Data("\n".utf8) + json(record) + Data("\n".utf8))
        let text = try #require(String(data: try json(record), encoding: .utf8))
        try dir.write("in/lookup.json", json(["Events": [["EventId": Self.eventID, "EventName": "DeleteSecret", "CloudTrailEvent": text]]]))
        try dir.write("in/eventbridge.json", json([
            "version": "0", "id": "0d5e3f4a-8c1b-4f7e-9a2d-6b3c5e7f9a1b", "detail-type": "AWS API Call via CloudTrail",
            "source": "aws.secretsmanager", "account": "428471960213", "time": "2025-09-09T07:31:12Z",
            "region": "us-east-1", "resources": [String](), "detail": record,
        ] as [String: Any]))
    }

    @Test("each format alone: one event stored, the same alert as in SampleLogs", arguments: formats)
    func format(_ name: String) throws {
        let (expected, record) = try sampleAlert()
        let dir = try TempDirectory()
        try writeFormats(record, in: dir)
        let result = try TrailwatchBinary.run(["backfill", "in/\(name)", "--db", "f.db"], in: dir.url)
        #expect(result.exitCode == 0, "\(result)")
        let alerts = try AlertLine.parse(result.stdout)
        #expect(alerts.map(\.key) == [expected.key], "\(result)")
        #expect(alerts.map(\.id) == [expected.id], "\(result)")
        let invalid = name == "lines.jsonl" ? 1 : 0
        #expect(BackfillSummary(stderr: result.stderr) == BackfillSummary(
            filesDone: 1, filesSkipped: 0, filesFailed: 0, records: 1, invalidRecords: invalid, eventsStored: 1, alerts: 1),
            "\(result)")
        if invalid > 0 {
            #expect(result.stderrLines.contains(
                "trailwatch: warning: invalid record: in/lines.jsonl: record 0 (byte 0): record has no eventID"), "\(result)")
        }
    }

    @Test("all formats together: the record is stored and alerted once")
    func together() throws {
        let (expected, record) = try sampleAlert()
        let dir = try TempDirectory()
        try writeFormats(record, in: dir)
        let result = try TrailwatchBinary.run(["backfill", "in", "--db", "f.db"], in: dir.url)
        #expect(result.exitCode == 0, "\(result)")
        #expect(try AlertLine.parse(result.stdout).map(\.id) == [expected.id], "\(result)")
        #expect(BackfillSummary(stderr: result.stderr) == BackfillSummary(
            filesDone: Self.formats.count, filesSkipped: 0, filesFailed: 0, records: Self.formats.count, invalidRecords: 1,
            eventsStored: 1, alerts: 1), "\(result)")
        let rows = try StoreSnapshot(db: dir.path("f.db")).access
        #expect(rows.count == 1 && rows[0].contains(#""eventID":"\#(Self.eventID)""#), "\(rows)")
    }

    @Test("a record repeated within one file, and again in a later run, is stored once")
    func repeatedWithinAFile() throws {
        let (expected, record) = try sampleAlert()
        var other = record
        other["eventID"] = "0b7c3d59-2f4e-4a61-9c8d-5e6f7a8b9c0d"
        other["eventName"] = "DescribeSecret"
        let dir = try TempDirectory()
        let data = try JSONSerialization.data(withJSONObject: ["Records": [record, other, record, record]], options: [.sortedKeys])
        try dir.write("in/a.json", data)
        let first = try TrailwatchBinary.run(["backfill", "in", "--db", "f.db"], in: dir.url)
        #expect(first.exitCode == 0, "\(first)")
        #expect(try AlertLine.parse(first.stdout).map(\.id) == [expected.id], "\(first)")
        #expect(BackfillSummary(stderr: first.stderr) == BackfillSummary(
            filesDone: 1, filesSkipped: 0, filesFailed: 0, records: 4, invalidRecords: 0, eventsStored: 2, alerts: 1), "\(first)")
        // The same records under another name: the store answers, not this run's memory.
        try dir.write("in/b.json", data)
        let second = try TrailwatchBinary.run(["backfill", "in/b.json", "--db", "f.db"], in: dir.url)
        #expect(second.exitCode == 0, "\(second)")
        #expect(second.stdout.isEmpty, "\(second)")
        #expect(BackfillSummary(stderr: second.stderr) == BackfillSummary(
            filesDone: 1, filesSkipped: 0, filesFailed: 0, records: 4, invalidRecords: 0, eventsStored: 0, alerts: 0), "\(second)")
        #expect(try StoreSnapshot(db: dir.path("f.db")).access.count == 2)
    }
}
