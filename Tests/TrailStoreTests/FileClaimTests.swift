import Foundation
import GRDB
import Testing
import TrailModel
@testable import TrailStore

/// File claims with leases and the fencing check at commit, on SQLite, with the time given.
@Suite struct FileClaimTests {
    static let t0 = EventTime(milliseconds: 1_700_000_000_000)
    static let ttl = EventTime.Duration.seconds(60)
    static let file = Fixture.path1

    static func at(_ seconds: Int64) -> EventTime { t0.adding(.seconds(seconds)) }

    func claims(_ store: Store) throws -> [String: String] {
        try store.read("test") { db in
            var out: [String: String] = [:]
            var s = try db.statement("SELECT path, worker FROM claims")
            while try s.step() { out[s.string(0)] = s.string(1) }
            s.reset()
            return out
        }
    }

    @Test(arguments: StoreKind.allCases) func aLiveClaimIsRefusedToOthersAndRenewedForItsWorker(kind: StoreKind) throws {
        let store = try makeStore(kind)
        #expect(try store.claimFile(Self.file, worker: "a", now: Self.t0, ttl: Self.ttl) == .granted)
        #expect(try store.claimFile(Self.file, worker: "b", now: Self.at(59), ttl: Self.ttl) == .held(by: "a", until: Self.at(60)))
        // At the expiry instant the claim is still live.
        #expect(try store.claimFile(Self.file, worker: "b", now: Self.at(60), ttl: Self.ttl) == .held(by: "a", until: Self.at(60)))
        // Claiming again renews the worker's own claim.
        #expect(try store.claimFile(Self.file, worker: "a", now: Self.at(30), ttl: Self.ttl) == .granted)
        #expect(try store.claimFile(Self.file, worker: "b", now: Self.at(80), ttl: Self.ttl) == .held(by: "a", until: Self.at(90)))
        #expect(try store.claimFile(Fixture.path2, worker: "b", now: Self.t0, ttl: Self.ttl) == .granted)
        #expect(try claims(store) == [Self.file: "a", Fixture.path2: "b"])
    }

    @Test func anExpiredClaimIsTakenOver() throws {
        let store = try Store.inMemory()
        #expect(try store.claimFile(Self.file, worker: "a", now: Self.t0, ttl: Self.ttl) == .granted)
        #expect(try store.claimFile(Self.file, worker: "b", now: Self.at(61), ttl: Self.ttl) == .granted)
        #expect(try store.claimFile(Self.file, worker: "a", now: Self.at(62), ttl: Self.ttl) == .held(by: "b", until: Self.at(121)))
        #expect(try claims(store) == [Self.file: "b"])
    }

