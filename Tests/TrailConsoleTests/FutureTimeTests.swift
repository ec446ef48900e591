import Foundation
import Testing
import TrailConsole
import TrailModel
import TrailStore

/// A forged eventTime in year 9999 must not drag the charts' windows into the future.
@Suite struct FutureTimeTests {
    static func console() throws -> Console {
        let f = ConsoleFixture.self
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trailconsole-future-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/console.db"
        let writer = try Store.open(path: path)
        let events = [f.event("p1", "2024-05-08T10:00:00Z", "GetSecretValue", f.app, [f.secret]),
                      f.event("p2", "9999-01-01T00:00:00Z", "GetSecretValue", f.app, [f.secret])]
        func alert(_ id: String, _ e: AuditEvent) -> (Alert, String) {
            (Alert(id: id, rule: "r", severity: .high, title: "t", summary: "s", time: e.eventTime, account: f.account, region: "us-east-1",
                   principal: f.app, secret: f.secret, eventID: e.eventID, eventName: e.eventName, sourceIPAddress: nil, userAgent: nil,
                   recordJSON: "{}"), #"{"id":"\#(id)","record":{}}"#)
        }
        try writer.commit(FileCommit(
            ledger: FileLedgerEntry(path: "f.json.gz", size: 1, fingerprint: "fp", format: "cloudTrailLog", records: 2, status: .done,
                                    ingestedAt: f.now, newestEventTime: events[1].eventTime),
            events: events, alerts: [alert("a1", events[0]), alert("a2", events[1])], learnedSecrets: [f.secret]))
        return Console(store: try Store.open(path: path, readOnly: true), clock: { f.now })
    }

    @Test func chartsEndAtNowAndTheLagSaysInTheFuture() async throws {
        let router = try Self.console().router(token: nil)
        for uri in ["/", "/secret?name=prod%2Fdb", "/principal?name=role%2Fapp"] {
            let r = try await ConsoleFixture.get(router, uri)
            #expect(r.status == .ok, "\(uri)")
            // The chart's last day is today (2024-05-10), not year 9999, and today's window shows the real event.
            #expect(r.body.contains("text-anchor=\"end\">2024-05-10<"), "\(uri)")
            #expect(r.body.contains("2024-05-08"), "\(uri)")
        }
        let overview = try await ConsoleFixture.get(router, "/")
        #expect(overview.body.contains("in the future"))
    }
}
