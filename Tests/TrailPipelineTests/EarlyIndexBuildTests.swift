import Foundation
import Synchronization
import Testing
import TrailIngest
import TrailModel
@testable import TrailPipeline
import TrailStore

/// A first load builds the indexes it deferred while its last files are still being read: once,
/// after the share of bytes it was given, before the run ends, and with every file still
/// committed once.
@Suite struct EarlyIndexBuildTests {
    /// A runner of its own (no claims) on `store`, with `jobs` workers.
    static func runner(_ store: Store, clock: TestClock, onReport: @escaping (FileReport) -> Void) throws -> IngestRunner {
        let rules = try RuleBook.load(directory: nil)
        let handOver = AlertHandOver(sinks: [], wallClock: { clock.now().milliseconds }, notify: {})
        let committer = try FileCommitter(store: store, rules: rules, handOver: handOver, wallClock: { clock.now() })
        // Small groups, so that the run commits several before and after the build.
        committer.maxGroupFiles = 4
        return IngestRunner(processor: FileProcessor(rules: rules, store: store), committer: committer, jobs: 2, onReport: onReport)
    }

    @Test func theDeferredIndexesAreBuiltOnceBeforeTheLastFileIsCommittedAndEveryFileIsStoredOnce() async throws {
        let tree = try LogTree()
        let files = try (0..<40).map { try tree.file(String(format: "f%02d", $0)) }
        let store = try tree.store()
        #expect(try store.deferIndexesForFirstLoad())
        let deferred = try store.missingDeferredIndexes()
        #expect(!deferred.isEmpty)

        let reported = Mutex(0)
        let runner = try Self.runner(store, clock: TestClock()) { _ in reported.locked { $0 += 1 } }
        // (reported files, missing indexes) at each build.
        let builds = Mutex<[(Int, Set<String>)]>([])
        runner.earlyIndexBuild = EarlyIndexBuild(afterShare: 0.5, minimumListedBytes: 0) { () throws(PipelineError) in
            do {
                let missing = try store.missingDeferredIndexes()
                let reportedNow = reported.locked { $0 }
                builds.locked { $0.append((reportedNow, missing)) }
                try store.buildDeferredIndexes()
            } catch {
                throw PipelineError(.store, "\(error)")
            }
        }
        let reports = try await runner.run(files)

        let seen = builds.locked { $0 }
        #expect(seen.count == 1, "built \(seen.count) times")
        if let (reportedThen, missingThen) = seen.first {
            #expect(missingThen == deferred, "the build found the indexes already there")
            #expect(reportedThen >= 4, "built before half the bytes were staged (\(reportedThen) files committed)")
            #expect(reportedThen < files.count, "built only once every file was committed")
        }
        #expect(runner.earlyIndexBuild == nil, "the build is started once per runner")
        #expect(try store.missingDeferredIndexes().isEmpty)
        #expect(reports.map(\.status) == Array(repeating: .done, count: files.count))
        #expect(reports.reduce(0) { $0 + $1.eventsStored } == 3 * files.count)
        let ids = files.indices.flatMap { n in (0..<3).map { String(format: "f%02d-%d", n, $0) } }
        #expect(try store.existingEventIDs(ids).count == ids.count)
    }

    @Test func aRunBelowTheMinimumLeavesTheBuildToTheEnd() async throws {
        let tree = try LogTree()
        let files = try (0..<6).map { try tree.file("g\($0)") }
        let store = try tree.store()
        #expect(try store.deferIndexesForFirstLoad())
        let runner = try Self.runner(store, clock: TestClock()) { _ in }
        let built = Mutex(0)
        runner.earlyIndexBuild = EarlyIndexBuild(afterShare: 0.1, minimumListedBytes: 1 << 30) { () throws(PipelineError) in
            built.locked { $0 += 1 }
        }
        let reports = try await runner.run(files)
        #expect(reports.allSatisfy { $0.status == .done })
        #expect(built.locked { $0 } == 0)
        #expect(!(try store.missingDeferredIndexes().isEmpty), "the indexes are left to the caller's build at the end")
    }

    @Test func aFailedBuildFailsTheRunAndNoLaterGroupIsCommitted() async throws {
        let tree = try LogTree()
        let files = try (0..<20).map { try tree.file(String(format: "h%02d", $0)) }
        let store = try tree.store()
        #expect(try store.deferIndexesForFirstLoad())
        let runner = try Self.runner(store, clock: TestClock()) { _ in }
        runner.earlyIndexBuild = EarlyIndexBuild(afterShare: 0.5, minimumListedBytes: 0) { () throws(PipelineError) in
            throw PipelineError(.store, "disk full (test)")
        }
        await #expect(throws: PipelineError.self) { try await runner.run(files) }
        let ledger = try store.ledgerEntries(paths: files.map(\.path))
        #expect(!ledger.isEmpty && ledger.count < files.count, "\(ledger.count) of \(files.count) files committed")
    }

    @Test func theShareIsOfTheListedBytesAndClamped() {
        let build = EarlyIndexBuild(afterShare: 0.8, minimumListedBytes: 100) { () throws(PipelineError) in }
        #expect(build.dueBytes(listed: 99) == nil)
        #expect(build.dueBytes(listed: 1000) == 800)
        #expect(EarlyIndexBuild(afterShare: 7, minimumListedBytes: 0) { () throws(PipelineError) in }.dueBytes(listed: 10) == 10)
        #expect(EarlyIndexBuild(afterShare: -1, minimumListedBytes: 0) { () throws(PipelineError) in }.dueBytes(listed: 10) == 0)
        #expect(EarlyIndexBuild(afterShare: 0.5, minimumListedBytes: 0) { () throws(PipelineError) in }.dueBytes(listed: 0) == nil)
    }
}
