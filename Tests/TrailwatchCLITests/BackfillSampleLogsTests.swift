import Foundation
import Testing

/// `trailwatch backfill SampleLogs`: every planted incident alerted, nothing else, deterministic, idempotent.
/// The expected incidents come from `Fixtures/sample-incidents.json` (written with `SampleLogs/` by
/// `Scripts/make-sample-logs.py`).
@Suite("backfill SampleLogs", .disabled("until backfill lands"), .serialized)
struct BackfillSampleLogsTests {
    let expected: SampleIncidents

    init() throws { expected = try SampleIncidents.load() }

    private func backfill(_ dir: TempDirectory, db: String = "sample.db", jobs: Int? = nil) throws -> CLIResult {
        var args = ["backfill", PackagePaths.sampleLogs.path, "--db", dir.path(db).path]
        if let jobs { args += ["--jobs", String(jobs)] }
        return try TrailwatchBinary.run(args, in: dir.url)
    }

    @Test("one alert for each planted incident, with the promised severity, and no other alerts")
    func everyIncidentAlerted() throws {
        let dir = try TempDirectory()
        let result = try backfill(dir)
        #expect(result.exitCode == 0, "\(result)")
        let alerts = try AlertLine.parse(result.stdout)

        for incident in expected.incidents {
            let ids = Set(incident.eventIDs)
            let hits = alerts.filter { ids.contains($0.eventID) }
            #expect(!hits.isEmpty, "no alert for \(incident.kind) (\(incident.eventName) at \(incident.eventTime))")
            if let severity = incident.severity, !hits.isEmpty {
                #expect(hits.contains { $0.severity == severity },
                        "\(incident.kind): expected severity \(severity), got \(hits.map(\.severity))")
            }
        }
        let allowed = expected.allowedEventIDs
        for alert in alerts {
            #expect(allowed.contains(alert.eventID),
                    "false positive: \(alert.rule) on \(alert.eventID) (\(alert.eventName ?? "?"))")
            #expect(!alert.rule.isEmpty && !(alert.summary ?? "").isEmpty, "alert without rule or summary: \(alert)")
        }
        #expect(Set(alerts.map(\.id)).count == alerts.count, "duplicate alert ids")
        // Distinct kinds of incident are told apart by rule: at least as many rules as kinds of rule families.
        #expect(Set(alerts.map(\.rule)).count >= 10, "rules seen: \(Set(alerts.map(\.rule)).sorted())")
    }

    @Test("the stderr summary counts files, records and alerts")
    func summary() throws {
        let dir = try TempDirectory()
        let result = try backfill(dir)
        let summary = try #require(BackfillSummary(stderr: result.stderr), "no summary line\n\(result)")
        #expect(summary.filesDone == expected.logFiles, "\(result)")
        #expect((summary.filesSkipped ?? 0) >= expected.digestFiles, "digests must be skipped\n\(result)")
        #expect(summary.filesFailed == 0, "\(result)")
        #expect(summary.records == expected.records, "\(result)")
        #expect(summary.alerts == result.stdoutLines.count, "\(result)")
    }

    @Test("a second run over the same store adds nothing and prints no alerts")
    func secondRunAddsNothing() throws {
        let dir = try TempDirectory()
        let first = try backfill(dir)
        #expect(first.exitCode == 0, "\(first)")
        #expect(!first.stdout.isEmpty)
        let second = try backfill(dir)
        #expect(second.exitCode == 0, "\(second)")
        #expect(second.stdout.isEmpty, "second run printed alerts\n\(second)")
        let summary = BackfillSummary(stderr: second.stderr)
        #expect(summary?.alerts == 0, "\(second)")
        #expect(summary?.eventsStored ?? 0 == 0, "\(second)")
    }

    @Test("alerts are the same, in the same order, whatever --jobs is")
    func deterministicAcrossJobs() throws {
        let dir = try TempDirectory()
        let one = try backfill(dir, db: "one.db", jobs: 1)
        let two = try backfill(dir, db: "two.db", jobs: 2)
        #expect(one.exitCode == 0 && two.exitCode == 0, "\(one)\n\(two)")
        #expect(one.stdout == two.stdout)
    }

    @Test("--alerts FILE writes the alert lines there and keeps stdout empty")
    func alertsFile() throws {
        let dir = try TempDirectory()
        let toStdout = try backfill(dir, db: "a.db")
        let result = try TrailwatchBinary.run(
            ["backfill", PackagePaths.sampleLogs.path, "--db", dir.path("b.db").path, "--alerts", dir.path("alerts.jsonl").path],
            in: dir.url)
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        let written = try String(contentsOf: dir.path("alerts.jsonl"), encoding: .utf8)
        #expect(written == toStdout.stdout)
    }

    @Test("the store is created with mode 0600 in the default place")
    func defaultStore() throws {
        let dir = try TempDirectory()
        let result = try TrailwatchBinary.run(["backfill", PackagePaths.sampleLogs.path], in: dir.url)
        #expect(result.exitCode == 0, "\(result)")
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.path("trailwatch.db").path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }
}
