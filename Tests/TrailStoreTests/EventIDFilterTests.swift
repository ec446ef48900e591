import Foundation
import Testing
@testable import TrailStore

@Suite struct EventIDFilterTests {
    @Test func everyInsertedIDIsAMaybeAndFewOthersAre() {
        var filter = EventIDFilter(bitCountLog2: 16)
        let inserted = (0..<2_000).map { "id-\($0)" }
        for id in inserted { filter.insert(id) }
        #expect(inserted.allSatisfy { filter.mayContain($0) })
        // 2,000 ids in 65,536 bits with 4 probes: about 0.1% false positives expected.
        let strangers = (0..<10_000).filter { filter.mayContain("other-\($0)") }.count
        #expect(strangers < 100)
    }

    @Test func anEmptyFilterContainsNothing() {
        let filter = EventIDFilter(bitCountLog2: 10)
        #expect(!filter.mayContain(""))
        #expect(!filter.mayContain("e01"))
    }

    @Test func insertTellsWhetherTheIDMayHaveBeenThere() {
        var filter = EventIDFilter(bitCountLog2: 10)
        let first = filter.insert("e01")
        let second = filter.insert("e01")
        #expect(!first)
        #expect(second)
        #expect(filter.mayContain("e01"))
    }
}

@Suite struct CommittedEventIDsTests {
    /// A writer that found the store empty answers from its own commits, and still finds every
    /// id it committed, whether through one file or a group.
    @Test func aWriterOnAnEmptyStoreFindsWhatItCommitted() throws {
        let path = try Fixture.temporaryDirectory() + "/t.db"
        let store = try Store.open(path: path)
        try store.lockForWriting()
        #expect(store.sqlite.committedEventIDs.candidates(["e01"]) == [])
        try store.commit(FileCommit(ledger: Fixture.ledger(Fixture.path1, records: 5), events: Fixture.file1Events))
        _ = try store.commit([FileCommit(ledger: Fixture.ledger("b", records: 3), events: Fixture.file2Events)])
        let all = (Fixture.file1Events + Fixture.file2Events).map(\.eventID)
        #expect(try store.existingEventIDs(all + ["nope"]) == Set(all))
        #expect(store.sqlite.committedEventIDs.candidates(["nope", "also-not"]) == [])
    }

    /// A store that already holds events when the writer locks it is looked up for every id:
    /// another process may have stored them.
    @Test func aStoreWithEventsIsAlwaysLookedUp() throws {
        let path = try Fixture.temporaryDirectory() + "/t.db"
        do {
            let earlier = try Store.open(path: path)
            try earlier.commit(FileCommit(ledger: Fixture.ledger(Fixture.path1, records: 5), events: Fixture.file1Events))
        }
        let store = try Store.open(path: path)
        try store.lockForWriting()
        #expect(store.sqlite.committedEventIDs.candidates(["e01"]) == nil)
        #expect(try store.existingEventIDs(["e01", "nope"]) == ["e01"])
    }

    /// Without the writer lock nothing is assumed: another process may be writing.
    @Test func anUnlockedStoreIsAlwaysLookedUp() throws {
        let store = try Store.open(path: try Fixture.temporaryDirectory() + "/t.db")
        #expect(store.sqlite.committedEventIDs.candidates(["e01"]) == nil)
    }
}
