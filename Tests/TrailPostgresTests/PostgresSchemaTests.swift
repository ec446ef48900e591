import Foundation
import Synchronization
import Testing
import TrailPostgres
import TrailStore
import TrailSync
import TrailTestSupport

/// Opening a PostgreSQL store: migrations once however many workers start together, a store
/// from a newer version refused, readers never creating anything, monthly partitions, prune.
@Suite struct PostgresSchemaTests {
    @Test func workersStartingTogetherMigrateOnce() throws {
        let database = try PostgresTestCluster.shared().makeDatabase(prefix: "migrate")
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do {
                _ = try PostgresStore.open(url: database.url)
            } catch {
                failures.locked { $0.append("\(error)") }
            }
        }
        #expect(failures.locked { $0 } == [])
        let session = PostgresSession(location: try PostgresLocation(parsing: database.url, environment: [:]))
        let applied = try session.query("SELECT name FROM trailwatch_migrations ORDER BY name")
        #expect(applied.rows == [[.text("pg1-history")], [.text("pg2-history-without-row-triggers")]])
    }

    @Test func aStoreFromANewerVersionIsRefused() throws {
        let database = try PostgresTestCluster.shared().makeDatabase(prefix: "newer")
        _ = try PostgresStore.open(url: database.url)
        let session = PostgresSession(location: try PostgresLocation(parsing: database.url, environment: [:]))
        try session.query("INSERT INTO trailwatch_migrations (name, applied_at) VALUES ('pg99-from-the-future', 0)")
        for readOnly in [false, true] {
            do {
                _ = try PostgresStore.open(url: database.url, readOnly: readOnly)
                Issue.record("a store migrated by a newer version was opened")
            } catch {
                #expect(error.kind == .schema)
                #expect(error.message.contains("newer trailwatch"))
                #expect(error.message.contains("pg99-from-the-future"))
            }
        }
    }

    @Test func readersNeverCreateTheSchema() throws {
        let database = try PostgresTestCluster.shared().makeDatabase(prefix: "reader")
        do {
            _ = try PostgresStore.open(url: database.url, readOnly: true)
            Issue.record("an empty database was opened as a store")
        } catch {
            #expect(error.kind == .schema)
            #expect(error.message.contains("not a trailwatch store"))
        }
        let session = PostgresSession(location: try PostgresLocation(parsing: database.url, environment: [:]))
        #expect(try session.query("SELECT to_regclass('public.events') IS NULL").rows == [[.int(1)]])
    }
}
