import Testing
import TrailModel
@testable import TrailStore

/// Claims and ledger look-ups asked for a batch of files at once (the pipeline's admissions):
/// the same answers as one file at a time, on every engine.
@Suite struct BatchClaimTests {
    static let t0 = EventTime(milliseconds: 1_700_000_000_000)
    static let ttl = EventTime.Duration.seconds(60)

    static func at(_ seconds: Int64) -> EventTime { t0.adding(.seconds(seconds)) }

    @Test(arguments: StoreKind.engines) func aBatchClaimAnswersEachFileAsASingleClaimWould(kind: StoreKind) throws {
        let store = try makeStore(kind)
        #expect(try store.claimFile("held", worker: "b", now: Self.t0, ttl: Self.ttl) == .granted)
        #expect(try store.claimFile("expired", worker: "b", now: Self.at(-120), ttl: Self.ttl) == .granted)
        #expect(try store.claimFile("mine", worker: "a", now: Self.at(-10), ttl: Self.ttl) == .granted)
        let answers = try store.claimFiles(["new", "held", "expired", "mine"], worker: "a", now: Self.at(1), ttl: Self.ttl)
        #expect(answers == [.granted, .held(by: "b", until: Self.at(60)), .granted, .granted])
        // Granted and renewed to 61 s, so b is refused each of them at 60 s.
        for path in ["new", "expired", "mine"] {
            #expect(try store.claimFile(path, worker: "b", now: Self.at(60), ttl: Self.ttl) == .held(by: "a", until: Self.at(61)))
        }
        // Asked again, a worker's own batch is renewed, not refused.
        #expect(try store.claimFiles(["new", "mine"], worker: "a", now: Self.at(2), ttl: Self.ttl) == [.granted, .granted])
    }

    @Test(arguments: StoreKind.engines) func aBatchLargerThanOneStatementKeepsItsOrderAndRepeats(kind: StoreKind) throws {
        let store = try makeStore(kind)
        let paths = (0..<(FileClaims.claimBatch * 2 + 7)).map { "f\($0)" }
        for path in paths where path.hasSuffix("3") {
            _ = try store.claimFile(path, worker: "b", now: Self.t0, ttl: Self.ttl)
        }
        // A path twice in one batch is one claim.
        let asked = paths.reversed() + ["f1"]
        let answers = try store.claimFiles(asked, worker: "a", now: Self.t0, ttl: Self.ttl)
        for (path, answer) in zip(asked, answers) {
            #expect(answer == (path.hasSuffix("3") ? .held(by: "b", until: Self.at(60)) : .granted), "\(path)")
        }
        let mine = try scalar(store, "SELECT count(*) FROM claims WHERE worker = ?", [.text("a")])
        #expect(mine == Int64(paths.filter { !$0.hasSuffix("3") }.count))
    }

    @Test(arguments: StoreKind.engines) func pathsThatBreakListSyntaxAreClaimedAndLookedUpAsThemselves(kind: StoreKind) throws {
        let store = try makeStore(kind)
        let hostile = ["a\"b", "{brace}", "x,y", "back\\slash", "NULL", "it's", "(?, ?)", "é/ü"]
        #expect(try store.claimFiles(hostile, worker: "a", now: Self.t0, ttl: Self.ttl) == hostile.map { _ in .granted })
        #expect(try store.claimFiles(hostile, worker: "b", now: Self.t0, ttl: Self.ttl) == hostile.map { _ in .held(by: "a", until: Self.at(60)) })
        for path in hostile.prefix(3) {
            var commit = FileCommit(ledger: Fixture.ledger(path, records: 2))
            commit.claim = "a"
            try store.commit(commit)
        }
        let entries = try store.ledgerEntries(paths: hostile + ["absent"])
        #expect(Set(entries.keys) == Set(hostile.prefix(3).map(PathKey.init)))
        for (key, entry) in entries {
            #expect(PathKey(entry.path) == key)
            #expect(entry == (try store.ledgerEntry(path: entry.path)), "\(entry.path)")
            #expect(entry.records == 2)
        }
        #expect(try store.ledgerEntries(paths: []).isEmpty)
    }

    /// Two names Swift's `String` calls equal (a precomposed `é` against `e` + U+0301) are two
    /// files on disk and two rows in the store: each is claimed, and looked up, as itself.
    @Test(arguments: StoreKind.engines) func canonicallyEquivalentPathsAreTwoFiles(kind: StoreKind) throws {
        let store = try makeStore(kind)
        let nfc = "logs/caf\u{E9}.json", nfd = "logs/cafe\u{301}.json"
        #expect(nfc == nfd && Array(nfc.utf8) != Array(nfd.utf8))
        #expect(try store.claimFiles([nfc, nfd], worker: "a", now: Self.t0, ttl: Self.ttl) == [.granted, .granted])
        #expect(try scalar(store, "SELECT count(*) FROM claims WHERE worker = ?", [.text("a")]) == 2)
        #expect(try store.claimFile(nfd, worker: "b", now: Self.t0, ttl: Self.ttl) == .held(by: "a", until: Self.at(60)))
        var commit = FileCommit(ledger: Fixture.ledger(nfc, records: 7))
        commit.claim = "a"
        try store.commit(commit)
        let entries = try store.ledgerEntries(paths: [nfc, nfd])
        #expect(entries.count == 1)
        #expect(entries[PathKey(nfc)]?.records == 7 && entries[PathKey(nfd)] == nil)
        // Both in one group: each consumes its own claim and gets its own ledger row.
        let other = ("logs/x\u{E9}.json", "logs/xe\u{301}.json")
        #expect(try store.claimFiles([other.0, other.1], worker: "a", now: Self.t0, ttl: Self.ttl) == [.granted, .granted])
        var first = FileCommit(ledger: Fixture.ledger(other.0, records: 1))
        var second = FileCommit(ledger: Fixture.ledger(other.1, records: 2))
        first.claim = "a"
        second.claim = "a"
        try store.commit([first, second])
        let both = try store.ledgerEntries(paths: [other.0, other.1])
        #expect(both[PathKey(other.0)]?.records == 1 && both[PathKey(other.1)]?.records == 2)
        #expect(try scalar(store, "SELECT count(*) FROM claims WHERE worker = ?", [.text("a")]) == 1, "only nfd's claim is left")
    }
}
