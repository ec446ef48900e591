import Foundation
import Testing
import TrailIngest
import TrailModel
@testable import TrailPipeline
import TrailStore

/// The ledger rows and claims asked for a batch of files at once: each file is decided as it
/// would be had it asked alone, and no claim taken ahead is left behind.
@Suite struct FileAdmissionTests {
    /// What `worker` makes of each file with its admission, in a word or two.
    static func outcomes(_ worker: Worker, _ files: [DiscoveredFile], _ admissions: [FileAdmission]) -> [String] {
        zip(files, admissions).map { file, admission in
            switch worker.runner.processor.process(file, admission: admission).outcome {
            case let .decoded(_, records, _, _, _): "decoded \(records)"
            case .alreadyDone: "already done"
            case let .claimedElsewhere(worker, _): "held by \(worker)"
            case let .failed(reason, _): "failed: \(reason)"
            case .skipped: "skipped"
            }
        }
    }

    @Test func aBatchIsClaimedExceptWhatTheLedgerHoldsAndWhatAnotherWorkerHolds() async throws {
        let tree = try LogTree()
        let store = try tree.store()
        let clock = TestClock()
        let a = try Worker("worker-a", store: store, clock: clock)
        let b = try Worker("worker-b", store: store, clock: clock)
        let done = try tree.file("done")
        #expect(try await a.run([done])[done.path]?.status == .done)
        let fresh = try tree.file("fresh")
        let held = try tree.file("held")
        #expect(try b.keeper.claim(held.path) == .granted)
        // Rewritten after it was committed: the listed size no longer matches the ledger's.
        let changed = try tree.file("changed")
        #expect(try await a.run([changed])[changed.path]?.status == .done)
        let rewritten = try tree.file("changed", records: 5)
        #expect(rewritten.size != changed.size)

        let files = [fresh, done, held, rewritten]
        let admissions = try #require(a.runner.processor.admissions(for: files))
        #expect(admissions[0] == FileAdmission(ledger: nil, claim: .granted, ledgerOnceClaimed: nil))
        #expect(admissions[1].ledger?.status == .done && admissions[1].claim == nil, "a file done at its size is not claimed")
        #expect(admissions[2].claim == .held(by: "worker-b", until: TestClock.start.adding(.seconds(60))))
        #expect(admissions[3].claim == .granted && admissions[3].ledgerOnceClaimed?.size == changed.size)
        #expect(a.keeper.inHand == [fresh.path, rewritten.path].sorted())

        // A file another worker holds is not even read: gone from disk, it is still left to b.
        try FileManager.default.removeItem(atPath: held.path)
        #expect(Self.outcomes(a, files, admissions) == ["decoded 3", "already done", "held by worker-b", "decoded 5"])
    }

