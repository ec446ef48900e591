import Dispatch
import Foundation
import Synchronization
import Testing
import TrailModel
import TrailPostgres
@testable import TrailStore
import TrailTestSupport

/// A first load into an empty PostgreSQL store drops the secondary indexes of `events` and
/// `access` and builds them once at the end (as the SQLite store does); what the build creates is
/// what the migrations create, on every partition, whoever builds it and however many workers
/// defer and build at once.
@Suite struct PostgresDeferredIndexTests {
    static let deferred: Set<String> = [
        "events_time", "events_principal_time", "events_name_time", "events_failed_time",
        "access_event", "access_principal_time", "access_notable_secret", "access_notable_name", "access_failed",
    ]

    /// `table|index|definition` of every index of the database's schema (partitions included), sorted.
    static func indexes(_ url: String) throws -> [String] {
        let session = PostgresSession(location: try PostgresLocation(parsing: url, environment: [:]))
        defer { session.close() }
        return try session.query("""
            SELECT tablename || '|' || indexname || '|' || indexdef FROM pg_indexes
            WHERE schemaname = current_schema() ORDER BY tablename, indexname
            """).rows.map { row in
            guard case .text(let line)? = row.first else { return "?" }
            return line
        }
    }

    /// Index names on the partitioned tables and on their partitions.
    static func historyIndexNames(_ url: String) throws -> Set<String> {
        Set(try indexes(url).compactMap { line -> String? in
            let parts = line.split(separator: "|", maxSplits: 2).map(String.init)
            guard parts.count == 3, parts[0].hasPrefix("events") || parts[0].hasPrefix("access") else { return nil }
            return parts[1]
        })
    }

    /// Events in a month the fixture has no partition for yet (the load creates it while deferring).
    static let julyFile = FileCommit(
        ledger: Fixture.ledger("logs/july.json", records: 2),
        events: [
            Fixture.event("j1", "2024-07-01T10:00:00Z", "GetSecretValue", Fixture.alice, [Fixture.s2], error: "AccessDeniedException"),
            Fixture.event("j2", "2024-07-02T10:00:00Z", "DeleteSecret", Fixture.payments1, [Fixture.s2]),
        ])

    static func load(_ store: Store) throws {
        try Fixture.populate(store)
        try store.commit(julyFile)
    }

    @Test func theDeferredSetIsEverySecondaryIndexOfTheHistoryAndTheBuildRecreatesTheMigrationsOwn() throws {
        let cluster = try PostgresTestCluster.shared()
        // Reference: the same load with the indexes maintained row by row.
        let reference = try cluster.makeDatabase(prefix: "defer-ref")
        try Self.load(try PostgresStore.open(url: reference.url))
        let fresh = try cluster.makeDatabase(prefix: "defer-fresh")
        let store = try PostgresStore.open(url: fresh.url)  // migrates
        let migrated = try Self.indexes(fresh.url)
        // Everything on `events` and `access` but their primary keys.
        let parents = Set(migrated.compactMap { line -> String? in
            let parts = line.split(separator: "|").map(String.init)
            return ["events", "access"].contains(parts[0]) ? parts[1] : nil
        })
        #expect(parents.subtracting(["events_pkey", "access_pkey"]) == Self.deferred)

        #expect(try store.deferIndexesForFirstLoad())
        #expect(try store.missingDeferredIndexes() == Self.deferred)
        try Self.load(store)
        // Neither the tables nor their partitions (old and created during the load) have them.
        let during = try Self.historyIndexNames(fresh.url)
        #expect(!during.isEmpty)
        #expect(during.allSatisfy { $0.hasSuffix("_pkey") }, "\(during.sorted())")
        // Deferring again (a second worker, or the next backfill after a kill) changes nothing.
        #expect(try store.deferIndexesForFirstLoad())

        let built = try store.buildDeferredIndexes()
        #expect(Set(built) == Self.deferred && built.count == Self.deferred.count)
        #expect(try store.missingDeferredIndexes().isEmpty)
        #expect(try store.buildDeferredIndexes().isEmpty)
        // Same definitions, names and partitions as the store that kept them all along.
        #expect(try Self.indexes(fresh.url) == Self.indexes(reference.url))
        // And as a freshly migrated store, for the tables that existed then.
        let now = Set(try Self.indexes(fresh.url))
        #expect(Set(migrated).isSubset(of: now), "\(Set(migrated).subtracting(now).sorted())")
    }

