import Foundation
import GRDB
import Testing
import TrailModel
@testable import TrailStore

/// A first load into an empty SQLite store goes without the unique index of event ids and checks
/// ids in memory instead; every other writer has the index before its first commit.
@Suite struct EventIDIndexDeferralTests {
    static let eventIDIndex = DeferredIndexes.eventIDs.name

    static func backend(_ store: Store) -> SQLiteBackend {
        store.backend as! SQLiteBackend
    }

    static func hasEventIDIndex(_ store: Store) throws -> Bool {
        !(try store.missingDeferredIndexes()).contains(eventIDIndex)
    }

    static func events(_ ids: [String], hour: Int = 10) -> [AuditEvent] {
        ids.enumerated().map { i, id in
            Fixture.event(id, "2024-05-01T\(hour):00:\(10 + i)Z", "GetSecretValue", Fixture.payments1, [Fixture.s2])
        }
    }

    static func commit(_ store: Store, _ path: String, _ ids: [String]) throws {
        try store.commit(FileCommit(ledger: Fixture.ledger(path, records: ids.count), events: events(ids)))
    }

    static func storedIDs(_ store: Store) throws -> [String] {
        try store.queue.read { db in try String.fetchAll(db, sql: "SELECT event_id FROM events ORDER BY event_id") }
    }

    @Test func aFirstLoadStoresEachIDOnceWithoutTheIndexAndBuildsItAtTheEnd() throws {
        let store = try Store.open(path: try Fixture.temporaryDirectory() + "/first.db")
        try store.lockForWriting()
        #expect(try Self.hasEventIDIndex(store))
        #expect(try store.deferIndexesForFirstLoad())
        #expect(try !Self.hasEventIDIndex(store))
        #expect(Self.backend(store).committedEventIDs.isExact)

        try Self.commit(store, "a", ["e1", "e2", "e2"])          // a repeat within the file
        try Self.commit(store, "b", ["e2", "e3"])                // a repeat of a stored id
        // Two files of one group repeating each other's id.
        try store.commit([FileCommit(ledger: Fixture.ledger("c", records: 1), events: Self.events(["e4"])),
                          FileCommit(ledger: Fixture.ledger("d", records: 2), events: Self.events(["e4", "e5"], hour: 11))])
        #expect(try Self.storedIDs(store) == ["e1", "e2", "e3", "e4", "e5"])
        #expect(try count(store, "access") == 5)
        #expect(try scalar(store, "SELECT sum(count) FROM usage") == 5)
        // Answered from memory, exactly.
        #expect(try store.existingEventIDs(["e1", "e5", "e6", "E1"]) == ["e1", "e5"])

        let built = try store.buildDeferredIndexes()
        #expect(built.contains(Self.eventIDIndex))
        #expect(!Self.backend(store).committedEventIDs.isExact)
        #expect(try store.existingEventIDs(["e1", "e5", "e6"]) == ["e1", "e5"])
        try Self.commit(store, "e", ["e5", "e6"])
        #expect(try Self.storedIDs(store) == ["e1", "e2", "e3", "e4", "e5", "e6"])
    }

    @Test func theCommitThatWouldPassTheLimitBuildsTheIndex() throws {
        let store = try Store.open(path: try Fixture.temporaryDirectory() + "/limit.db")
        try store.lockForWriting()
        #expect(try Self.backend(store).deferIndexesForFirstLoad(exactEventIDLimit: 3))
        try Self.commit(store, "a", ["e1", "e2"])
        #expect(try !Self.hasEventIDIndex(store))
        #expect(Self.backend(store).committedEventIDs.isExact)
        try Self.commit(store, "b", ["e2", "e3", "e4"])
        #expect(try Self.hasEventIDIndex(store))
        #expect(!Self.backend(store).committedEventIDs.isExact)
        // The other deferred indexes stay deferred.
        #expect(try store.missingDeferredIndexes() == DeferredIndexes.names.subtracting([Self.eventIDIndex]))
        try Self.commit(store, "c", ["e4", "e1", "e5"])
        #expect(try Self.storedIDs(store) == ["e1", "e2", "e3", "e4", "e5"])
        #expect(try store.existingEventIDs(["e3", "e9"]) == ["e3"])
    }

