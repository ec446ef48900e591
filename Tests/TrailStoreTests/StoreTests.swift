import Foundation
import GRDB
import Testing
import TrailModel
@testable import TrailStore

/// How each store test gets its store: the same tests run on SQLite in memory and on disk, and
/// on PostgreSQL (a throwaway cluster the tests start; see `PostgresTestCluster`).
enum StoreKind: CaseIterable, Sendable, CustomTestStringConvertible {
    case memory, disk, postgres

    /// One SQLite and the PostgreSQL engine, for tests whose SQLite file adds nothing.
    static let engines: [StoreKind] = [.memory, .postgres]

    var testDescription: String { "\(self)" }
}

func makeStore(_ kind: StoreKind) throws -> Store {
    switch kind {
    case .memory: return try Store.inMemory()
    case .disk: return try Store.open(path: try Fixture.temporaryDirectory() + "/t.db")
    case .postgres: return try Fixture.postgresStore()
    }
}

/// One integer from `sql` (nil when it returns no row or NULL), on either engine.
func scalar(_ store: Store, _ sql: String, _ values: [SQLValue] = []) throws -> Int64? {
    try store.read("test") { db in
        var s = try db.statement(sql)
        s.bind(all: values)
        defer { s.reset() }
        return try s.step() ? s.optionalInt64(0) : nil
    }
}

func count(_ store: Store, _ table: String) throws -> Int {
    Int(try scalar(store, "SELECT count(*) FROM \(table)") ?? -1)
}

