import Foundation
import Testing
@testable import TrailStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The store's file: only a regular file is opened, a writer tightens loose permissions, and a
/// writer takes its lock before creating or migrating the schema.
@Suite struct StoreFileTests {
    func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test(arguments: [false, true])
    func aFIFOIsRefusedAndNothingIsCreatedBesideIt(readOnly: Bool) throws {
        let dir = try Fixture.temporaryDirectory()
        let path = dir + "/fifo.db"
        try #require(mkfifo(path, 0o600) == 0)
        do {
            _ = try Store.open(path: path, readOnly: readOnly, lockForWriting: !readOnly)
            Issue.record("a FIFO was opened as a store")
        } catch {
            #expect(error.kind == .invalidArgument)
            #expect(error.description == "\(path): open: not a regular file (a FIFO); the store must be a regular file")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["fifo.db"])
    }

    @Test func aDirectoryIsRefused() throws {
        let dir = try Fixture.temporaryDirectory()
        #expect { try Store.open(path: dir) } throws: { ($0 as? StoreError)?.kind == .invalidArgument }
    }

    @Test func aWriterTightensALooseStoreAndSaysSo() throws {
        let path = try Fixture.temporaryDirectory() + "/t.db"
        do {
            let first = try Store.open(path: path, lockForWriting: true)
            #expect(first.openingNotes.isEmpty)
        }
        try #require(chmod(path, 0o644) == 0)
        let reader = try Store.open(path: path, readOnly: true)
        #expect(reader.openingNotes.isEmpty)
        #expect(try mode(path) == 0o644, "a reader changes nothing")
        let writer = try Store.open(path: path, lockForWriting: true)
        #expect(try mode(path) == 0o600)
        #expect(writer.openingNotes.contains("\(path) was mode 0644: set to 0600 (the store holds who read which secret)"))
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            #expect(try mode(path + suffix) & 0o077 == 0, "\(suffix)")
        }
    }

    /// A second writer on a brand-new store meets the lock before it creates or migrates anything.
    @Test func theLockComesBeforeTheSchema() throws {
        let path = try Fixture.temporaryDirectory() + "/new.db"
        let holder = WriterLock()
        try holder.acquire(lockPath: path + ".lock", dbPath: path)
        do {
            _ = try Store.open(path: path, lockForWriting: true)
            Issue.record("opened a store whose lock is held")
        } catch {
            #expect(error.kind == .locked)
        }
        #expect(!FileManager.default.fileExists(atPath: path), "the store was created before the lock was taken")
    }
}
