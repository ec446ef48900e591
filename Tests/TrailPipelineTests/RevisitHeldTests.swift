import Foundation
import Synchronization
import Testing
import TrailIngest
import TrailModel
import TrailPipeline
import TrailStore

/// `run(_:revisitHeld:)` (what `backfill` does on a shared store): a file another worker held
/// is looked at again until its holder lets it go, and only its final outcome is reported.
@Suite struct RevisitHeldTests {
    /// The reports a worker handed to its `onReport`, in order.
    final class Heard: Sendable {
        private let reports = Mutex<[FileReport]>([])
        func add(_ report: FileReport) { reports.locked { $0.append(report) } }
        var all: [FileReport] { reports.locked { $0 } }
    }

    /// Worker a, which reports to `heard`, and worker b, which holds f1's claim; two log files.
    struct Scene {
        let store: Store
        let clock = TestClock()
        let heard = Heard()
        let a: Worker
        let b: Worker
        let f1: DiscoveredFile
        let f2: DiscoveredFile

        init(holder: String = "worker-b") throws {
            let tree = try LogTree()
            store = try tree.store()
            a = try Worker("worker-a", store: store, clock: clock, onReport: heard.add)
            b = try Worker(holder, store: store, clock: clock)
            f1 = try tree.file("f1")
            f2 = try tree.file("f2")
            #expect(try b.keeper.claim(f1.path) == .granted)
        }

        /// How long a's pauses moved the clock.
        var waited: Int64 { clock.now().milliseconds - TestClock.start.milliseconds }

        func statuses(_ reports: [FileReport]) -> [String: FileReport.Status] {
            Dictionary(reports.map { ($0.path, $0.status) }, uniquingKeysWith: { a, _ in a })
        }
    }

    @Test func aFileWhoseHolderDiedIsTakenOverOnceItsLeaseRunsOut() async throws {
        // The ghost claimed f1 (a 60 s lease) and died without committing it.
        let scene = try Scene(holder: "ghost")
        let clock = scene.clock
        scene.a.runner.pause = { clock.advance(by: $0) }
        let reports = try await scene.a.runner.run([scene.f1, scene.f2], revisitHeld: .seconds(120))

        let byPath = scene.statuses(reports)
        #expect(reports.count == 2)
        #expect(byPath[scene.f1.path] == .done && byPath[scene.f2.path] == .done)
        #expect(try scene.store.ledgerEntry(path: scene.f1.path)?.status == .done)
        #expect(scene.heard.all.map(\.status) == [.done, .done], "the first look's 'claimed elsewhere' is not reported")
        #expect(scene.waited >= 60_000 && scene.waited < 62_000, "taken over as soon as the lease ran out (waited \(scene.waited) ms)")
        #expect(scene.a.keeper.inHand.isEmpty)
    }

    @Test func aFileItsHolderCommitsMeanwhileIsAlreadyDone() async throws {
        let scene = try Scene()
        let (clock, f1) = (scene.clock, scene.f1)
        // b finishes f1 while a waits for the first time (only a's task runs b here); then f1
        // goes away, so a could only fail it if it read it again.
        nonisolated(unsafe) let holder = scene.b
        let pauses = Mutex(0)
        scene.a.runner.pause = { duration in
            clock.advance(by: duration)
            if pauses.locked({ $0 += 1; return $0 }) == 1 {
                _ = try await holder.run([f1])
                try FileManager.default.removeItem(atPath: f1.path)
            }
        }
        let reports = try await scene.a.runner.run([f1, scene.f2], revisitHeld: .seconds(120))

        let byPath = scene.statuses(reports)
        #expect(byPath[f1.path] == .alreadyDone && byPath[scene.f2.path] == .done)
        #expect(pauses.locked { $0 } == 1)
        #expect(scene.heard.all.map(\.status).sorted { "\($0)" < "\($1)" } == [.alreadyDone, .done])
        #expect(try scene.store.ledgerEntry(path: f1.path)?.records == 3)
    }