@Suite struct StoreTests {
    @Test func migrationsCreateTheSchemaOnceAndReopen() throws {
        let path = try Fixture.temporaryDirectory() + "/t.db"
        _ = try Store.open(path: path)
        let again = try Store.open(path: path)
        let tables = try again.queue.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%' ORDER BY name")
        }
        #expect(tables == ["access", "alerts", "claims", "deliveries", "detector_state", "events", "files", "principals", "regions", "secret_keys", "secrets", "usage", "verified_digests"])
        let migrations = try again.queue.read { db in try StoreSchema.migrator.appliedMigrations(db) }
        #expect(migrations == ["v1-access-history", "v2-access-by-secret", "v3-alert-emission", "v4-verified-digests", "v5-alert-outbox", "v6-file-claims", "v7-detector-state-by-rowid", "v8-deliveries-by-due-time"])
        let mode = try again.queue.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        let fk = try again.queue.read { db in try Int.fetchOne(db, sql: "PRAGMA foreign_keys") }
        #expect(fk == 1)
    }

    /// A first load checks no foreign keys (the commit takes every id from its own upserts) until
    /// its deferred indexes are built; its rows are then those of a load that checked them.
    @Test func aFirstLoadChecksForeignKeysAgainOnceItsIndexesAreBuilt() throws {
        let path = try Fixture.temporaryDirectory() + "/first-load.db"
        let store = try Store.open(path: path)
        func checks() throws -> Int? { try store.queue.inDatabase { db in try Int.fetchOne(db, sql: "PRAGMA foreign_keys") } }
        #expect(try checks() == 1)
        #expect(try store.deferIndexesForFirstLoad())
        #expect(try checks() == 0)
        _ = try Fixture.populate(store)
        #expect(try store.buildDeferredIndexes().count == DeferredIndexes.statements.count)
        #expect(try checks() == 1)
        let violations = try store.queue.inDatabase { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }
        #expect(violations.isEmpty)
        let checked = try Fixture.populated()
        for table in ["events", "access", "usage", "principals", "secrets", "secret_keys"] {
            #expect(try count(store, table) == count(checked, table), "\(table)")
        }
    }

    @Test func newFileIsPrivateWhateverTheUmask() throws {
        let path = try Fixture.temporaryDirectory() + "/t.db"
        let old = umask(0)
        defer { umask(old) }
        let store = try Store.open(path: path)
        try store.lockForWriting()
        for file in [path, path + ".lock"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(file)")
        }
    }

    @Test func readOnlyOpenOfAMissingFileFailsWithoutCreatingIt() throws {
        let path = try Fixture.temporaryDirectory() + "/missing.db"
        #expect(throws: StoreError.self) { try Store.open(path: path, readOnly: true) }
        do {
            _ = try Store.open(path: path, readOnly: true)
        } catch {
            #expect(error.kind == .notFound)
            #expect(error.description.contains(path))
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func readersSeeCommitsWhileTheWriterIsOpen() throws {
        let path = try Fixture.temporaryDirectory() + "/t.db"
        let writer = try Store.open(path: path)
        try writer.lockForWriting()
        try Fixture.populate(writer)
        let reader = try Store.open(path: path, readOnly: true)
        #expect(try count(reader, "events") == 11)
        #expect(throws: StoreError.self) { try reader.commit(FileCommit(ledger: Fixture.ledger("x", records: 0))) }
    }

    @Test(arguments: StoreKind.allCases) func commitStoresRowsAndDeduplicatesEventIDs(kind: StoreKind) throws {
        let store = try Fixture.populate(try makeStore(kind))
        #expect(try count(store, "events") == 11)  // e05 delivered twice, stored once
        #expect(try count(store, "access") == 11)  // e05 names two secrets; e11 none
        #expect(try count(store, "secrets") == 4)
        #expect(try count(store, "principals") == 4)
        #expect(try count(store, "files") == 5)
        #expect(try scalar(store, "SELECT sum(count) FROM usage WHERE name = 'BatchGetSecretValue'") == 2)
        #expect(try scalar(store, "SELECT first_seen FROM principals WHERE arn = ?", [.text(Fixture.payments1.id)])
                == Fixture.time("2024-05-01T11:00:00Z").milliseconds)
        #expect(try scalar(store, "SELECT last_seen FROM principals WHERE arn = ?", [.text(Fixture.payments1.id)])
                == Fixture.time("2024-05-03T12:00:00Z").milliseconds)
        #expect(try count(store, "secret_keys") == 1)
        #expect(try scalar(store, "SELECT count(*) FROM secret_keys WHERE key = ?", [.text(Fixture.key1)]) == 1)
        let known = try store.knownSecrets(after: 0)
        #expect(known.secrets.map(\.id).sorted() == [Fixture.s1Full.id, Fixture.s3.id, Fixture.s2.id].sorted())
        // Later rows only, after a row id.
        #expect(try store.knownSecrets(after: known.lastRowID).secrets.isEmpty)
        #expect(try store.knownSecrets(after: known.lastRowID).lastRowID == known.lastRowID)
    }

    @Test(arguments: StoreKind.allCases) func recommittingAFileAddsNothing(kind: StoreKind) throws {
        let store = try makeStore(kind)
        let alert = Fixture.alert("alert-1", rule: "r", severity: .low, event: Fixture.file1Events[0], summary: "s")
        let commit = FileCommit(ledger: Fixture.ledger(Fixture.path1, records: 5), events: Fixture.file1Events, alerts: [alert])
        #expect(try store.commit(commit) == ["alert-1"])
        let before = try ["events", "access", "usage", "alerts", "files"].map { try count(store, $0) }
        let usage = try scalar(store, "SELECT sum(count) FROM usage")
        #expect(try store.commit(commit) == [])
        #expect(try ["events", "access", "usage", "alerts", "files"].map { try count(store, $0) } == before)
        #expect(try scalar(store, "SELECT sum(count) FROM usage") == usage)
        #expect(try store.existingEventIDs(["e01", "e05", "nope", "e03"]) == ["e01", "e03", "e05"])
    }

    @Test(arguments: StoreKind.allCases) func aFailingCommitLeavesNothing(kind: StoreKind) throws {
        let store = try makeStore(kind)
        try Fixture.refuseLedgerRow(store, path: "bad", message: "refused by test")
        let alert = Fixture.alert("alert-1", rule: "r", severity: .low, event: Fixture.file1Events[0], summary: "s")
        let commit = FileCommit(ledger: Fixture.ledger("bad", records: 5), events: Fixture.file1Events, alerts: [alert],
                                state: [DetectorStateEntry(namespace: "n", key: "k", value: "1")], learnedSecrets: [Fixture.s2])
        do {
            try store.commit(commit)
            Issue.record("commit should have failed")
        } catch {
            #expect(error.kind == (kind == .postgres ? .postgres : .sqlite))
            #expect(error.description.contains("commit of bad"))
            #expect(error.description.contains("refused by test"))
        }
        for table in ["events", "access", "usage", "secrets", "principals", "alerts", "files", "detector_state", "regions", "secret_keys"] {
            #expect(try count(store, table) == 0, "\(table)")
        }
        #expect(try store.ledgerEntry(path: "bad") == nil)
    }

    @Test(arguments: StoreKind.allCases) func detectorStateRoundTrips(kind: StoreKind) throws {
        let store = try makeStore(kind)
        try store.commit(FileCommit(ledger: Fixture.ledger("a", records: 0), state: [
            DetectorStateEntry(namespace: "first-seen:r", key: "s|p", value: "{\"t\":1}"),
            DetectorStateEntry(namespace: "first-seen:r", key: "s|q", value: "{\"t\":2}"),
            DetectorStateEntry(namespace: "burst:r", key: "p", value: "[1,2,3]"),
        ]))
        try store.commit(FileCommit(ledger: Fixture.ledger("b", records: 0), state: [
            DetectorStateEntry(namespace: "first-seen:r", key: "s|p", value: "{\"t\":5}"),
            DetectorStateEntry(namespace: "first-seen:r", key: "s|q", value: nil),
        ]))
        #expect(try store.loadDetectorState() == [
            DetectorStateEntry(namespace: "burst:r", key: "p", value: "[1,2,3]"),
            DetectorStateEntry(namespace: "first-seen:r", key: "s|p", value: "{\"t\":5}"),
        ])
    }

    @Test(arguments: StoreKind.allCases) func ledgerRoundTripsAndUpsertsByPath(kind: StoreKind) throws {
        let store = try makeStore(kind)
        var entry = Fixture.ledger(Fixture.path3, records: 0, status: .failed, reason: "truncated gzip", newest: nil)
        try store.commit(FileCommit(ledger: entry))
        #expect(try store.ledgerEntry(path: Fixture.path3) == entry)
        entry.status = .done
        entry.reason = nil
        entry.records = 3
        entry.newestEventTime = Fixture.time("2024-05-06T02:00:00Z")
        try store.commit(FileCommit(ledger: entry))
        #expect(try store.ledgerEntry(path: Fixture.path3) == entry)
        #expect(try count(store, "files") == 1)
        #expect(entry.accountAndRegion?.account == Fixture.a2)
        #expect(entry.accountAndRegion?.region == "eu-west-1")
        #expect(Fixture.ledger("x/y.json", records: 0).accountAndRegion == nil)
    }

    /// ASCII paths are split byte by byte, others by `Character`: both give the layout's account
    /// and region, and a path off the layout gives none.
    @Test(arguments: [
        ("b/AWSLogs/111111111111/CloudTrail/us-east-1/2024/05/03/a.json.gz", "111111111111 us-east-1"),
        ("AWSLogs/o-abc123/222222222222/CloudTrail/eu-west-1/x.json.gz", "222222222222 eu-west-1"),
        ("//AWSLogs//111111111111//CloudTrail//eu-west-2//x.json.gz", "111111111111 eu-west-2"),
        ("AWSLogs/x/AWSLogs/333333333333/CloudTrail/ap-south-1/f", "333333333333 ap-south-1"),
        ("AWSLogs/o-org/CloudTrail/us-east-1/f", "-"),
        ("AWSLogs/111111111111/CloudTrail/us-east-1", "111111111111 us-east-1"),
        ("AWSLogs/111111111111/CloudTrail", "-"),
        ("AWSLogs/111111111111/Digest/us-east-1/f", "-"),
        ("a/AWSLogs/111111111111/CloudTrail/us-east-1/día/f.json.gz", "111111111111 us-east-1"),
        ("a/AWSLogs/1111é/CloudTrail/us-west-2/f.json.gz", "1111é us-west-2"),
        // A combining mark after `/` makes one Character with it, which then separates nothing.
        ("a/AWSLogs/\u{301}111111111111/CloudTrail/us-east-1/f.json.gz", "-"),
    ]) func ledgerPathsGiveTheirLayoutsAccountAndRegion(path: String, expected: String) {
        let place = Fixture.ledger(path, records: 0).accountAndRegion
        #expect(place.map { "\($0.account) \($0.region)" } ?? "-" == expected)
    }

    @Test(arguments: StoreKind.allCases) func suppressedRepeatsAddToTheStoredCount(kind: StoreKind) throws {
        let store = try Fixture.populate(try makeStore(kind))
        #expect(try scalar(store, "SELECT count FROM alerts WHERE id = 'alert-unu-e08'") == 3)
    }

    @Test func aSecondWriterIsRefusedWithThePID() throws {
        let path = try Fixture.temporaryDirectory() + "/t.db"
        let first = try Store.open(path: path)
        try first.lockForWriting()
        try first.lockForWriting()  // idempotent for the holder
        let second = try Store.open(path: path)
        do {
            try second.lockForWriting()
            Issue.record("second writer should be refused")
        } catch {
            #expect(error.kind == .locked)
            #expect(error.description == "\(path): lock: the database is in use by another trailwatch process (pid \(getpid()))")
        }
        // Readers never need the lock.
        _ = try Store.open(path: path, readOnly: true)
    }

    @Test func anotherProcessCannotTakeTheLock() throws {
        let path = try Fixture.temporaryDirectory() + "/t.db"
        let store = try Store.open(path: path)
        try store.lockForWriting()
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        probe.arguments = ["--nonblock", path + ".lock", "true"]
        try probe.run()
        probe.waitUntilExit()
        #expect(probe.terminationStatus != 0)
    }

    @Test func theLockIsFreedWithItsStore() throws {
        let path = try Fixture.temporaryDirectory() + "/t.db"
        do {
            let store = try Store.open(path: path)
            try store.lockForWriting()
        }
        let next = try Store.open(path: path)
        try next.lockForWriting()
    }
}

