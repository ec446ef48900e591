import Testing
@testable import TrailStore

/// The exact table of event ids a first load keeps while their unique index is missing.
@Suite struct EventIDTableTests {
    @Test func findsExactlyWhatWasInsertedAcrossGrowth() {
        var table = EventIDTable(capacityLog2: 2)
        let ids = (0..<5_000).map { "id-\($0)" }
        for id in ids {
            let added = table.insert(id, hash: id.hashValue)
            #expect(added)
        }
        #expect(table.count == ids.count)
        #expect(ids.allSatisfy { table.contains($0, hash: $0.hashValue) })
        #expect(!table.contains("id-5000", hash: "id-5000".hashValue))
        // A second insert adds nothing.
        let again = table.insert("id-42", hash: "id-42".hashValue)
        #expect(!again)
        #expect(table.count == ids.count)
    }

    /// Ids whose hashes are equal are told apart by their bytes, and each is found at its place
    /// in the probe sequence.
    @Test func idsWithEqualHashesStayDistinct() {
        var table = EventIDTable(capacityLog2: 3)
        for id in ["a", "b", "c", "d", "e"] {
            let added = table.insert(id, hash: 7)
            #expect(added)
        }
        let again = table.insert("c", hash: 7)
        #expect(!again)
        #expect(table.contains("e", hash: 7))
        #expect(!table.contains("f", hash: 7))
        // The same bytes under another hash are another key (callers always pass `hashValue`).
        #expect(!table.contains("a", hash: 8))
        #expect(table.count == 5)
    }
}