    @Test func aFileHeldByAWorkerThatKeepsRenewingIsReportedAsHeldOnceWhenPatienceRunsOut() async throws {
        let scene = try Scene()
        let (clock, keeper) = (scene.clock, scene.b.keeper)
        scene.a.runner.pause = { duration in
            clock.advance(by: duration)
            let lost = try keeper.renew()
            #expect(lost.isEmpty)
        }
        let reports = try await scene.a.runner.run([scene.f1, scene.f2], revisitHeld: .seconds(10))

        let byPath = scene.statuses(reports)
        #expect(reports.count == 2)
        #expect(byPath[scene.f1.path] == .claimedElsewhere && byPath[scene.f2.path] == .done)
        #expect(scene.heard.all.filter { $0.status == .claimedElsewhere }.map(\.path) == [scene.f1.path], "reported once, at the end")
        #expect(scene.heard.all.last?.status == .claimedElsewhere)
        #expect(scene.waited >= 10_000 && scene.waited < 12_000, "gave up after the patience given (waited \(scene.waited) ms)")
        #expect(try scene.store.ledgerEntry(path: scene.f1.path) == nil)
    }

    /// f1 is in the ledger, then rewritten at the same size: b claims it to read it again, and
    /// a, finding it changed and held, must not take the old row for b's commit. b dies; a takes
    /// f1 over once the lease runs out and stores what is new in it.
    @Test func aFileReadChangedAndHeldIsNotSettledByItsOldLedgerRow() async throws {
        let tree = try LogTree()
        let store = try tree.store()
        let clock = TestClock()
        let heard = Heard()
        let a = try Worker("worker-a", store: store, clock: clock, onReport: heard.add)
        let b = try Worker("ghost", store: store, clock: clock)
        let f1 = try tree.file("f1")
        #expect(try await a.runner.run([f1]).map(\.status) == [.done])
        let old = try #require(try store.ledgerEntry(path: f1.path))
        let text = try String(contentsOfFile: f1.path, encoding: .utf8)
        let changed = text.replacingOccurrences(of: "\"f1-0\"", with: "\"f1-9\"")
        #expect(changed.utf8.count == text.utf8.count && changed != text)
        try changed.write(toFile: f1.path, atomically: false, encoding: .utf8)
        #expect(try b.keeper.claim(f1.path) == .granted)

        a.runner.pause = { clock.advance(by: $0) }
        let reports = try await a.runner.run([f1], revisitHeld: .seconds(120))
        #expect(reports.map(\.status) == [.done], "\(reports.map { "\($0.status) \($0.reason ?? "")" })")
        #expect(reports.first?.eventsStored == 1, "f1-9 is the one new record")
        let now = try #require(try store.ledgerEntry(path: f1.path))
        #expect(now.fingerprint != old.fingerprint && now.size == old.size)
        let waited = clock.now().milliseconds - TestClock.start.milliseconds
        #expect(waited >= 60_000, "read only once the holder's lease ran out (waited \(waited) ms)")
    }

    @Test func aStopWhileWaitingReportsTheHeldFileOnce() async throws {
        let scene = try Scene()
        let stop = StopSignal()
        scene.a.runner.pause = { _ in stop.request() }
        let reports = try await scene.a.runner.run([scene.f1, scene.f2], revisitHeld: .seconds(120), stop: stop)
        #expect(scene.statuses(reports) == [scene.f1.path: .claimedElsewhere, scene.f2.path: .done])
        #expect(scene.heard.all.filter { $0.status == .claimedElsewhere }.map(\.path) == [scene.f1.path])
    }

    @Test func withoutRevisitingAHeldFileIsReportedAtOnceAndNotLookedAtAgain() async throws {
        let scene = try Scene()
        scene.a.runner.pause = { _ in Issue.record("no pause without revisitHeld") }
        let reports = try await scene.a.runner.run([scene.f1])
        #expect(reports.map(\.status) == [.claimedElsewhere])
        #expect(scene.heard.all.map(\.status) == [.claimedElsewhere])
    }
}
