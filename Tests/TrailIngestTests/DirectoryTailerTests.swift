import Foundation
import Synchronization
import TrailSync
import Testing

@testable import TrailIngest

/// Collects a tailer's paths in the background.
final class PathCollector: Sendable {
    private final class Storage: Sendable {
        let paths = Mutex<[String]>([])
    }

    private let storage = Storage()
    private let task: Task<Void, Never>

    init(_ stream: AsyncStream<String>) {
        let storage = self.storage
        task = Task {
            for await path in stream { storage.paths.locked { $0.append(path) } }
        }
    }

    var paths: [String] { storage.paths.locked { $0 } }

    /// Waits until `condition` holds for the paths seen, giving up after a generous deadline
    /// (a guard against hanging, not a timing assertion). Returns whether it held.
    func wait(until condition: ([String]) -> Bool) async -> Bool {
        for _ in 0..<1000 {
            if condition(paths) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition(paths)
    }

    /// Waits for the stream to finish.
    func finished() async { await task.value }
}

/// Names of the descriptors this process holds, from /proc/self/fd.
func openDescriptorTargets() -> [String] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    return entries.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)") }
}

@Suite(.serialized) struct DirectoryTailerTests {
    static let modes: [DirectoryTailer.Options] = [
        DirectoryTailer.Options(poll: false),
        DirectoryTailer.Options(poll: true, pollInterval: .milliseconds(50)),
    ]