@Suite struct StoreEdgeTests {
    @Test func aRecordRepeatedInsideOneFileIsStoredOnce() throws {
        let store = try Store.inMemory()
        let e = Fixture.file1Events[4]
        try store.commit(FileCommit(ledger: Fixture.ledger("a", records: 3), events: [e, e, e]))
        #expect(try count(store, "events") == 1)
        #expect(try count(store, "access") == 2)
        #expect(try store.queue.read { db in try Int.fetchOne(db, sql: "SELECT sum(count) FROM usage") } == 2)
    }

    @Test func aPartialReferenceLaterLearnedStaysOneSecret() throws {
        let store = try Store.inMemory()
        try store.commit(FileCommit(ledger: Fixture.ledger("a", records: 1), events: [Fixture.file1Events[1]]))
        #expect(try store.knownSecrets(after: 0).secrets.isEmpty)
        try store.commit(FileCommit(ledger: Fixture.ledger("b", records: 0), learnedSecrets: [Fixture.s1Full]))
        #expect(try store.knownSecrets(after: 0).secrets == [Fixture.s1Full])
        let q = QueryService(store: store, now: Fixture.now)
        let story = try q.secretStory(QueryScope(), secret: "prod/db/password")
        #expect(story?.arns == [Fixture.s1Full.id, Fixture.s1Partial.id])
        #expect(story?.callerCount == 1)
    }

