import Foundation
import Testing
import TrailConsole
import TrailModel
import TrailStore

/// More secrets pending deletion than the overview shows, and some whose date has passed.
@Suite struct PendingDeletionTests {
    static func secret(_ name: String) -> SecretRef {
        SecretRef(id: "arn:aws:secretsmanager:us-east-1:111111111111:secret:\(name)-AbCdEf", name: name, account: ConsoleFixture.account,
                  region: "us-east-1", isFullARN: true)
    }

    static func console() throws -> Console {
        let f = ConsoleFixture.self
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trailconsole-pending-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/console.db"
        let writer = try Store.open(path: path)
        var events: [AuditEvent] = []
        var secrets: [SecretRef] = []
        for i in 0..<2 {  // deleted 2024-04-0x with 7 days: passed before now (2024-05-10)
            let s = secret("passed-\(i)")
            secrets.append(s)
            events.append(f.event("p\(i)", "2024-04-0\(i + 1)T10:00:00Z", "DeleteSecret", f.app, [s], details: EventDetails(recoveryWindowInDays: 7)))
        }
        for i in 0..<55 {
            let s = secret(String(format: "up-%02d", i))
            secrets.append(s)
            events.append(f.event("u\(i)", "2024-05-05T10:00:00Z", "DeleteSecret", f.app, [s], details: EventDetails(recoveryWindowInDays: 7 + i % 3)))
        }
        try writer.commit(FileCommit(
            ledger: FileLedgerEntry(path: "f.json.gz", size: 1, fingerprint: "fp", format: "cloudTrailLog", records: events.count, status: .done,
                                    ingestedAt: f.now, newestEventTime: events.last!.eventTime),
            events: events, alerts: [], learnedSecrets: secrets))
        return Console(store: try Store.open(path: path, readOnly: true), clock: { f.now })
    }

    @Test func upcomingFirstWithALinkToTheRest() async throws {
        let router = try Self.console().router(token: nil)
        let overview = try await ConsoleFixture.get(router, "/")
        #expect(overview.status == .ok)
        // The 50 soonest upcoming first, then (separately) the passed ones.
        let upcoming = try #require(overview.body.range(of: "up-49")), passedAt = try #require(overview.body.range(of: "passed-1"))
        #expect(overview.body.contains("up-00") && !overview.body.contains("up-50") && upcoming.upperBound < passedAt.lowerBound)
        #expect(overview.body.contains("href=\"/pending?page=2\">5 more</a>"))
        #expect(overview.body.contains("href=\"/pending?status=passed\">all 2 whose date has passed</a>"))
        let second = try await ConsoleFixture.get(router, "/pending?page=2")
        #expect(second.status == .ok)
        #expect(second.body.components(separatedBy: "<tr>").count - 2 == 5, "5 rows on page 2 (plus the header row)")
        #expect(second.body.contains("55 in all"))
        let passed = try await ConsoleFixture.get(router, "/pending?status=passed")
        #expect(passed.body.contains("passed-0") && passed.body.contains("passed-1") && !passed.body.contains("up-00"))
        #expect(try await ConsoleFixture.get(router, "/pending?status=x").status == .badRequest)
    }
}
