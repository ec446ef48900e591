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