    @Test func anEmptyStoreAnswersEveryQuery() throws {
        let q = QueryService(store: try Store.inMemory(), now: Fixture.now)
        #expect(try q.access(QueryScope(), AccessFilter()).rows.isEmpty)
        #expect(try q.pendingDeletions(QueryScope()).rows.isEmpty)
        #expect(try q.unused(QueryScope(), days: 30).rows.isEmpty)
        #expect(try q.alerts(QueryScope()).jsonLines.isEmpty)
        let status = try q.status()
        #expect(status.filesDone == 0 && status.places.rows.isEmpty)
    }
}

@Suite struct TimeRangedPlanTests {
    /// `secrets --principal P --since` follows either the principal's events or its secrets'
    /// histories, whichever reads less; both must give the same rows.
    @Test func bothPlansAgree() throws {
        let store = try Fixture.populated()
        let q = QueryService(store: store, now: Fixture.now)
        let scope = QueryScope(since: Fixture.time("2024-05-02T00:00:00Z"))
        let before = try q.secrets(scope, principal: "alice")
        // Many reads of alice's secrets by someone else make the events plan the cheaper one.
        let extra = (0..<40).map { i in
            Fixture.event("x\(i)", "2024-04-01T00:00:00Z", "GetSecretValue", Fixture.payments1, [Fixture.s2, Fixture.s1Full])
        }
        try store.commit(FileCommit(ledger: Fixture.ledger("extra", records: 40), events: extra))
        let aliceID = try store.queue.read { db in try Int64.fetchOne(db, sql: "SELECT id FROM principals WHERE name = 'alice'") }
        let plan = try store.read("t") { db in try QueryService.secretsToScan(db, principal: aliceID ?? 0) }
        #expect(plan == nil)
        let after = try q.secrets(scope, principal: "alice")
        #expect(after == before)
        #expect(after.rows.map { $0[5] } == [.integer(2), .integer(1)])
    }
}