    /// Loading without the indexes, a writer skips the periodic ANALYZE (nothing of the load
    /// reads the history); the end of the load analyses it once, after the build.
    @Test func aDeferredLoadAnalysesTheHistoryAtItsEndOnly() throws {
        let database = try PostgresTestCluster.shared().makeDatabase(prefix: "defer-analyze")
        // The threshold made small: 5 events (100,000 by default).
        let store = try PostgresStore.open(url: database.url, environment: ["TRAILWATCH_ANALYZE_EVENTS": "5"])
        let session = PostgresSession(location: try PostgresLocation(parsing: database.url, environment: [:]))
        defer { session.close() }
        func analysedRows() throws -> PostgresCellValue? {
            try session.query("SELECT reltuples::bigint FROM pg_class WHERE relname = 'events'").rows.first?.first
        }
        #expect(try store.deferIndexesForFirstLoad())
        try Self.load(store)  // 13 events
        #expect(try analysedRows() == .int(-1))
        _ = try store.buildDeferredIndexes()
        store.finishLoad()
        #expect(try analysedRows() == .int(13))
        // With the indexes built, the periodic refresh is back (the next at 26 events stored).
        for n in 0..<13 {
            try store.commit(FileCommit(ledger: Fixture.ledger("logs/more-\(n).json", records: 1),
                                        events: [Fixture.event("more-\(n)", "2024-07-03T10:00:00Z", "GetSecretValue", Fixture.alice, [Fixture.s2])]))
        }
        #expect(try analysedRows() == .int(26))
    }

    @Test func aStoreHoldingEventsOrLedgerRowsDoesNotDefer() throws {
        let cluster = try PostgresTestCluster.shared()
        let withEvents = try cluster.makeDatabase(prefix: "defer-events")
        let store = try PostgresStore.open(url: withEvents.url)
        try store.commit(Self.julyFile)
        #expect(try !store.deferIndexesForFirstLoad())
        #expect(try store.missingDeferredIndexes().isEmpty)

        // A ledger row alone (a file without events) counts too.
        let withLedger = try cluster.makeDatabase(prefix: "defer-ledger")
        let other = try PostgresStore.open(url: withLedger.url)
        try other.commit(FileCommit(ledger: Fixture.ledger("logs/empty.json", records: 0), events: []))
        #expect(try !other.deferIndexesForFirstLoad())
        #expect(try other.missingDeferredIndexes().isEmpty)
    }

    /// A load killed before its build leaves the store without the indexes; another process (the
    /// next backfill, or a tail at start) finds them missing, carries on deferring and builds them.
    @Test func aStoreLeftWithoutIndexesGetsThemFromTheNextWriter() throws {
        let cluster = try PostgresTestCluster.shared()
        let database = try cluster.makeDatabase(prefix: "defer-killed")
        do {
            let killed = try PostgresStore.open(url: database.url)
            #expect(try killed.deferIndexesForFirstLoad())
            try Fixture.populate(killed)
        }
        let next = try PostgresStore.open(url: database.url)
        #expect(try next.missingDeferredIndexes() == Self.deferred)
        let reader = try PostgresStore.open(url: database.url, readOnly: true)
        #expect(try reader.missingDeferredIndexes() == Self.deferred)
        #expect(try next.deferIndexesForFirstLoad())  // not empty, but an earlier first load stopped
        try next.commit(Self.julyFile)
        #expect(Set(try next.buildDeferredIndexes()) == Self.deferred)
        #expect(try reader.missingDeferredIndexes().isEmpty)

        let reference = try cluster.makeDatabase(prefix: "defer-killed-ref")
        try Self.load(try PostgresStore.open(url: reference.url))
        #expect(try Self.indexes(database.url) == Self.indexes(reference.url))
    }

    /// A worker whose load ends while another's goes on leaves the build to the other: a build
    /// in the middle of a load would make that worker maintain the indexes row by row for the
    /// rest of its load. The last loader to end builds them; a writer that is not loading (a
    /// tail at its start) waits for it too.
    @Test func theLastLoaderToEndBuildsTheIndexes() throws {
        let database = try PostgresTestCluster.shared().makeDatabase(prefix: "defer-last")
        let first = try PostgresStore.open(url: database.url)
        let second = try PostgresStore.open(url: database.url)
        #expect(try first.deferIndexesForFirstLoad())
        #expect(try second.deferIndexesForFirstLoad())
        try Fixture.populate(first)
        #expect(try first.buildDeferredIndexes() == [], "built while the second worker still loads")
        let tail = try PostgresStore.open(url: database.url)
        #expect(try tail.buildDeferredIndexes() == [], "a writer that is not loading built during a load")
        try second.commit(Self.julyFile)
        #expect(try second.missingDeferredIndexes() == Self.deferred)
        #expect(Set(try second.buildDeferredIndexes()) == Self.deferred)
        #expect(try first.missingDeferredIndexes().isEmpty)
        // Nobody loads now: any writer may build (nothing is missing).
        #expect(try tail.buildDeferredIndexes() == [])
    }

