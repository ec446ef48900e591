import Synchronization
import TrailSync
import Testing
import TrailModel
import TrailTestSupport
@testable import TrailPostgres
@testable import TrailStore

/// A connection that loses the answer to COMMIT once armed: the transaction commits on the
/// server, then the caller sees a connection error, as when the network fails at that moment.
/// Whether the next transaction's answer is lost (disarms itself when used).
final class LoseNextAnswer: Sendable {
    let armed = Mutex(false)
    func arm() { armed.locked { $0 = true } }
    var isArmed: Bool { armed.locked { $0 } }
    func take() -> Bool { armed.locked { let was = $0; $0 = false; return was } }
}

final class LostCommitAnswerLink: PostgresLink {
    let inner: SessionLink
    let armed: LoseNextAnswer
    init(_ inner: SessionLink, armed: LoseNextAnswer) {
        self.inner = inner
        self.armed = armed
    }

    var dialect: SQLDialect { inner.dialect }
    func statement(_ sql: String) throws -> any SQLStatement { try inner.statement(sql) }
    func close() { inner.close() }
    func copy(into table: String, columns: [String], rows: [[PostgresBindValue]]) throws {
        try inner.copy(into: table, columns: columns, rows: rows)
    }
    func transaction<T>(_ body: () throws -> T) throws -> T {
        let result = try inner.transaction(body)
        if armed.take() {
            throw StoreError(.connection, path: "test", operation: "commit", message: "the answer to COMMIT was lost")
        }
        return result
    }
}

/// A commit whose COMMIT answer is lost is run again; the second run must find that the first
/// committed: folded repeats are added once, and the group's new alerts are still handed over.
@Suite struct LostCommitAnswerTests {
    let armed = LoseNextAnswer()

    func store() throws -> Store {
        let database = try PostgresTestCluster.shared().makeDatabase(prefix: "lostcommit")
        let location = try PostgresLocation(parsing: database.url, environment: [:])
        let armed = self.armed
        let backend = try PostgresBackend(location: location.redacted, readOnly: false, notes: [], retryLimit: .seconds(60), sleep: { _ in }) {
            () throws(StoreError) -> any PostgresLink in
            let session = PostgresSession(location: location)
            try session.connect()
            return LostCommitAnswerLink(SessionLink(session: session), armed: armed)
        }
        return Store(backend: backend)
    }

    @Test func aCommitRetriedAfterItsAnswerWasLostWritesOnce() throws {
        let store = try store()
        let first = Fixture.alert("a-1", rule: "r", severity: .high, event: Fixture.file1Events[0], summary: "one")
        #expect(try store.commit(FileCommit(ledger: Fixture.ledger("f1", records: 1), events: [Fixture.file1Events[0]], alerts: [first])) == ["a-1"])
        try store.markEmitted(["a-1"])

        // Repeats folded into a-1, released after the last file (no claim guards this commit).
        armed.arm()
        _ = try store.commit([.detectionsOnly(alerts: [], suppressed: [(alertID: "a-1", count: 3)], state: [])])
        #expect(!armed.isArmed, "the answer was not lost: the test proves nothing")
        #expect(try scalar(store, "SELECT count FROM alerts WHERE id = 'a-1'") == 4)

        // A file's commit: its rows once, and its new alert returned as new (to be handed over).
        let second = Fixture.alert("a-2", rule: "r", severity: .low, event: Fixture.file1Events[1], summary: "two")
        armed.arm()
        let inserted = try store.commit(FileCommit(ledger: Fixture.ledger("f2", records: 1), events: [Fixture.file1Events[1]], alerts: [second]))
        #expect(inserted == ["a-2"])
        #expect(try count(store, "files") == 2)
        #expect(try count(store, "events") == 2)
        #expect(try store.unemittedAlerts().map(\.id) == ["a-2"])

        // A file claimed by a worker (several workers share the store): the retry finds the token
        // before the claim, which the first attempt consumed, so the file is not refused.
        let t0 = EventTime(milliseconds: 1_714_521_600_000)
        #expect(try store.claimFile("f3", worker: "w-1", now: t0, ttl: .seconds(60)) == .granted)
        let third = Fixture.alert("a-3", rule: "r", severity: .low, event: Fixture.file1Events[2], summary: "three")
        var claimed = FileCommit(ledger: Fixture.ledger("f3", records: 1), events: [Fixture.file1Events[2]], alerts: [third])
        claimed.claim = "w-1"
        armed.arm()
        #expect(try store.commit(claimed) == ["a-3"])
        #expect(!armed.isArmed)
        #expect(try count(store, "files") == 3)
        #expect(try count(store, "claims") == 0)
    }
}