    /// Another worker commits the file between the first look at the ledger and the claim: the
    /// look once the claim is held says so, the file is done without being read again, and the
    /// claim is given back.
    @Test func aFileCommittedElsewhereBeforeTheClaimIsDoneAndItsClaimGivenBack() async throws {
        let tree = try LogTree()
        let store = try tree.store()
        let clock = TestClock()
        let a = try Worker("worker-a", store: store, clock: clock)
        let b = try Worker("worker-b", store: store, clock: clock)
        let file = try tree.file("f1")
        var committedByB: [FileReport] = []
        let admissions = try #require(a.runner.processor.admissions(for: [file], beforeClaiming: {
            // b reads and commits the file on its own claim, which its commit consumes.
            committedByB = (try? b.runner.committer.stage(b.runner.processor.process(file))).flatMap { $0.map { [$0] } } ?? []
            committedByB += (try? b.runner.committer.flush()) ?? []
        }))
        #expect(committedByB.map(\.status) == [.done])
        let admission = try #require(admissions.first)
        #expect(admission.ledger == nil, "the first look was before b's commit")
        #expect(admission.claim == .granted)
        #expect(admission.ledgerOnceClaimed?.status == .done, "the ledger was not looked at again once the claim was held")
        guard case .alreadyDone = a.runner.processor.process(file, admission: admission).outcome else {
            Issue.record("the file b committed was not found done")
            return
        }
        #expect(a.keeper.inHand.isEmpty)
    }

    /// A worker that falls behind the others of its run finds their files done: those they
    /// committed during this run are taken as done without being read (here the files are gone
    /// from disk, so a read would fail); a row from before this run is still confirmed by
    /// reading and hashing the file (here rewritten at the same size, and read again).
    @Test func filesCommittedDuringThisRunAreDoneWithoutBeingReadAndOlderRowsAreConfirmed() async throws {
        let tree = try LogTree()
        let store = try tree.store()
        let clock = TestClock()
        let b = try Worker("worker-b", store: store, clock: clock)
        let earlier = try tree.file("earlier")
        #expect(try await b.run([earlier])[earlier.path]?.status == .done)
        clock.advance(seconds: 5)
        let a = try Worker("worker-a", store: store, clock: clock, peerCommitsSince: clock.now())
        clock.advance(seconds: 1)
        let peer = try tree.file("peer")
        let stale = try tree.file("stale")
        #expect(try await b.run([peer])[peer.path]?.status == .done)
        // b commits `stale` too, which then grows: a lists it at another size than b's row.
        #expect(try await b.run([stale])[stale.path]?.status == .done)
        try FileManager.default.removeItem(atPath: peer.path)
        let text = try String(contentsOfFile: earlier.path, encoding: .utf8)
        let changed = text.replacingOccurrences(of: "\"earlier-0\"", with: "\"earlier-9\"")
        #expect(changed.utf8.count == text.utf8.count && changed != text)
        try changed.write(toFile: earlier.path, atomically: false, encoding: .utf8)
        let grown = try tree.file("stale", records: 4)

        let files = [peer, earlier, grown]
        let admissions = try #require(a.runner.processor.admissions(for: files))
        #expect(Self.outcomes(a, files, admissions) == ["already done", "decoded 3", "decoded 4"])
        #expect(a.keeper.inHand == [grown.path, earlier.path].sorted(), "only the files read are claimed")

        // Without the run's start time, a done row is confirmed by reading the file: gone, it fails.
        let c = try Worker("worker-c", store: store, clock: clock)
        let again = try #require(c.runner.processor.admissions(for: [peer]))
        guard case .failed = c.runner.processor.process(peer, admission: again[0]).outcome else {
            Issue.record("the missing file was not read")
            return
        }
    }

    /// A run stopped after its first file: the batches asked for ahead claimed files it never
    /// read, and gives them all back.
    @Test func aRunStoppedEarlyLeavesNoClaimTakenAheadBehind() async throws {
        let tree = try LogTree()
        let store = try tree.store()
        let clock = TestClock()
        let a = try Worker("worker-a", store: store, clock: clock)
        // More files than the runner launches ahead of its commits, each committed on its own:
        // the stop comes with the first commit, before most files are launched.
        let files = try (0..<(IngestRunner.admissionBatch * 3 + 9)).map { try tree.file(String(format: "f%03d", $0), records: 1) }
        a.runner.committer.maxGroupFiles = 1
        let stop = StopSignal()
        let runner = IngestRunner(processor: a.runner.processor, committer: a.runner.committer, jobs: 2, onReport: { _ in stop.request() })
        let reports = try await runner.run(files, stop: stop)
        #expect(!reports.isEmpty && reports.count < files.count, "the run stopped part way (\(reports.count) files)")
        #expect(a.keeper.inHand.isEmpty)
        let b = try Worker("worker-b", store: store, clock: clock)
        let rest = files.map(\.path).filter { try! store.ledgerEntry(path: $0) == nil }
        #expect(try b.keeper.claim(rest) == rest.map { _ in .granted }, "a claim was left behind")
    }

    /// Files whose names differ only in Unicode normalisation are two files: a lone worker with
    /// claims claims, reads and commits each (Swift's `String` calls the two names equal).
    @Test func aLoneWorkerStoresBothOfTwoCanonicallyEquivalentNames() async throws {
        let tree = try LogTree()
        let store = try tree.store()
        let a = try Worker("worker-a", store: store, clock: TestClock())
        let nfc = try tree.file("caf\u{E9}")
        let nfd = try tree.file("cafe\u{301}")
        #expect(Array(nfc.path.utf8) != Array(nfd.path.utf8))
        let reports = try await a.runner.run([nfc, nfd])
        #expect(reports.map(\.status) == [.done, .done], "\(reports.map { "\($0.status) \($0.reason ?? "")" })")
        #expect(try store.ledgerEntries(paths: [nfc.path, nfd.path]).count == 2, "a ledger row is missing")
        #expect(a.keeper.inHand.isEmpty)
    }
}