    /// Workers starting together on one empty store: both defer, load and build at the same
    /// moments (on two threads); the write lock orders them, and the store ends with every index
    /// and every row once.
    @Test func twoWorkersDeferringAndBuildingTogether() throws {
        let cluster = try PostgresTestCluster.shared()
        let database = try cluster.makeDatabase(prefix: "defer-two")
        let stores = [try PostgresStore.open(url: database.url), try PostgresStore.open(url: database.url)]
        for round in 0..<3 {
            let failures = Failures()
            DispatchQueue.concurrentPerform(iterations: 2) { i in
                do {
                    if round == 0 { _ = try stores[i].deferIndexesForFirstLoad() }
                    // Overlapping loads: both commit the fixture files (stored once) and their own month.
                    try Fixture.populate(stores[i])
                    try stores[i].commit(FileCommit(
                        ledger: Fixture.ledger("logs/w\(i)-\(round).json", records: 1),
                        events: [Fixture.event("w\(i)-\(round)", "2024-0\(7 + i)-01T10:00:00Z", "GetSecretValue", Fixture.alice, [Fixture.s2])]))
                    _ = try stores[i].buildDeferredIndexes()
                } catch {
                    failures.add("worker \(i), round \(round): \(error)")
                }
            }
            #expect(failures.all.isEmpty, "\(failures.all)")
            #expect(try stores[0].missingDeferredIndexes().isEmpty)
        }
        let session = PostgresSession(location: try PostgresLocation(parsing: database.url, environment: [:]))
        defer { session.close() }
        #expect(try session.query("SELECT count(*), count(DISTINCT event_id) FROM events").rows.first == [.int(17), .int(17)])
        // Every partition has every index: the two workers' months too.
        let names = try Self.historyIndexNames(database.url)
        for month in ["y2024m05", "y2024m07", "y2024m08"] {
            #expect(names.contains("events_\(month)_name_time_idx") && names.contains("access_\(month)_event_secret_idx"), "\(names.sorted())")
        }
    }

    /// A reader's transaction holds `access` and then asks for `events` while the drop holds
    /// `events` and waits for `access`: PostgreSQL rolls the drop back (40P01, the first to wait
    /// is the first to look for a deadlock), and the drop runs again once the reader has gone.
    @Test func aDropRolledBackForADeadlockWithAReaderRunsAgain() throws {
        let database = try PostgresTestCluster.shared().makeDatabase(prefix: "defer-deadlock")
        let store = try PostgresStore.open(url: database.url)
        let location = try PostgresLocation(parsing: database.url, environment: [:])
        let reader = PostgresSession(location: location), observer = PostgresSession(location: location)
        defer { reader.close(); observer.close() }
        _ = try reader.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        _ = try reader.query("SELECT count(*) FROM access")

        let outcome = Mutex<String?>(nil)
        let finished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            do {
                let deferred = try store.deferIndexesForFirstLoad()
                outcome.locked { $0 = "deferred \(deferred)" }
            } catch {
                outcome.locked { $0 = "\(error)" }
            }
            finished.signal()
        }
        // Wait (polling the server, nothing timed decides) until the drop waits for the reader's lock.
        var waiting = false
        for _ in 0..<3_000 where !waiting {
            waiting = try observer.query("""
                SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'relation'
                AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                """).rows.first?.first != .int(0)
            if !waiting { usleep(10_000) }
        }
        #expect(waiting, "the drop never waited for the reader")
        var readerError: String?
        do {
            _ = try reader.query("SELECT count(*) FROM events")
            _ = try reader.query("COMMIT")
        } catch {
            readerError = "\(error)"
            _ = try? reader.query("ROLLBACK")
        }
        finished.wait()
        #expect(outcome.locked { $0 } == "deferred true")
        #expect(readerError == nil, "the reader was rolled back instead of the drop: the retry was not exercised (\(readerError ?? ""))")
        #expect(try store.missingDeferredIndexes() == Self.deferred)
    }
}

/// Errors collected from concurrent workers.
private final class Failures: Sendable {
    private let list = Mutex<[String]>([])
    func add(_ text: String) { list.locked { $0.append(text) } }
    var all: [String] { list.locked { $0 } }
}
