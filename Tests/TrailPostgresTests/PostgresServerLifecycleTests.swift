import Foundation
import Synchronization
import TrailSync
import Testing
import TrailStore
import TrailTestSupport
@testable import TrailPostgres

/// A server of the suite's own, without TLS, restarted under an open session. Serialized: the
/// restart would otherwise cut the other test's connections.
@Suite(.serialized) struct PostgresServerLifecycleTests {
    static let cluster = Result { () throws(PostgresTestCluster.Failure) -> PostgresTestCluster in
        try PostgresTestCluster.startPrivate(tls: false)
    }

    @Test func aRestartedServerIsReconnectedTo() throws {
        let cluster = try Self.cluster.get()
        let (url, _) = try cluster.makeDatabase(prefix: "restart")
        let session = PostgresSession(location: try PostgresLocation(parsing: url, environment: [:]))
        try session.query("CREATE TABLE t (id bigint)")
        try session.query("INSERT INTO t VALUES (1)")
        let before = try session.query("SELECT pg_backend_pid()").rows
        try cluster.restart()
        // The statement after the restart may fail (the session learns of the closed socket by
        // using it) and must then be a connection error; the one after runs on a new connection.
        do {
            try session.query("SELECT 1")
        } catch {
            #expect(error.kind == .connection, "\(error)")
        }
        #expect(try session.query("SELECT id FROM t").rows == [[.int(1)]])
        #expect(try session.query("SELECT pg_backend_pid()").rows != before)
    }

    /// The server goes away under an open store: the operation waits with backoff, each retry is
    /// told (a connection error, the URL without its password), and once the server is back the
    /// operation completes and the recovery is told.
    @Test func aStoreWaitsForAStoppedServerAndSaysSo() throws {
        let cluster = try Self.cluster.get()
        let (url, _) = try cluster.makeDatabase(prefix: "wait")
        let events = Mutex<[PostgresRetryEvent]>([])
        let store = try PostgresStore.open(url: url, environment: ["TRAILWATCH_DB_RETRY_SECONDS": "120"]) { event in
            events.locked { $0.append(event) }
        }
        #expect(try store.loadDetectorState().isEmpty)
        try cluster.stopServer()
        let outcome = Mutex<Result<Int, StoreError>?>(nil)
        let worker = Thread {
            let result = Result { () throws(StoreError) -> Int in try store.loadDetectorState().count }
            outcome.locked { $0 = result }
        }
        worker.start()
        var waited = 0
        while events.locked({ $0.count }) < 2 && waited < 600 {
            Thread.sleep(forTimeInterval: 0.05)
            waited += 1
        }
        try cluster.startServer()
        waited = 0
        while outcome.locked({ $0 == nil }) && waited < 1200 {
            Thread.sleep(forTimeInterval: 0.05)
            waited += 1
        }
        let result = try #require(outcome.locked { $0 }, "the operation did not finish once the server was back")
        #expect(try result.get() == 0)

        let told = events.locked { $0 }
        var retries: [(waited: Duration, pause: Duration)] = []
        for event in told {
            guard case let .retrying(operation, error, waited, pause, limit) = event else { continue }
            #expect(error.kind == .connection, "\(error)")
            #expect(!error.description.contains(cluster.password), "\(error)")
            #expect(limit == .seconds(120) && !operation.isEmpty)
            retries.append((waited, pause))
        }
        #expect(retries.count >= 2, "\(told)")
        // Backoff: 0.5 s, then doubling, each wait the sum of the pauses before it.
        #expect(retries.first.map { $0.waited == .zero && $0.pause == .milliseconds(500) } == true, "\(told)")
        for (previous, next) in zip(retries, retries.dropFirst()) {
            #expect(next.waited == previous.waited + previous.pause && next.pause == min(previous.pause * 2, .seconds(30)), "\(told)")
        }
        guard case let .recovered(_, total)? = told.last else {
            Issue.record("the last event is not the recovery: \(told)")
            return
        }
        #expect(total == retries.last.map { $0.waited + $0.pause }, "\(told)")
    }

    @Test func requireAgainstAServerWithoutTLSIsRefused() throws {
        let cluster = try Self.cluster.get()
        let (url, name) = try cluster.makeDatabase(prefix: "notls")
        #expect(try PostgresSession(location: try PostgresLocation(parsing: url, environment: [:])).query("SELECT 1").rows == [[.int(1)]])
        let location = try PostgresLocation(
            parsing: "postgres://\(PostgresTestCluster.user):\(cluster.password)@127.0.0.1:\(cluster.port)/\(name)?sslmode=require",
            environment: [:])
        let error = try #require(throws: StoreError.self) { try PostgresSession(location: location).connect() }
        #expect(error.kind == .connection)
        #expect(error.message.contains("does not offer TLS"), "\(error)")
        #expect(!error.description.contains(cluster.password))
    }
}
