import Testing
import TrailStore
import TrailTestSupport
@testable import TrailPostgres

/// Bulk loading with COPY: every value arrives as sent, errors are the server's, and the rows
/// belong to the surrounding transaction.
@Suite struct PostgresCopyTests {
    static let awkward = ["", "\\N", "tab\there", "line\nbreak\r\n", "back\\slash\\", "ünïcödé 😀", "'; DROP TABLE t; --", "\"quoted\""]

    @Test func rowsArriveExactlyAsSent() throws {
        let f = try ClusterFixture("copy_exact")
        try f.session.query("CREATE TABLE t (n bigint PRIMARY KEY, s text, i bigint)")
        var rows: [[PostgresBindValue]] = []
        for n in 0..<3000 {
            let text: PostgresBindValue = n % 9 == 8 ? .null : .text(Self.awkward[n % 8] + String(n))
            let number: PostgresBindValue = n % 5 == 0 ? .null : .int(n % 2 == 0 ? Int64.min + Int64(n) : Int64.max - Int64(n))
            rows.append([.int(Int64(n)), text, number])
        }
        try f.session.copy(into: "t", columns: ["n", "s", "i"], rows: rows)
        let stored = try f.session.query("SELECT n, s, i FROM t ORDER BY n").rows
        #expect(stored.count == rows.count)
        for (got, sent) in zip(stored, rows) {
            #expect(got == sent.map { value -> PostgresCellValue in
                switch value {
                case .null: .null
                case .int(let i): .int(i)
                case .text(let s): .text(s)
                }
            })
        }
    }

    /// A NUL character, which PostgreSQL's text cannot hold, arrives as U+FFFD (as the normaliser
    /// stores it) instead of failing the COPY.
    @Test func aNULCharacterArrivesAsTheReplacementCharacter() throws {
        let f = try ClusterFixture("copy_nul")
        try f.session.query("CREATE TABLE t (n bigint, s text)")
        try f.session.copy(into: "t", columns: ["n", "s"], rows: [[.int(1), .text("a\u{0}b\tc")], [.int(2), .text("\u{0}")]])
        #expect(try f.session.query("SELECT s FROM t ORDER BY n").rows == [[.text("a\u{FFFD}b\tc")], [.text("\u{FFFD}")]])
    }

    /// A COPY the server does not answer (here: it waits for a lock another session holds; in
    /// production, a partition dropping packets) fails with `.connection` after the statement
    /// timeout, as a statement does, so the commit is retried instead of hanging.
    @Test func aCopyWithoutAnAnswerFailsAfterTheStatementTimeout() throws {
        let f = try ClusterFixture("copy_timeout")
        try f.session.query("CREATE TABLE t (n bigint)")
        let session = PostgresSession(location: f.session.location, statementTimeout: .milliseconds(300))
        // Without the timeout the COPY would wait for the lock: the server gives up after 10 s
        // instead (a `.postgres` error), so the test fails rather than hangs.
        try session.query("SET lock_timeout = '10s'")
        let holder = PostgresSession(location: f.session.location)
        try holder.transaction {
            try holder.query("LOCK TABLE t IN ACCESS EXCLUSIVE MODE")
            let error = try #require(throws: StoreError.self) { try session.copy(into: "t", columns: ["n"], rows: [[.int(1)]]) }
            #expect(error.kind == .connection)
            #expect(error.message == "no answer within 0.3 s: the connection was closed")
        }
        try session.copy(into: "t", columns: ["n"], rows: [[.int(2)]])
        #expect(try f.session.query("SELECT n FROM t").rows == [[.int(2)]])
    }

    @Test func aConstraintViolationIsTheServersErrorAndTheSessionGoesOn() throws {
        let f = try ClusterFixture("copy_conflict")
        try f.session.query("CREATE TABLE t (n bigint PRIMARY KEY)")
        let error = try #require(throws: StoreError.self) {
            try f.session.copy(into: "t", columns: ["n"], rows: [[.int(1)], [.int(2)], [.int(1)]])
        }
        #expect(error.kind == .postgres)
        #expect(error.message.hasPrefix("23505 duplicate key value violates unique constraint"), "\(error)")
        #expect(try f.session.query("SELECT count(*) FROM t").rows == [[.int(0)]])
    }

    @Test func copiedRowsRollBackWithTheirTransaction() throws {
        let f = try ClusterFixture("copy_txn")
        try f.session.query("CREATE TABLE t (n bigint)")
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try f.session.transaction {
                try f.session.copy(into: "t", columns: ["n"], rows: [[.int(1)], [.int(2)]])
                throw Stop()
            }
        }
        #expect(try f.session.query("SELECT count(*) FROM t").rows == [[.int(0)]])
        try f.session.transaction { try f.session.copy(into: "t", columns: ["n"], rows: [[.int(3)]]) }
        #expect(try f.session.query("SELECT n FROM t").rows == [[.int(3)]])
    }

    @Test(arguments: ["t\"; DROP TABLE x; --", "", "1abc", "t.t", "a b"])
    func namesThatAreNotPlainIdentifiersAreRefused(name: String) throws {
        let f = try ClusterFixture("copy_names")
        let error = try #require(throws: StoreError.self) { try f.session.copy(into: name, columns: ["n"], rows: []) }
        #expect(error.kind == .invalidArgument)
        let column = try #require(throws: StoreError.self) { try f.session.copy(into: "t", columns: [name], rows: []) }
        #expect(column.kind == .invalidArgument)
    }

    @Test func aRowOfTheWrongWidthIsRefused() throws {
        let f = try ClusterFixture("copy_width")
        let error = try #require(throws: StoreError.self) {
            try f.session.copy(into: "t", columns: ["a", "b"], rows: [[.int(1), .int(2)], [.int(3)]])
        }
        #expect(error.message == "row 2 has 1 values for 2 columns")
    }
}