    /// A watched root moved away or deleted, then made again under its name (a sync tool, an
    /// operator): inotify has no parent watch to report its return, so the tailer polls from then
    /// on and the new directory's files are reported. Before, they were never seen.
    @Test(arguments: ["move", "delete"])
    func aRootMadeAgainIsFollowedByPolling(how: String) async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try dir.mkdir("watched")
        let root = dir.url("watched")
        let tailer = try DirectoryTailer(directories: [root], options: DirectoryTailer.Options(poll: false, pollInterval: .milliseconds(50)))
        let collector = PathCollector(tailer.paths)
        try tailer.start()
        defer { tailer.stop() }
        try #require(tailer.mode == .inotify)
        if how == "move" {
            try FileManager.default.moveItem(atPath: root, toPath: dir.url("watched-old"))
        } else {
            try FileManager.default.removeItem(atPath: root)
        }
        try dir.mkdir("watched")
        let later = try dir.write("watched/AWSLogs/later.json.gz", [1, 2, 3])
        #expect(await collector.wait { $0.contains(later) }, "a file in the directory made again was not reported: \(collector.paths)")
        #expect(tailer.mode == .polling)
    }

    /// A directory moved in holding a symlink to the watched root walked the whole tree again
    /// under the alias (`d/up/AWSLogs/…`): every file was read once more under a new name. The
    /// directories already watched count as walked.
    @Test func aDirectoryMovedInWithASymlinkToAnAncestorIsNotWalkedTwice() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try dir.write("watched/AWSLogs/old.json.gz", [1])
        let root = dir.url("watched")
        let tailer = try DirectoryTailer(directories: [root], options: DirectoryTailer.Options(poll: false))
        let collector = PathCollector(tailer.paths)
        try tailer.start()
        defer { tailer.stop() }
        try #require(tailer.mode == .inotify)
        try dir.write("outside/d/new.json.gz", [2])
        try FileManager.default.createSymbolicLink(atPath: dir.url("outside/d/up"), withDestinationPath: root)
        try FileManager.default.moveItem(atPath: dir.url("outside/d"), toPath: dir.url("watched/d"))
        #expect(await collector.wait { $0.contains(dir.url("watched/d/new.json.gz")) }, "\(collector.paths)")
        #expect(!collector.paths.contains { $0.contains("/d/up/") }, "walked again under the alias: \(collector.paths)")
    }

    @Test func missingDirectoryIsAnError() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        #expect(throws: IngestError.self) { try DirectoryTailer(directories: [dir.url("missing")]) }
        let file = try dir.write("f.json", [1])
        #expect(throws: IngestError.self) { try DirectoryTailer(directories: [file]) }
    }

    @Test(arguments: modes)
    func reportsClosedRenamedAndNestedFiles(options: DirectoryTailer.Options) async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try dir.write("AWSLogs/old.json.gz", [1, 2, 3])
        let tailer = try DirectoryTailer(directories: [dir.path], options: options)
        let collector = PathCollector(tailer.paths)
        try tailer.start()
        #expect(tailer.mode == (options.poll ? .polling : .inotify))
        #expect(tailer.rescan().map(\.path) == [dir.url("AWSLogs/old.json.gz")])

        // Written in place and closed.
        let written = try dir.write("AWSLogs/a.json.gz", try gzipMember(sampleText(1000)))
        let seen1 = await collector.wait { $0.contains(written) }
        #expect(seen1)

        // Written under a temporary name (ignored), then renamed into place.
        let temp = try dir.write("AWSLogs/b.json.gz.1a2B3c4D", [9, 9])
        let dot = try dir.write("AWSLogs/.c.json.gz.XyZ123", [9])
        let renamed = dir.url("AWSLogs/b.json.gz")
        #expect(rename(temp, renamed) == 0)
        let seen2 = await collector.wait { $0.contains(renamed) }
        #expect(seen2)

        // Directories created later, several levels deep, then a file inside.
        // (No pause: the file may land before the new directories are watched; the tailer's
        // scan of a new directory reports it then.)
        try dir.mkdir("AWSLogs/111111111111/CloudTrail/us-east-1/2024/06/04")
        let nested = try dir.write("AWSLogs/111111111111/CloudTrail/us-east-1/2024/06/04/n.json.gz", [4, 5])
        let seen3 = await collector.wait { $0.contains(nested) }
        #expect(seen3)

        // A directory tree moved in whole.
        let outside = try TempDirectory()
        defer { outside.remove() }
        let moved = try outside.write("eu-west-1/2024/06/05/m.json.gz", [6])
        #expect(rename(outside.url("eu-west-1"), dir.url("AWSLogs/eu-west-1")) == 0)
        let movedInside = dir.url("AWSLogs/eu-west-1/2024/06/05/m.json.gz")
        let seen4 = await collector.wait { $0.contains(movedInside) }
        #expect(seen4)
        _ = moved

        tailer.stop()
        await collector.finished()
        let seen = collector.paths
        #expect(!seen.contains(temp))
        #expect(!seen.contains(dot))
        let anyTemporary = seen.contains { LogFileName.isTemporary(LogFileName.baseName($0)) }
        #expect(!anyTemporary)
        // Only what changed after start is reported; the catch-up is `rescan()`'s job.
        #expect(!seen.contains(dir.url("AWSLogs/old.json.gz")))
    }

    @Test(arguments: modes)
    func manyFilesLandingQuicklyAreAllReported(options: DirectoryTailer.Options) async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let staging = try TempDirectory()
        defer { staging.remove() }
        let tailer = try DirectoryTailer(directories: [dir.path], options: options)
        let collector = PathCollector(tailer.paths)
        try tailer.start()
        var expected: Set<String> = []
        for i in 0..<300 {
            let day = String(format: "%02d", i / 100 + 1)
            let relative = "AWSLogs/111111111111/CloudTrail/us-east-1/2024/06/\(day)/f\(i).json.gz"
            if i % 2 == 0 {
                try dir.write(relative, [UInt8(i % 256)])
            } else {
                let source = try staging.write("s\(i)", [UInt8(i % 256)])
                try dir.mkdir((relative as NSString).deletingLastPathComponent)
                #expect(rename(source, dir.url(relative)) == 0)
            }
            expected.insert(dir.url(relative))
        }
        let allSeen = await collector.wait { expected.isSubset(of: Set($0)) }
        #expect(allSeen)
        tailer.stop()
        await collector.finished()
        let seen = Set(collector.paths)
        #expect(expected.subtracting(seen).sorted() == [])
        #expect(seen.subtracting(expected).sorted() == [])
    }

    @Test func fallsBackToPollingWhenWatchesRunOut() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try dir.mkdir("a")
        var options = DirectoryTailer.Options(poll: false, pollInterval: .milliseconds(50))
        options.watchLimit = 2
        let tailer = try DirectoryTailer(directories: [dir.path], options: options)
        let collector = PathCollector(tailer.paths)
        try tailer.start()
        #expect(tailer.mode == .inotify)
        let first = try dir.write("a/first.json.gz", [1])
        let seenFirst = await collector.wait { $0.contains(first) }
        #expect(seenFirst)
        // A third directory exceeds the limit: the tailer must keep reporting by polling.
        let deep = try dir.write("b/c/deep.json.gz", [2])
        let seenDeep = await collector.wait { $0.contains(deep) }
        #expect(seenDeep)
        #expect(tailer.mode == .polling)
        let later = try dir.write("b/c/d/later.json.gz", [3])
        let seenLater = await collector.wait { $0.contains(later) }
        #expect(seenLater)
        tailer.stop()
        await collector.finished()
    }

    @Test func inotifyIgnoresFilesUntilClosed() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let tailer = try DirectoryTailer(directories: [dir.path])
        let collector = PathCollector(tailer.paths)
        try tailer.start()
        let path = dir.url("open.json.gz")
        let fd = open(path, O_CREAT | O_WRONLY, 0o644)
        #expect(fd >= 0)
        var bytes: [UInt8] = [1, 2, 3]
        #expect(write(fd, &bytes, 3) == 3)
        let marker = try dir.write("marker.json", [1])
        let seen5 = await collector.wait { $0.contains(marker) }
        #expect(seen5)
        #expect(!collector.paths.contains(path))
        close(fd)
        let seen6 = await collector.wait { $0.contains(path) }
        #expect(seen6)
        tailer.stop()
    }

    @Test func stopClosesDescriptorsAndFinishesStream() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try dir.mkdir("a/b/c")
        let inotifyBefore = openDescriptorTargets().filter { $0.contains("inotify") }.count
        for options in Self.modes {
            let tailer = try DirectoryTailer(directories: [dir.path, dir.url("a")], options: options)
            let collector = PathCollector(tailer.paths)
            try tailer.start()
            // This tailer's own pipe (by inode: `pipe:[N]`), not every pipe in the test process,
            // which other suites open and close in parallel.
            let ownPipes = Set(tailer.wakePipeDescriptors.compactMap {
                try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)")
            })
            #expect(ownPipes.count == 1 && ownPipes.allSatisfy { $0.hasPrefix("pipe:") }, "\(ownPipes)")
            if !options.poll {
                #expect(openDescriptorTargets().filter { $0.contains("inotify") }.count == inotifyBefore + 1)
            }
            tailer.stop()
            tailer.stop()
            await collector.finished()
            #expect(openDescriptorTargets().filter { $0.contains("inotify") }.count == inotifyBefore)
            #expect(Set(openDescriptorTargets()).isDisjoint(with: ownPipes), "the tailer's pipe is still open")
        }
    }

    @Test func queueOverflowReportsEveryFile() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        for name in ArchiveWalkerTests.names { try dir.write(name, [1]) }
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        var pipeFds: [Int32] = [-1, -1]
        #expect(pipe(&pipeFds) == 0)
        close(pipeFds[1])
        let worker = TailWorker(roots: [dir.path], continuation: continuation, stopFd: pipeFds[0], intervalMilliseconds: 1000)
        #expect(worker.startInotify())
        worker.handle(wd: -1, mask: 0x0000_4000, name: "")
        worker.closeDescriptors()
        continuation.finish()
        var seen: [String] = []
        for await path in stream { seen.append(path) }
        #expect(seen == (try ArchiveWalker.files(in: [dir.path])).map(\.path))
    }

    @Test(arguments: modes)
    func symlinkLoopsDoNotHang(options: DirectoryTailer.Options) async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try dir.mkdir("a/b")
        try FileManager.default.createSymbolicLink(atPath: dir.url("a/b/up"), withDestinationPath: dir.path)
        try FileManager.default.createSymbolicLink(atPath: dir.url("a/self"), withDestinationPath: ".")
        let tailer = try DirectoryTailer(directories: [dir.path], options: options)
        let collector = PathCollector(tailer.paths)
        try tailer.start()
        #expect(tailer.rescan().isEmpty)
        let file = try dir.write("a/b/f.json.gz", [1])
        let seen = await collector.wait { $0.contains(file) }
        #expect(seen)
        tailer.stop()
        await collector.finished()
    }

    @Test func stopWithoutStartFinishesStream() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let tailer = try DirectoryTailer(directories: [dir.path])
        let collector = PathCollector(tailer.paths)
        tailer.stop()
        await collector.finished()
        #expect(collector.paths.isEmpty)
    }

    @Test func pollingReportsChangedFilesAgain() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let tailer = try DirectoryTailer(directories: [dir.path], options: .init(poll: true, pollInterval: .milliseconds(50)))
        let collector = PathCollector(tailer.paths)
        try tailer.start()
        let path = try dir.write("grow.json", [1])
        let seen7 = await collector.wait { $0.contains(path) }
        #expect(seen7)
        try dir.write("grow.json", [1, 2, 3, 4])
        let seen8 = await collector.wait { $0.filter { $0 == path }.count >= 2 }
        #expect(seen8)
        tailer.stop()
    }

    @Test func rescanMatchesWalker() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        for name in ArchiveWalkerTests.names { try dir.write(name, [1]) }
        try dir.write("AWSLogs/x.json.gz.tmp", [1])
        let tailer = try DirectoryTailer(directories: [dir.path + "/"])
        #expect(tailer.rescan() == (try ArchiveWalker.files(in: [dir.path])))
        tailer.stop()
    }

    @Test func fileStability() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = try dir.write("f.json.gz", [1, 2])
        var stability = FileStability()
        var results: [Bool] = []
        results.append(stability.isStable(path))
        results.append(stability.isStable(path))
        try dir.write("f.json.gz", [1, 2, 3])
        results.append(stability.isStable(path))
        results.append(stability.isStable(path))
        results.append(stability.isStable(dir.url("missing")))
        stability.forget(path)
        results.append(stability.isStable(path))
        #expect(results == [false, true, false, true, false, false])
        #expect(stability.count == 1)
    }
}
