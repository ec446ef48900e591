import Dispatch
import NIOCore
import Synchronization
import TrailSync
import Testing
import TrailStore
import TrailTestSupport
@testable import TrailPostgres

/// The blocking session against a real server: statements, cells, transactions and the errors a
/// caller sees.
@Suite struct PostgresSessionTests {
    @Test func selectOne() throws {
        let f = try ClusterFixture("select_one")
        let result = try f.session.query("SELECT 1 AS one")
        #expect(result == PostgresResult(columns: ["one"], rows: [[.int(1)]], command: "SELECT", affectedRows: 1))
    }

    @Test func cellsOfEveryTypeTheStoreReads() throws {
        let f = try ClusterFixture("cells")
        let result = try f.session.query("""
            SELECT 2::int2, 3::int4, 4::int8, true, false, 42::oid, 'a'::text, 'b'::varchar, 'c'::name, 'd'::char(2),
                   '{"k": 1}'::json, '{"k": 2}'::jsonb, NULL::text, NULL::int8, sum(x), 100000000::numeric, (-9223372036854775808)::numeric,
                   0::numeric, 1.000::numeric
            FROM (VALUES (9223372036854775807::int8), (-1::int8)) AS v(x)
            """)
        #expect(result.rows == [[.int(2), .int(3), .int(4), .int(1), .int(0), .int(42), .text("a"), .text("b"), .text("c"), .text("d "),
                                 .text("{\"k\": 1}"), .text("{\"k\": 2}"), .null, .null, .int(9223372036854775806), .int(100000000),
                                 .int(Int64.min), .int(0), .int(1)]])
    }

    @Test(arguments: [
        ("SELECT 1.5::numeric AS n", "has a fraction"),
        ("SELECT 9223372036854775808::numeric AS n", "does not fit 64 bits"),
        ("SELECT 'NaN'::numeric AS n", "NaN"),
        ("SELECT now() AS n", "cast it to bigint or text"),
        ("SELECT 1.5::float8 AS n", "cast it to bigint or text"),
    ])
    func cellsTheStoreCannotReadAreNamed(sql: String, fragment: String) throws {
        let f = try ClusterFixture("badcell")
        let error = try #require(throws: StoreError.self) { try f.session.query(sql) }
        #expect(error.kind == .postgres)
        #expect(error.message.hasPrefix("column 1 (n) of type"))
        #expect(error.message.contains(fragment), "\(error)")
        #expect(try f.session.query("SELECT 7").rows == [[.int(7)]])
    }

    @Test func serverErrorsCarrySQLStateAndMessage() throws {
        let f = try ClusterFixture("sqlstate")
        let error = try #require(throws: StoreError.self) { try f.session.query("SELECT * FROM missing_table") }
        #expect(error.kind == .postgres)
        #expect(error.operation == "SELECT")
        #expect(error.message == "42P01 relation \"missing_table\" does not exist")
        #expect(error.path == "postgres://trailwatch@127.0.0.1:\(f.cluster.port)/\(f.name)?sslmode=disable")
        #expect(!error.description.contains(f.cluster.password))
    }

    @Test func aResultOverTheLimitIsRefusedAndTheSessionGoesOn() throws {
        let f = try ClusterFixture("limit", limits: PostgresResultLimits(cells: 10, bytes: 1 << 20))
        #expect(try f.session.query("SELECT generate_series(1, 10)").rows.count == 10)
        let error = try #require(throws: StoreError.self) { try f.session.query("SELECT generate_series(1, 100000)") }
        #expect(error.kind == .postgres)
        #expect(error.message.contains("add a LIMIT"))
        #expect(try f.session.query("SELECT 7").rows == [[.int(7)]])
        let wide = PostgresSession(location: f.session.location, limits: PostgresResultLimits(cells: 100, bytes: 1000))
        #expect(throws: StoreError.self) { try wide.query("SELECT repeat('x', 2000)") }
    }

    @Test func aTransactionRollsBackWhenItsBodyThrows() throws {
        let f = try ClusterFixture("txn")
        try f.session.query("CREATE TABLE t (id bigint PRIMARY KEY)")
        struct Stop: Error {}
        #expect(throws: StoreError.self) {
            try f.session.transaction {
                try f.session.query("INSERT INTO t VALUES ($1)", [.int(1)])
                try f.session.query("INSERT INTO t VALUES ($1)", [.int(1)])
            }
        }
        #expect(throws: Stop.self) {
            try f.session.transaction {
                try f.session.query("INSERT INTO t VALUES ($1)", [.int(2)])
                throw Stop()
            }
        }
        // A body that swallows a failed statement cannot commit the rest.
        let swallowed = try #require(throws: StoreError.self) {
            try f.session.transaction {
                try f.session.query("INSERT INTO t VALUES ($1)", [.int(3)])
                _ = try? f.session.query("INSERT INTO t VALUES ($1)", [.int(3)])
            }
        }
        #expect(swallowed.operation == "COMMIT")
        #expect(try f.session.query("SELECT count(*) FROM t").rows == [[.int(0)]])
        let kept = try f.session.transaction { () throws -> Int in
            try f.session.query("INSERT INTO t VALUES ($1), ($2)", [.int(4), .int(5)]).affectedRows
        }
        #expect(kept == 2)
        #expect(try f.session.query("SELECT id FROM t ORDER BY id").rows == [[.int(4)], [.int(5)]])
        #expect(throws: StoreError.self) { try f.session.transaction { try f.session.transaction { 1 } } }
    }

    @Test func aWrongPasswordIsAConnectionErrorWithoutThePassword() throws {
        let f = try ClusterFixture("wrongpw")
        let session = PostgresSession(location: try f.location(password: "not-the-password-x1", query: "sslmode=disable"))
        let error = try #require(throws: StoreError.self) { try session.connect() }
        #expect(error.kind == .connection)
        #expect(error.operation == "connect")
        #expect(error.message.contains("28P01"), "\(error)")
        #expect(error.message.contains("password authentication failed for user \"trailwatch\""))
        #expect(!error.description.contains("not-the-password-x1"))
    }

    @Test func aClosedPortIsAConnectionErrorNamingTheRedactedURL() throws {
        let f = try ClusterFixture("closedport")
        let port = try closedPort()
        let location = try PostgresLocation(parsing: "postgres://trailwatch:hunter2secret@127.0.0.1:\(port)/\(f.name)?connect_timeout=5", environment: [:])
        let error = try #require(throws: StoreError.self) { try PostgresSession(location: location).query("SELECT 1") }
        #expect(error.kind == .connection)
        #expect(error.path == "postgres://trailwatch@127.0.0.1:\(port)/\(f.name)?sslmode=disable&connect_timeout=5")
        #expect(error.message.contains("onnection refused"), "\(error)")
        #expect(!error.description.contains("hunter2secret"))
    }

    @Test func theUnixSocketWorks() throws {
        let f = try ClusterFixture("socket")
        let location = try PostgresLocation(parsing: "postgres://trailwatch@/\(f.name)?host=\(f.cluster.socketDirectory)&port=\(f.cluster.port)", environment: [:])
        #expect(try PostgresSession(location: location).query("SELECT current_database()").rows == [[.text(f.name)]])
    }

    @Test func aTerminatedConnectionIsReplaced() throws {
        let f = try ClusterFixture("reconnect")
        let pid = try f.session.query("SELECT pg_backend_pid()").rows[0][0]
        let other = PostgresSession(location: f.session.location)
        guard case .int(let backend) = pid else { Issue.record("pid \(pid)"); return }
        try other.query("SELECT pg_terminate_backend($1::int4, 10000)", [.int(backend)])
        // The session may or may not have seen the close before the next statement: either that
        // statement fails as a connection error, or it already runs on a new connection.
        do {
            try f.session.query("SELECT 1")
        } catch {
            #expect(error.kind == .connection, "\(error)")
        }
        #expect(try f.session.query("SELECT 2").rows == [[.int(2)]])
        #expect(try f.session.query("SELECT pg_backend_pid()").rows[0][0] != pid)
    }

    @Test func statementsAfterALostConnectionNeverLeaveTheTransaction() throws {
        let f = try ClusterFixture("lost_txn")
        try f.session.query("CREATE TABLE t (id bigint)")
        let other = PostgresSession(location: f.session.location)
        #expect(throws: StoreError.self) {
            try f.session.transaction {
                try f.session.query("INSERT INTO t VALUES (1)")
                guard case .int(let backend) = try f.session.query("SELECT pg_backend_pid()").rows[0][0] else { return }
                // Waits until the backend is gone.
                try other.query("SELECT pg_terminate_backend($1::int4, 10000)", [.int(backend)])
                _ = try? f.session.query("INSERT INTO t VALUES (2)")
                let error = try #require(throws: StoreError.self) { try f.session.query("INSERT INTO t VALUES (3)") }
                #expect(error.kind == .connection)
            }
        }
        #expect(try f.session.query("SELECT count(*) FROM t").rows == [[.int(0)]])
    }

    @Test func aStatementWithoutAnAnswerFailsAfterTheStatementTimeout() throws {
        let f = try ClusterFixture("stmt_timeout")
        let session = PostgresSession(location: f.session.location, statementTimeout: .milliseconds(300))
        let error = try #require(throws: StoreError.self) { try session.query("SELECT pg_sleep(60)") }
        #expect(error.kind == .connection)
        #expect(error.message == "no answer within 0.3 s: the connection was closed")
        #expect(try session.query("SELECT 1").rows == [[.int(1)]])
    }

    /// A statement known to run long (an index build) may take longer than the session's timeout.
    @Test func aStatementGivenItsOwnTimeoutMayOutlastTheSessions() throws {
        let f = try ClusterFixture("stmt_own_timeout")
        let session = PostgresSession(location: f.session.location, statementTimeout: .milliseconds(300))
        #expect(try session.query("SELECT 1 FROM pg_sleep(0.6)", timeout: .seconds(60)).rows == [[.int(1)]])
        let error = try #require(throws: StoreError.self) { try session.query("SELECT pg_sleep(60)", timeout: .milliseconds(400)) }
        #expect(error.message == "no answer within 0.4 s: the connection was closed")
    }

    @Test func threadsMayShareASessionOutsideTransactions() throws {
        let f = try ClusterFixture("shared_session")
        let answers = Mutex<[Int64: Int]>([:])
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for i in 0..<25 {
                let n = Int64(thread * 100 + i)
                let rows = try? f.session.query("SELECT $1::int8 * 2", [.int(n)]).rows
                answers.locked { $0[n] = rows == [[.int(n * 2)]] ? 1 : 0 }
            }
        }
        let all = answers.locked { $0 }
        #expect(all.count == 200)
        #expect(all.values.allSatisfy { $0 == 1 })
    }

    @Test func anEventLoopThreadIsRefused() throws {
        let f = try ClusterFixture("eventloop")
        let message = try PostgresSession.eventLoopGroup.next().submit { () -> String in
            do {
                try f.session.query("SELECT 1")
                return "ran"
            } catch {
                return (error as? StoreError)?.message ?? "\(error)"
            }
        }.wait()
        #expect(message.contains("event loop thread"))
    }

    @Test func tlsRequireEncrypts() throws {
        let f = try ClusterFixture("tls_require")
        try #require(f.cluster.caFile != nil, "the test cluster has no TLS (openssl missing?)")
        let sql = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
        #expect(try PostgresSession(location: try f.location(query: "sslmode=require")).query(sql).rows == [[.int(1)]])
        #expect(try PostgresSession(location: try f.location(query: "sslmode=disable")).query(sql).rows == [[.int(0)]])
    }

    @Test func tlsVerifyFullChecksTheCAAndTheName() throws {
        let f = try ClusterFixture("tls_verify")
        let ca = try #require(f.cluster.caFile, "the test cluster has no TLS (openssl missing?)")
        let other = try #require(f.cluster.otherCAFile)
        let good = PostgresSession(location: try f.location(host: "localhost", query: "sslmode=verify-full&sslrootcert=\(ca)"))
        #expect(try good.query("SELECT 1").rows == [[.int(1)]])

        let wrongCA = try #require(throws: StoreError.self) {
            try PostgresSession(location: try f.location(host: "localhost", query: "sslmode=verify-full&sslrootcert=\(other)")).connect()
        }
        #expect(wrongCA.kind == .connection)
        #expect(wrongCA.message.contains("TLS"), "\(wrongCA)")

        // The certificate names localhost only (as a DNS name, not an IP address).
        let wrongName = try #require(throws: StoreError.self) {
            try PostgresSession(location: try f.location(host: "127.0.0.1", query: "sslmode=verify-full&sslrootcert=\(ca)")).connect()
        }
        #expect(wrongName.kind == .connection)
        #expect(wrongName.message.contains("TLS"), "\(wrongName)")

        let missing = try #require(throws: StoreError.self) {
            try PostgresSession(location: try f.location(query: "sslmode=verify-full&sslrootcert=/nonexistent/ca.pem")).connect()
        }
        #expect(missing.kind == .invalidArgument)
        #expect(missing.message.contains("/nonexistent/ca.pem"))
    }
}

