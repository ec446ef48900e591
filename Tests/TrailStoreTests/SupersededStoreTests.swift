import GRDB
import Testing
import TrailStore

/// A store that a newer trailwatch migrated (a migration this build does not know) may be read,
/// not written: this build cannot keep what the newer one added consistent.
@Suite struct SupersededStoreTests {
    @Test func aStoreMigratedByANewerVersionIsRefusedForWritingAndReadable() throws {
        let path = try Fixture.temporaryDirectory() + "/t.db"
        do {
            _ = try Store.open(path: path)
        }
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: ["v99-from-the-future"])
        }
        try queue.close()
        do {
            _ = try Store.open(path: path)
            Issue.record("a superseded store was opened for writing")
        } catch {
            #expect(error.kind == .schema)
            #expect(error.message.contains("migrated by a newer trailwatch"), "\(error)")
        }
        // Reading it still works (the read-only open throws otherwise).
        _ = try Store.open(path: path, readOnly: true)
    }
}
