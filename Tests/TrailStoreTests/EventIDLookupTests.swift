import Testing
import TrailModel
@testable import TrailStore

/// `existingEventIDs` with ids made to break a list or array syntax (PostgreSQL sends them as one
/// `text[]` value), and more ids than one statement takes.
@Suite struct EventIDLookupTests {
    static let hostile = ["a\"b", "back\\slash", "\\\"", "{brace}", "}", "comma,", "NULL", "null", " space ", "ünï😀", "'; DROP TABLE event_ids; --", "\"\"", "x"]

    @Test(arguments: StoreKind.engines) func hostileIDsAreFoundExactly(kind: StoreKind) throws {
        let store = try makeStore(kind)
        let stored = Array(Self.hostile.prefix(9))
        try store.commit(FileCommit(ledger: Fixture.ledger("f", records: stored.count), events: stored.enumerated().map { i, id in
            Fixture.event(id, "2024-05-01T10:00:\(10 + i)Z", "GetSecretValue", Fixture.alice, [Fixture.s2])
        }))
        #expect(try store.existingEventIDs(Self.hostile) == Set(stored))
        // Near misses of stored ids are not found.
        #expect(try store.existingEventIDs(["a\\\"b", "a\"b\"", "{brace", "NUL", "back\\\\slash"]).isEmpty)
        // More ids than one statement takes, the stored ones at both ends.
        let many = [stored[0]] + (0..<12_000).map { "miss-\($0)" } + [stored[8]]
        #expect(try store.existingEventIDs(many) == [stored[0], stored[8]])
    }
}
