import Synchronization
import TrailSync
import Testing
import TrailModel
import TrailTestSupport
@testable import TrailPostgres
@testable import TrailStore

/// A connection whose next `failures` transactions run their statements and are then rolled back
/// by the server with SQLSTATE 40P01, as a transaction chosen to break a deadlock is.
/// How many of the next transactions are rolled back.
final class DeadlockVictims: Sendable {
    let remaining = Mutex(0)
    /// What ran through `executeLong`, as `timeout: sql`.
    let longStatements = Mutex<[String]>([])
}

final class DeadlockVictimLink: PostgresLink {
    let inner: SessionLink
    let victims: DeadlockVictims
    init(_ inner: SessionLink, victims: DeadlockVictims) {
        self.inner = inner
        self.victims = victims
    }

    var dialect: SQLDialect { inner.dialect }
    func statement(_ sql: String) throws -> any SQLStatement { try inner.statement(sql) }
    func close() { inner.close() }
    func copy(into table: String, columns: [String], rows: [[PostgresBindValue]]) throws {
        try inner.copy(into: table, columns: columns, rows: rows)
    }
    func executeLong(_ sql: String, timeout: Duration) throws {
        victims.longStatements.locked { $0.append("\(timeout): \(sql)") }
        try inner.executeLong(sql, timeout: timeout)
    }
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try inner.transaction {
            let result = try body()
            let victim = victims.remaining.locked { n -> Bool in
                guard n > 0 else { return false }
                n -= 1
                return true
            }
            if victim {
                var error = StoreError(.postgres, path: "test", operation: "commit", message: "40P01 deadlock detected (Process 1 waits for AccessShareLock)")
                error.sqlState = "40P01"
                throw error
            }
            return result
        }
    }
}

/// A transaction the server rolls back to break a deadlock runs again (nothing of it stayed),
/// a bounded number of times; a commit is stored once.
@Suite struct RolledBackRetryTests {
    func store(_ victims: DeadlockVictims) throws -> Store {
        let database = try PostgresTestCluster.shared().makeDatabase(prefix: "deadlock")
        let location = try PostgresLocation(parsing: database.url, environment: [:])
        let backend = try PostgresBackend(location: location.redacted, readOnly: false, notes: [], retryLimit: .seconds(60), sleep: { _ in }) {
            () throws(StoreError) -> any PostgresLink in
            let session = PostgresSession(location: location)
            try session.connect()
            return DeadlockVictimLink(SessionLink(session: session), victims: victims)
        }
        return Store(backend: backend)
    }

    @Test func aCommitRolledBackForADeadlockRunsAgainAndIsStoredOnce() throws {
        let victims = DeadlockVictims()
        let store = try store(victims)
        victims.remaining.locked { $0 = 2 }
        let alert = Fixture.alert("a-1", rule: "r", severity: .high, event: Fixture.file1Events[0], summary: "one")
        #expect(try store.commit(FileCommit(ledger: Fixture.ledger("f1", records: 5), events: Fixture.file1Events, alerts: [alert])) == ["a-1"])
        #expect(victims.remaining.locked { $0 } == 0, "no transaction was rolled back: the test proves nothing")
        #expect(try count(store, "events") == 5)
        #expect(try count(store, "files") == 1)
        #expect(try scalar(store, "SELECT count(*) FROM commit_tokens") == 1)
    }

    @Test func rollbacksThatGoOnFailTheOperation() throws {
        let victims = DeadlockVictims()
        let store = try store(victims)
        victims.remaining.locked { $0 = 1_000 }
        #expect {
            try store.commit(FileCommit(ledger: Fixture.ledger("f1", records: 5), events: Fixture.file1Events))
        } throws: { error in
            (error as? StoreError)?.kind == .postgres && (error as? StoreError)?.message.hasPrefix("40P01") == true
        }
        #expect(victims.remaining.locked { $0 } == 1_000 - 1 - PostgresBackend.rolledBackRetries)
        victims.remaining.locked { $0 = 0 }
        #expect(try count(store, "events") == 0)
    }

    /// The build's CREATE INDEX statements run with the build's own timeout (hours, not the
    /// 5 minutes after which a statement counts as lost), and only they.
    @Test func theIndexBuildRunsWithItsOwnTimeout() throws {
        let victims = DeadlockVictims()
        let store = try store(victims)
        #expect(try store.deferIndexesForFirstLoad())
        try Fixture.populate(store)
        #expect(victims.longStatements.locked { $0 }.isEmpty)
        let built = try store.buildDeferredIndexes()
        #expect(built.count == 9)
        #expect(victims.longStatements.locked { $0 } == PostgresDeferredIndexes.statements.map { "21600.0 seconds: \($0.sql)" })
    }
}
