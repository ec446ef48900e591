import Foundation
import Synchronization
import TrailSync
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import TrailIngest

/// Files an attacker can make: gzip bombs, FIFOs swapped in for files, names that are not UTF-8,
/// directories that cannot be listed (issue 10).
@Suite struct HostileInputTests {
    /// A gzip bomb is refused as soon as inflating passes the limit, long before its input ends.
    @Test func gzipBombRefusedWhileInflating() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let inflated = [UInt8](repeating: 0x20, count: 16 << 20)
        let gz = try gzipMember(inflated, level: 9)
        let path = try dir.write("bomb.json.gz", gz)
        do {
            _ = try FileReader.read(path: path, maxBytes: 64 << 10)
            Issue.record("a 16 MiB bomb passed a 64 KiB limit")
        } catch {
            #expect(error.code == .tooLarge)
            #expect(error.reason.contains("--max-file-size"))
            // Refused while most of the compressed input was still unread.
            #expect((error.byteOffset ?? .max) < gz.count / 2, "\(error)")
        }
    }

    /// The default limit is far below what the bombs of issue 10 inflate to, and well above real
    /// CloudTrail files (tens of MB).
    @Test func defaultLimitIsBounded() {
        #expect(FileReader.defaultMaxBytes >= 64 << 20)
        #expect(FileReader.defaultMaxBytes <= 256 << 20)
    }

    /// A FIFO where a file was is refused at once (it used to block `open` forever). If the read
    /// does block, the guard opens the FIFO's other end to release it and the test fails.
    @Test func fifoIsRefusedWithoutBlocking() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = dir.url("111111111111_CloudTrail_us-east-1_20240603T1205Z_aaaaaaaaaaaaaaaa.json.gz")
        #expect(mkfifo(path, 0o600) == 0)
        let done = DispatchSemaphore(value: 0)
        let outcome = OutcomeBox()
        Thread.detachNewThread {
            do throws(IngestError) {
                _ = try FileReader.read(path: path)
                outcome.set("read succeeded")
            } catch {
                outcome.set("\(error.code)|\(error.reason)")
            }
            done.signal()
        }
        if done.wait(timeout: .now() + 20) == .timedOut {
            // Release the blocked reader so the test run can go on.
            let fd = open(path, O_WRONLY | O_NONBLOCK)
            if fd >= 0 { close(fd) }
            _ = done.wait(timeout: .now() + 5)
            Issue.record("reading a FIFO blocked")
            return
        }
        let text = outcome.get()
        #expect(text.hasPrefix("unsupportedFileType|"), "\(text)")
        #expect(text.contains("FIFO"), "\(text)")
    }

    /// A regular file still reads normally after the non-blocking open (O_NONBLOCK is cleared).
    @Test func regularFileReadsAfterNonBlockingOpen() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let text = sampleText(300_000)
        let path = try dir.write("plain.json", text)
        #expect(try FileReader.read(path: path).bytes == text)
    }

    /// Names that are not UTF-8 (a file and a directory) are walked, read through their exact
    /// bytes, and reported with the bad bytes escaped.
    @Test func nonUTF8NamesAreWalkedAndRead() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let base = Array(dir.path.utf8)
        let subdirectory = PathBytes.join(base, [0x64, 0xFE])  // "d\xFE"
        #expect(PathBytes.withCString(subdirectory) { mkdir($0, 0o755) } == 0)
        let file = PathBytes.join(subdirectory, [0x78, 0xFF, 0x5C, 0x79, 0x2E, 0x6A, 0x73, 0x6F, 0x6E])  // x\xFF\y.json
        let content = Array(#"{"Records":[]}"#.utf8)
        let fd = PathBytes.withCString(file) { open($0, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        #expect(fd >= 0)
        content.withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
        close(fd)
        _ = try dir.write("plain.json", content)

        let walk = try ArchiveWalker.walk([dir.path])
        #expect(walk.failures.isEmpty)
        #expect(walk.files.count == 2)
        let odd = try #require(walk.files.first { $0.rawPath != nil })
        #expect(odd.path == dir.path + "/d\\xFE/x\\xFF\\\\y.json")
        #expect(odd.rawPath == file)
        #expect(odd.size == Int64(content.count))
        let stored = try FileReader.readStored(path: odd.path, systemPath: odd.rawPath)
        #expect(stored.bytes == content)
        // FileManager cannot name these entries: remove them by their bytes.
        _ = PathBytes.withCString(file) { unlink($0) }
        _ = PathBytes.withCString(subdirectory) { rmdir($0) }
    }

    @Test func displayEscapesOnlyNonUTF8Names() {
        #expect(PathBytes.display(Array("a/b\\c é.json".utf8)) == "a/b\\c é.json")
        #expect(PathBytes.display([0x61, 0xFF, 0x5C, 0xC3, 0xA9, 0xC3]) == "a\\xFF\\\\é\\xC3")
        #expect(PathBytes.display([0x61, 0xFF]) != PathBytes.display([0x61, 0xFE]))
    }

    /// A directory that cannot be listed is reported with its reason and does not stop the walk.
    /// (Tests run as root, where `chmod 000` does not stop a listing, so the listing is made to
    /// fail through the scanner's lister.)
    @Test func unlistableDirectoryDoesNotStopTheWalk() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        _ = try dir.write("a/one.json", [0x7B, 0x7D])
        _ = try dir.write("b/two.json", [0x7B, 0x7D])
        _ = try dir.write("c/three.json", [0x7B, 0x7D])
        let blocked = Array(dir.url("b").utf8)
        var scanner = TreeScanner(strict: true)
        scanner.lister = { (directory: [UInt8]) throws(IngestError) -> [[UInt8]] in
            if directory == blocked {
                throw IngestError(path: PathBytes.display(directory), reason: "cannot list directory: Permission denied", code: .unreadable)
            }
            return try TreeScanner.list(bytes: directory)
        }
        let walk = try ArchiveWalker.walk([dir.path], scanner: scanner)
        #expect(walk.files.map(\.path) == [dir.url("a/one.json"), dir.url("c/three.json")])
        #expect(walk.failures.map(\.path) == [dir.url("b")])
        #expect(walk.failures.first?.reason.contains("Permission denied") == true)
    }

    /// An entry that cannot be examined (a symlink loop) is reported, not silently dropped.
    @Test func symlinkLoopIsReported() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        _ = try dir.write("ok.json", [0x7B, 0x7D])
        #expect(symlink("loop", dir.url("loop")) == 0)
        #expect(symlink("nowhere", dir.url("dangling")) == 0)
        let walk = try ArchiveWalker.walk([dir.path])
        #expect(walk.files.map(\.path) == [dir.url("ok.json")])
        #expect(walk.failures.map(\.path) == [dir.url("loop")])
    }

    @Test func cloudTrailLogNames() {
        #expect(LogFileName.isCloudTrailLog("111111111111_CloudTrail_us-east-1_20240603T1205Z_aaaaaaaaaaaaaaaa.json.gz"))
        #expect(!LogFileName.isCloudTrailLog("111111111111_CloudTrail-Digest_us-east-1_t_us-east-1_20240603T120000Z.json.gz"))
        #expect(!LogFileName.isCloudTrailLog("notes.json.gz"))
        #expect(!LogFileName.isCloudTrailLog("111111111111_CloudTrail_us-east-1_20240603T1205Z_a.json"))
    }
}

/// A string set on one thread and read on another.
private final class OutcomeBox: Sendable {
    private let value = Mutex("")
    func set(_ text: String) { value.locked { $0 = text } }
    func get() -> String { value.locked { $0 } }
}
