import Foundation
import Testing

/// Backfill on trees made by `gen-cloudtrail` with planted incidents and ground truth (issue 4's check):
/// every planted incident alerted (an alert's eventID is one of its records), no alert outside the truth
/// file, and a second run changes nothing. Trees are kept small (one account, one region, 9 days so
/// that incidents fall after the 7-day learning period) to keep the suite quick on a debug build.
@Suite("backfill generated trees", .enabled(if: GenCloudTrail.isAvailable, GenCloudTrail.unavailableReason), .serialized)
struct BackfillGeneratedTreeTests {
    @Test("recall 100%, no false positives, and a re-run adds nothing", arguments: [1, 7])
    func truth(seed: Int) throws {
        let dir = try TempDirectory()
        let tree = try GenCloudTrail.generate(
            into: dir.path("tree"),
            ["-n", "20000", "--days", "9", "--seed", String(seed), "--accounts", "1", "--regions", "1",
             "--scenarios", "all", "--no-digests"],
            truth: true)
        #expect(!tree.truth.isEmpty)
        let db = dir.path("t.db")

        let result = try TrailwatchBinary.run(["backfill", tree.logs.path, "--db", db.path], in: dir.url)
        #expect(result.exitCode == 0, "\(result)")
        let alerts = try AlertLine.parse(result.stdout)
        let alerted = Set(alerts.map(\.eventID))

        let missed = tree.incidents.filter { $0.value.isDisjoint(with: alerted) }.keys.sorted()
        #expect(missed.isEmpty, "seed \(seed): missed \(missed.count) of \(tree.incidents.count): \(missed)")
        let truthIDs = Set(tree.truth.map(\.eventID))
        let falsePositives = alerts.filter { !truthIDs.contains($0.eventID) }
        #expect(falsePositives.isEmpty,
                "seed \(seed): \(falsePositives.count) false positives: \(falsePositives.prefix(5).map(\.key))")
        #expect(Set(alerts.map(\.id)).count == alerts.count, "duplicate alert ids")

        let summary = try #require(BackfillSummary(stderr: result.stderr), "\(result)")
        #expect(summary.records == tree.manifest.counts.records, "\(summary)")
        #expect(summary.filesDone == tree.manifest.counts.logFiles, "\(summary)")
        #expect(summary.filesSkipped == 0 && summary.filesFailed == 0, "\(summary)")
        #expect(summary.alerts == alerts.count, "\(summary)")

        let before = try StoreSnapshot(db: db)
        #expect(before.alerts.sorted() == result.stdoutLines.sorted(), "stored alerts differ from printed ones")
        let again = try TrailwatchBinary.run(["backfill", tree.logs.path, "--db", db.path], in: dir.url)
        #expect(again.exitCode == 0, "\(again)")
        #expect(again.stdout.isEmpty, "re-run printed alerts\n\(again)")
        #expect(BackfillSummary(stderr: again.stderr) == BackfillSummary(
            filesDone: 0, filesSkipped: 0, filesFailed: 0, filesAlreadyIngested: tree.manifest.counts.logFiles,
            records: 0, eventsStored: 0, alerts: 0), "\(again)")
        #expect(try StoreSnapshot(db: db) == before, "the re-run changed the store")
    }
}