    /// A first load killed without its indexes: the next writer builds the event ids' index
    /// before anything else, whether it takes the writer lock or defers indexes first.
    @Test(arguments: [true, false]) func aStoreLeftWithoutTheIndexGetsItBeforeTheNextCommit(lock: Bool) throws {
        let path = try Fixture.temporaryDirectory() + "/killed.db"
        do {
            let first = try Store.open(path: path)
            try first.lockForWriting()
            #expect(try first.deferIndexesForFirstLoad())
            try Self.commit(first, "a", ["e1", "e2"])
        }
        let next = try Store.open(path: path)
        #expect(try !Self.hasEventIDIndex(next))
        if lock { try next.lockForWriting() }
        #expect(try next.deferIndexesForFirstLoad())   // the secondary indexes are still missing
        #expect(try Self.hasEventIDIndex(next))
        #expect(!Self.backend(next).committedEventIDs.isExact)
        try Self.commit(next, "b", ["e2", "e3"])
        #expect(try Self.storedIDs(next) == ["e1", "e2", "e3"])
        #expect(try next.buildDeferredIndexes().count == DeferredIndexes.statements.count - 1)
    }

    /// A store made before v8 keeps its rows and row ids; its indexes of `events` are those it
    /// had (one missing, as an interrupted first load leaves them), and event ids stay unique.
    @Test func aV7StoreMovesTheConstraintToANamedIndex() throws {
        let path = try Fixture.temporaryDirectory() + "/v7.db"
        do {
            let queue = try DatabaseQueue(path: path)
            try StoreSchema.migrator.migrate(queue, upTo: "v7-detector-state-by-rowid")
            try queue.write { db in
                try db.execute(sql: """
                    INSERT INTO principals (id, arn, type, display, name, account, first_seen, last_seen)
                        VALUES (1, 'arn:aws:iam::1:role/app', 'AssumedRole', 'role/app', 'app', '1', 10, 10);
                    INSERT INTO secrets (id, arn, name, account, region, is_full, first_seen, last_seen)
                        VALUES (1, 'arn:aws:secretsmanager:us-east-1:1:secret:db-AbCdEf', 'db', '1', 'us-east-1', 1, 10, 10);
                    INSERT INTO events (id, event_id, time, source, name, type, account, region, principal, details)
                        VALUES (7, 'e7', 10, 'secretsmanager.amazonaws.com', 'GetSecretValue', 'AwsApiCall', '1', 'us-east-1', 1, '{}');
                    INSERT INTO access (secret, time, event, principal, name, failed, notable) VALUES (1, 10, 7, 1, 'GetSecretValue', 0, 0);
                    DROP INDEX events_time;
                    """)
            }
        }
        let store = try Store.open(path: path)
        let indexes = try store.queue.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' ORDER BY name")
        }
        #expect(indexes == ["events_event_id", "events_failed_time", "events_name_time", "events_principal_time"])
        #expect(try store.missingDeferredIndexes() == ["events_time"])
        let row = try store.queue.read { db in try Row.fetchOne(db, sql: "SELECT id, event_id, details FROM events") }
        let id: Int64? = row?["id"]
        let eventID: String? = row?["event_id"]
        let details: String? = row?["details"]
        #expect(id == 7)
        #expect(eventID == "e7")
        #expect(details == "{}")
        let violations = try store.queue.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }
        #expect(violations.isEmpty)
        #expect(throws: (any Error).self) {
            try store.queue.write { db in
                try db.execute(sql: "INSERT INTO events (event_id, time, source, name, type, account, region, principal) VALUES ('e7', 11, 's', 'n', 't', '1', 'r', 1)")
            }
        }
        try store.lockForWriting()
        try Self.commit(store, "a", ["e7", "e8"])
        #expect(try Self.storedIDs(store) == ["e7", "e8"])
    }
}
