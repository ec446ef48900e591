import CSQLiteTuning
import GRDBSQLite
import Testing
@testable import TrailStore

/// SQLite's memory statistics are turned off before the first store opens: with them on, every
/// allocation inside SQLite took one mutex shared by the writer and the readers.
@Suite struct SQLiteLibraryTests {
    @Test func memoryStatisticsAreOffWhenTheStoreConfiguredSQLite() throws {
        let store = try Store.open(path: try Fixture.temporaryDirectory() + "/t.db")
        _ = try store.existingEventIDs(["e-1"])
        // Configured: SQLite counts no bytes. Not configured (this test process used SQLite
        // before any store opened): the setting was refused and SQLite counts as usual.
        #expect(SQLiteBackend.libraryConfigured == (sqlite3_memory_used() == 0))
    }

    @Test func configuringAfterSQLiteStartedIsRefusedAndChangesNothing() throws {
        _ = try Store.inMemory()
        let before = sqlite3_memory_used()
        #expect(trailwatch_sqlite_disable_memory_statistics() == SQLITE_MISUSE)
        #expect((sqlite3_memory_used() == 0) == (before == 0))
    }
}
