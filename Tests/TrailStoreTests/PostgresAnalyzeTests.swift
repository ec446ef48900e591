import Testing
import TrailModel
import TrailPostgres
@testable import TrailStore
import TrailTestSupport

/// A PostgreSQL writer refreshes the planner's statistics of the history after storing many
/// events (the partitioned tables are never analysed by autovacuum), so that queries straight
/// after a bulk load are planned for what the store holds.
@Suite struct PostgresAnalyzeTests {
    @Test func statisticsAreRefreshedAfterManyEventsAndAtTheEndOfALoad() throws {
        let database = try PostgresTestCluster.shared().makeDatabase(prefix: "analyze")
        // The threshold made small: 5 events (100,000 by default).
        let store = try PostgresStore.open(url: database.url, environment: ["TRAILWATCH_ANALYZE_EVENTS": "5"])
        let session = PostgresSession(location: try PostgresLocation(parsing: database.url, environment: [:]))
        var next = 0
        func commit(_ count: Int) throws {
            let events = (0..<count).map { _ in
                next += 1
                return Fixture.event("ev\(next)", "2024-05-01T10:00:\(10 + next)Z", "GetSecretValue", Fixture.alice, [Fixture.s2])
            }
            try store.commit(FileCommit(ledger: Fixture.ledger("f\(next)", records: count), events: events))
        }
        /// Rows in the statistics of the partitioned `events` (none until it is analysed), and
        /// the row count ANALYZE last recorded for it (-1: never analysed).
        func inheritedStatistics() throws -> PostgresCellValue? {
            try session.query("SELECT count(*) FROM pg_stats WHERE tablename = 'events' AND inherited").rows.first?.first
        }
        func analysedRows() throws -> PostgresCellValue? {
            try session.query("SELECT reltuples::bigint FROM pg_class WHERE relname = 'events'").rows.first?.first
        }

        try commit(3)
        #expect(try inheritedStatistics() == .int(0))
        #expect(try analysedRows() == .int(-1))
        try commit(3)  // 6 >= 5: analysed; the next at 12
        #expect(try inheritedStatistics() != .int(0))
        #expect(try analysedRows() == .int(6))
        try commit(2)  // 8 < 12: not yet
        #expect(try analysedRows() == .int(6))
        store.finishLoad()  // the end of a load that stored >= 5 events: analysed again
        #expect(try analysedRows() == .int(8))
        store.finishLoad()  // nothing stored since
        try commit(1)
        #expect(try analysedRows() == .int(8))

        // The columns queries filter, join or group on have statistics; the long text columns
        // nothing plans with are left out (they took more than half of the time).
        let columns = try session.query("SELECT attname FROM pg_stats WHERE tablename = 'events' AND inherited ORDER BY attname").rows
            .compactMap { row -> String? in if case let .text(name)? = row.first { return name } else { return nil } }
        #expect(columns == ["account", "error_code", "id", "name", "principal", "region", "source", "time"])
        #expect(try session.query("SELECT count(*) FROM pg_stats WHERE tablename = 'access' AND inherited").rows.first?.first == .int(7),
                "every column of access")
        // The monthly partitions too, which the plans use once a time range prunes to one.
        #expect(try session.query("""
            SELECT count(*) FROM pg_stats WHERE tablename LIKE 'events\\_y%' AND NOT inherited AND attname IN ('principal', 'time')
            """).rows.first?.first == .int(2))
        #expect(try session.query("SELECT count(*) FROM pg_stats WHERE tablename LIKE 'events\\_y%' AND attname = 'details'").rows.first?.first == .int(0))
    }

    @Test func aSmallLoadLeavesTheStatisticsToAutovacuum() throws {
        let database = try PostgresTestCluster.shared().makeDatabase(prefix: "analyze-small")
        let store = try PostgresStore.open(url: database.url)
        try store.commit(FileCommit(ledger: Fixture.ledger("f", records: 1),
                                    events: [Fixture.event("one", "2024-05-01T10:00:00Z", "GetSecretValue", Fixture.alice, [Fixture.s2])]))
        store.finishLoad()
        let session = PostgresSession(location: try PostgresLocation(parsing: database.url, environment: [:]))
        #expect(try session.query("SELECT reltuples::bigint FROM pg_class WHERE relname = 'events'").rows.first?.first == .int(-1))
    }
}