@Suite struct BatchCommitTests {
    @Test func severalFilesInOneTransactionEqualOneByOne() throws {
        let one = try Fixture.populated()
        let batch = try Store.inMemory()
        let commits = [
            FileCommit(ledger: Fixture.ledger(Fixture.path1, records: 5), events: Fixture.file1Events, learnedSecrets: [Fixture.s1Full]),
            FileCommit(ledger: Fixture.ledger(Fixture.path2, records: 4), events: Fixture.file2Events,
                       alerts: [Fixture.alert("a1", rule: "r", severity: .high, event: Fixture.file2Events[2], summary: "s")]),
        ]
        #expect(try batch.commit(commits) == [[], ["a1"]])
        #expect(try batch.commit(commits) == [[], []])
        #expect(try count(batch, "events") == 8)
        #expect(try count(batch, "files") == 2)
        let q1 = QueryService(store: one, now: Fixture.now), q2 = QueryService(store: batch, now: Fixture.now)
        #expect(try q2.callers(QueryScope(), secret: "prod/db/password") == q1.callers(QueryScope(), secret: "prod/db/password"))
    }

    /// Every table, row by row, as text.
    static func dump(_ store: Store) throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for table in ["principals", "secrets", "events", "access", "usage", "regions", "secret_keys", "alerts", "files", "detector_state"] {
            out[table] = try store.queue.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY 1, 2, 3").map { "\($0)" }
            }
        }
        return out
    }

    @Test func batchedSeenRangesTotalsAndIDsEqualOneByOne() throws {
        // The principal first appears without an account, later files extend its range both ways
        // and name its account; a secret first known by partial ARN is later learned as full.
        let anonymous = Principal(type: "AssumedRole", id: Fixture.payments1.id, session: "x", accountId: nil)
        let partialAsFull = SecretRef(id: Fixture.s1Partial.id, name: Fixture.s1Partial.name, account: Fixture.a1,
                                      region: "us-east-1", isFullARN: true)
        let commits = [
            FileCommit(ledger: Fixture.ledger("f1", records: 1), events: [
                Fixture.event("b1", "2024-05-02T10:00:00Z", "GetSecretValue", anonymous, [Fixture.s1Partial]),
            ]),
            FileCommit(ledger: Fixture.ledger("f2", records: 3), events: [
                Fixture.event("b2", "2024-05-01T10:00:00Z", "GetSecretValue", Fixture.payments1, [Fixture.s1Partial, Fixture.s2]),
                Fixture.event("b3", "2024-05-03T10:00:00Z", "GetSecretValue", Fixture.payments1, [Fixture.s2], error: "AccessDeniedException"),
                Fixture.event("b4", "2024-05-03T11:00:00Z", "DescribeSecret", Fixture.alice, [Fixture.s3], account: Fixture.a2, region: "eu-west-1"),
            ]),
            FileCommit(ledger: Fixture.ledger("f3", records: 0), learnedSecrets: [partialAsFull, Fixture.s1Full]),
            FileCommit(ledger: Fixture.ledger("f4", records: 2), events: [
                Fixture.event("b5", "2024-04-30T10:00:00Z", "GetSecretValue", Fixture.payments1, [Fixture.s2]),
                Fixture.event("b6", "2024-05-04T10:00:00Z", "GetSecretValue", Fixture.payments1, [Fixture.s1Full]),
            ]),
        ]
        let one = try Store.inMemory()
        for c in commits { try one.commit(c) }
        let batch = try Store.inMemory()
        _ = try batch.commit(commits)
        let expected = try Self.dump(one)
        let got = try Self.dump(batch)
        for table in expected.keys.sorted() { #expect(got[table] == expected[table], "\(table)") }
        #expect(expected["usage"]?.count == 4)
    }

    /// The insert path keeps the last account and region, event name and a few encoded details
    /// instead of looking each up per event: runs that switch back and forth, more distinct
    /// details than it keeps, and a (secret, key) pair named again by a later file of the same
    /// transaction must give the rows each event alone would.
    @Test func alternatingPlacesNamesAndDetailsAreEachStoredAsTheirEvent() throws {
        func keys(_ n: Int) -> EventDetails { EventDetails(kmsKeys: ["arn:aws:kms:us-east-1:111111111111:key/k-\(n)"]) }
        let details = [keys(1), keys(2), EventDetails(recoveryWindowInDays: 7), keys(3), keys(4), keys(5), keys(1), EventDetails(), keys(2)]
        let names = ["GetSecretValue", "DeleteSecret", "GetSecretValue", "GetSecretValue", "PutResourcePolicy", "DescribeSecret",
                     "DeleteSecret", "GetSecretValue", "GetSecretValue"]
        let places = [(Fixture.a1, "us-east-1"), (Fixture.a2, "eu-west-1"), (Fixture.a1, "us-east-1"), (Fixture.a1, "eu-west-1"),
                      (Fixture.a1, "eu-west-1"), (Fixture.a2, "eu-west-1"), (Fixture.a1, "us-east-1"), (Fixture.a1, "us-east-1"),
                      (Fixture.a2, "eu-west-1")]
        let events = (0..<9).map { i in
            Fixture.event("x\(i)", "2024-05-0\(i + 1)T10:00:00Z", names[i], i % 2 == 0 ? Fixture.payments1 : Fixture.alice,
                          [i % 3 == 0 ? Fixture.s2 : Fixture.s1Full], account: places[i].0, region: places[i].1, details: details[i])
        }
        // The first file names (s2, k-1) at 05-01; the second names it again, earlier, at 04-30.
        let again = Fixture.event("y", "2024-04-30T10:00:00Z", "GetSecretValue", Fixture.payments1, [Fixture.s2], details: keys(1))
        let store = try Store.inMemory()
        _ = try store.commit([FileCommit(ledger: Fixture.ledger("f1", records: 9), events: events),
                              FileCommit(ledger: Fixture.ledger("f2", records: 1), events: [again])])

        let stored = try store.queue.read { db in
            try Row.fetchAll(db, sql: "SELECT event_id, account, region, details FROM events ORDER BY event_id")
                .map { "\($0["event_id"] as String) \($0["account"] as String) \($0["region"] as String) \(($0["details"] as String?) ?? "-")" }
        }
        let expected = (events + [again]).sorted { $0.eventID < $1.eventID }
            .map { "\($0.eventID) \($0.account) \($0.region) \(EventDetailsJSON.encode($0.details) ?? "-")" }
        #expect(stored == expected)

        let notable = try store.queue.read { db in
            try Row.fetchAll(db, sql: "SELECT e.event_id, a.notable FROM access a JOIN events e ON e.id = a.event ORDER BY e.event_id")
                .map { "\($0[0] as String) \($0[1] as Int)" }
        }
        #expect(notable == (events + [again]).sorted { $0.eventID < $1.eventID }
            .map { "\($0.eventID) \(StoreSchema.readNames.contains($0.eventName) ? 0 : 1)" })

        let regions = try store.queue.read { db in
            try Row.fetchAll(db, sql: "SELECT account, region, events, oldest, newest FROM regions ORDER BY account, region").map { "\($0)" }
        }
        func ms(_ day: Int) -> Int64 { Fixture.time("2024-0\(day < 1 ? "4-30" : "5-0\(day)")T10:00:00Z").milliseconds }
        #expect(regions == [
            "[account:\"\(Fixture.a1)\" region:\"eu-west-1\" events:2 oldest:\(ms(4)) newest:\(ms(5))]",
            "[account:\"\(Fixture.a1)\" region:\"us-east-1\" events:5 oldest:\(ms(0)) newest:\(ms(8))]",
            "[account:\"\(Fixture.a2)\" region:\"eu-west-1\" events:3 oldest:\(ms(2)) newest:\(ms(9))]",
        ])

        let s2k1 = try scalar(store, """
            SELECT k.first_seen FROM secret_keys k JOIN secrets s ON s.id = k.secret WHERE s.arn = ? AND k.key = ?
            """, [.text(Fixture.s2.id), .text("arn:aws:kms:us-east-1:111111111111:key/k-1")])
        #expect(s2k1 == ms(1))
    }

    @Test func ledgerLookupsOnADiskStoreSeeEachCommit() throws {
        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try Store.open(path: dir + "/t.db")
        #expect(try store.ledgerEntry(path: "a") == nil)
        try store.commit(FileCommit(ledger: Fixture.ledger("a", records: 3)))
        #expect(try store.ledgerEntry(path: "a")?.records == 3)
        _ = try store.commit([FileCommit(ledger: Fixture.ledger("a", records: 4)), FileCommit(ledger: Fixture.ledger("b", records: 1))])
        #expect(try store.ledgerEntry(path: "a")?.records == 4)
        #expect(try store.ledgerEntry(path: "b")?.records == 1)
        #expect(try store.existingEventIDs((0..<300).map { "x\($0)" } + ["e01"]).isEmpty)
    }

    @Test func aFailingFileUndoesTheWholeBatch() throws {
        let store = try Store.inMemory()
        try store.queue.write { db in
            try db.execute(sql: "CREATE TRIGGER refuse BEFORE INSERT ON files WHEN NEW.path = 'bad' BEGIN SELECT RAISE(ABORT, 'no'); END")
        }
        let commits = [
            FileCommit(ledger: Fixture.ledger("good", records: 5), events: Fixture.file1Events),
            FileCommit(ledger: Fixture.ledger("bad", records: 0)),
        ]
        #expect(throws: StoreError.self) { try store.commit(commits) }
        #expect(try count(store, "events") == 0)
        #expect(try count(store, "files") == 0)
    }
}

