import Testing
import TrailModel
import TrailPostgres
@testable import TrailStore
import TrailTestSupport

/// The PostgreSQL store's monthly partitions and `prune` (SQLite's prune is in StoreTests).
@Suite struct PostgresPartitionTests {
    /// Events land in their month's partition (forged far-off times in the default one), and
    /// prune drops whole months before the date, keeping the ledger.
    @Test func monthlyPartitionsAndPrune() throws {
        let database = try PostgresTestCluster.shared().makeDatabase(prefix: "partitions")
        let store = try PostgresStore.open(url: database.url)
        func event(_ id: String, _ iso: String) -> AuditEvent {
            Fixture.event(id, iso, "GetSecretValue", Fixture.alice, [Fixture.s2])
        }
        let ledger = FileLedgerEntry(path: "f1", size: 1, fingerprint: "x", format: "json", records: 4, skipped: 0, invalid: 0,
                                     status: .done, reason: nil, ingestedAt: EventTime(milliseconds: 0), newestEventTime: nil)
        try store.commit(FileCommit(ledger: ledger, events: [
            event("a", "2024-01-15T00:00:00Z"), event("b", "2024-02-01T00:00:00Z"), event("c", "2024-03-31T23:59:59Z"),
            event("forged", "9999-12-31T00:00:00Z"),
        ]))
        let session = PostgresSession(location: try PostgresLocation(parsing: database.url, environment: [:]))
        func count(_ table: String) throws -> PostgresCellValue? { try session.query("SELECT count(*) FROM \(table)").rows.first?.first }
        #expect(try count("events_y2024m01") == .int(1))
        #expect(try count("events_y2024m02") == .int(1))
        #expect(try count("events_y2024m03") == .int(1))
        #expect(try count("events_default") == .int(1))

        let report = try store.prune(before: Fixture.time("2024-03-10T00:00:00Z").milliseconds)
        #expect(report.partitions == ["events_y2024m01", "access_y2024m01", "events_y2024m02", "access_y2024m02"])
        #expect(report.events == 2)
        #expect(report.accessRows == 2)
        #expect(report.cutoff == Fixture.time("2024-03-01T00:00:00Z").milliseconds)
        #expect(try count("events") == .int(2))
        #expect(try count("event_ids") == .int(2))
        #expect(try store.ledgerEntry(path: "f1") != nil)
        // A pruned event delivered again is stored again (its month is gone); its file is not read again.
        #expect(try store.existingEventIDs(["a", "c"]) == ["c"])
    }
}

/// SQLite's prune: events before the date go in batches with their access rows; the ledger,
/// alerts and running totals stay.
@Suite struct SQLitePruneTests {
    @Test(arguments: [StoreKind.memory, .disk]) func pruneRemovesOldEventsAndKeepsTheLedger(kind: StoreKind) throws {
        let store = try Fixture.populate(try makeStore(kind))
        let before = try count(store, "events")
        let usage = try scalar(store, "SELECT sum(count) FROM usage")
        let cutoff = Fixture.time("2024-05-03T00:00:00Z").milliseconds
        let old = try scalar(store, "SELECT count(*) FROM events WHERE time < ?", [.int(cutoff)]) ?? -1
        #expect(old > 0)
        let report = try store.prune(before: cutoff)
        #expect(report.events == old)
        #expect(report.partitions.isEmpty)
        #expect(try count(store, "events") == before - Int(old))
        #expect(try scalar(store, "SELECT count(*) FROM events WHERE time < ?", [.int(cutoff)]) == 0)
        #expect(try scalar(store, "SELECT count(*) FROM access WHERE time < ?", [.int(cutoff)]) == 0)
        #expect(try scalar(store, "SELECT count(*) FROM access a LEFT JOIN events e ON e.id = a.event WHERE e.id IS NULL") == 0)
        #expect(try count(store, "files") == 5)
        #expect(try scalar(store, "SELECT sum(count) FROM usage") == usage)
        #expect(try store.prune(before: cutoff).events == 0)
    }
}