    @Test func renewalExtendsTheLeaseAndNamesTheClaimsLost() throws {
        let store = try Store.inMemory()
        _ = try store.claimFile(Self.file, worker: "a", now: Self.t0, ttl: Self.ttl)
        _ = try store.claimFile(Fixture.path2, worker: "a", now: Self.t0, ttl: Self.ttl)
        #expect(try store.renewClaims(worker: "a", paths: [Self.file, Fixture.path2], now: Self.at(50), ttl: Self.ttl) == [])
        // Renewed to 110 s: still a's at 100 s.
        #expect(try store.claimFile(Self.file, worker: "b", now: Self.at(100), ttl: Self.ttl) == .held(by: "a", until: Self.at(110)))
        // path2 expires at 110 s and b takes it over at 111 s; a's next renewal says so.
        #expect(try store.claimFile(Fixture.path2, worker: "b", now: Self.at(111), ttl: Self.ttl) == .granted)
        #expect(try store.renewClaims(worker: "a", paths: [Self.file, Fixture.path2, Fixture.path3], now: Self.at(112), ttl: Self.ttl)
                == [Fixture.path2, Fixture.path3])
        #expect(try claims(store) == [Self.file: "a", Fixture.path2: "b"])
        // An expired claim nobody took over is still its worker's to renew.
        #expect(try store.renewClaims(worker: "a", paths: [Self.file], now: Self.at(500), ttl: Self.ttl) == [])
    }

    @Test func releaseDropsOnlyTheWorkersOwnClaims() throws {
        let store = try Store.inMemory()
        _ = try store.claimFile(Self.file, worker: "a", now: Self.t0, ttl: Self.ttl)
        _ = try store.claimFile(Fixture.path2, worker: "b", now: Self.t0, ttl: Self.ttl)
        try store.releaseClaims(worker: "a", paths: [Self.file, Fixture.path2])
        #expect(try claims(store) == [Fixture.path2: "b"])
        #expect(try store.claimFile(Self.file, worker: "c", now: Self.at(1), ttl: Self.ttl) == .granted)
    }

    @Test(arguments: StoreKind.allCases) func aCommitConsumesTheClaimItHolds(kind: StoreKind) throws {
        let store = try makeStore(kind)
        _ = try store.claimFile(Self.file, worker: "a", now: Self.t0, ttl: Self.ttl)
        var commit = FileCommit(ledger: Fixture.ledger(Self.file, records: 5), events: Fixture.file1Events)
        commit.claim = "a"
        try store.commit(commit)
        #expect(try claims(store).isEmpty)
        #expect(try count(store, "events") == 5)
        #expect(try store.ledgerEntry(path: Self.file)?.status == .done)
    }

    @Test func anExpiredClaimNobodyTookOverStillCommits() throws {
        let store = try Store.inMemory()
        _ = try store.claimFile(Self.file, worker: "a", now: Self.t0, ttl: Self.ttl)
        var commit = FileCommit(ledger: Fixture.ledger(Self.file, records: 5), events: Fixture.file1Events)
        commit.claim = "a"
        // No clock in the commit: the lease having run out does not matter while nobody took the file.
        try store.commit(commit)
        #expect(try count(store, "events") == 5)
    }

    @Test(arguments: StoreKind.allCases) func aCommitAfterATakeoverIsRefusedAndStoresNothing(kind: StoreKind) throws {
        let store = try makeStore(kind)
        try Fixture.populate(store)
        let before = try snapshot(store)
        let path = "logs/AWSLogs/111111111111/CloudTrail/us-east-1/2024/05/09/z.json.gz"
        _ = try store.claimFile(path, worker: "a", now: Self.t0, ttl: Self.ttl)
        _ = try store.claimFile(path, worker: "b", now: Self.at(61), ttl: Self.ttl)
        let late = Fixture.event("e90", "2024-05-08T00:00:00Z", "GetSecretValue", Fixture.alice, [Fixture.s2])
        var commit = FileCommit(
            ledger: Fixture.ledger(path, records: 1), events: [late],
            alerts: [Fixture.alert("alert-late", rule: "unusual-reader", severity: .medium, event: late, summary: "late")],
            suppressed: [("alert-del-e07", 5)],
            state: [DetectorStateEntry(namespace: "n", key: "k", value: "v")])
        commit.claim = "a"
        var refused: StoreError?
        do {
            try store.commit(commit)
        } catch {
            refused = error
        }
        #expect(refused?.kind == .claimLost)
        #expect(refused?.file == path)
        #expect(refused?.description.contains("worker a") == true)
        #expect(try snapshot(store) == before)
        #expect(try claims(store) == [path: "b"])

        // In a group, the whole transaction is refused: the good file commits only without the lost one.
        var good = FileCommit(ledger: Fixture.ledger("g.json", records: 1), events: [Fixture.event("e91", "2024-05-08T01:00:00Z", "GetSecretValue", Fixture.alice, [Fixture.s2])])
        _ = try store.claimFile("g.json", worker: "a", now: Self.at(62), ttl: Self.ttl)
        good.claim = "a"
        #expect(throws: StoreError.self) { try store.commit([good, commit]) }
        #expect(try snapshot(store) == before)
        try store.commit([good])
        #expect(try count(store, "events") == before.events + 1)
    }

    @Test func aCommitWithoutAClaimIsNotFenced() throws {
        let store = try Store.inMemory()
        _ = try store.claimFile(Self.file, worker: "b", now: Self.t0, ttl: Self.ttl)
        try store.commit(FileCommit(ledger: Fixture.ledger(Self.file, records: 5), events: Fixture.file1Events))
        #expect(try count(store, "events") == 5)
        #expect(try claims(store) == [Self.file: "b"])
    }

    struct Snapshot: Equatable {
        var events: Int
        var alerts: [String]
        var alertCounts: Int
        var files: [String]
        var state: Int
        var access: Int
    }

    func snapshot(_ store: Store) throws -> Snapshot {
        func strings(_ sql: String) throws -> [String] {
            try store.read("test") { db in
                var s = try db.statement(sql)
                var out: [String] = []
                while try s.step() { out.append(s.string(0)) }
                s.reset()
                return out
            }
        }
        return Snapshot(
            events: try count(store, "events"),
            alerts: try strings("SELECT id FROM alerts ORDER BY id"),
            alertCounts: Int(try scalar(store, "SELECT sum(count) FROM alerts") ?? -1),
            files: try strings("SELECT path || ' ' || status FROM files ORDER BY path"),
            state: try count(store, "detector_state"),
            access: try count(store, "access"))
    }
}