@Suite struct MigrationTests {
    /// A store made before v2 keeps its rows and answers queries after the upgrade.
    @Test func v1StoreUpgradesInPlace() throws {
        let path = try Fixture.temporaryDirectory() + "/old.db"
        // SQLite is configured as a store configures it before this test starts it (a test running
        // at the same time checks that configuration).
        _ = SQLiteBackend.libraryConfigured
        do {
            let queue = try DatabaseQueue(path: path)
            try StoreSchema.migrator.migrate(queue, upTo: "v1-access-history")
            try queue.write { db in
                try db.execute(sql: """
                    INSERT INTO principals (id, arn, type, display, name, account, first_seen, last_seen)
                        VALUES (1, 'arn:aws:iam::1:role/app', 'AssumedRole', 'role/app', 'app', '1', 10, 10);
                    INSERT INTO secrets (id, arn, name, account, region, is_full, first_seen, last_seen)
                        VALUES (1, 'arn:aws:secretsmanager:us-east-1:1:secret:db-AbCdEf', 'db', '1', 'us-east-1', 1, 10, 10);
                    INSERT INTO events (id, event_id, time, source, name, type, account, region, principal)
                        VALUES (1, 'e1', 10, 'secretsmanager.amazonaws.com', 'GetSecretValue', 'AwsApiCall', '1', 'us-east-1', 1);
                    INSERT INTO access (event, secret, time, principal, name, failed, notable) VALUES (1, 1, 10, 1, 'GetSecretValue', 0, 0);
                    INSERT INTO usage (secret, principal, name, first_seen, last_seen, last_ok, count, errors)
                        VALUES (1, 1, 'GetSecretValue', 10, 10, 10, 1, 0);
                    CREATE INDEX events_name_time ON events(name, time);  -- as a development v1 had
                    """)
            }
        }
        let store = try Store.open(path: path)
        #expect(try store.queue.read { db in try StoreSchema.migrator.appliedMigrations(db) } == ["v1-access-history", "v2-access-by-secret", "v3-alert-emission", "v4-verified-digests", "v5-alert-outbox", "v6-file-claims", "v7-detector-state-by-rowid", "v8-deliveries-by-due-time"])
        let q = QueryService(store: store, now: Fixture.now)
        #expect(try q.access(QueryScope(), AccessFilter(secret: "db")).rows.count == 1)
        #expect(try q.callers(QueryScope(since: EventTime(milliseconds: 0)), secret: "db").rows.count == 1)
        let indexes = try store.queue.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'access' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        }
        #expect(indexes == ["access_event", "access_failed", "access_notable_name", "access_notable_secret"])
    }
}
