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

    @Test func aFileWhoseHolderDiedIsTakenOverOnceItsLeaseRunsOut() async throws {
        let tree = try LogTree()
        let store = try tree.store()
        let clock = TestClock()
        let heard = Heard()
        let a = try Worker("worker-a", store: store, clock: clock, onReport: heard.add)
        let ghost = try Worker("ghost", store: store, clock: clock)
        a.runner.pause = { clock.advance(by: $0) }
        let f1 = try tree.file("f1")
        let f2 = try tree.file("f2")

        // The ghost claimed f1 (a 60 s lease) and died without committing it.
        #expect(try ghost.keeper.claim(f1.path) == .granted)
        let reports = try await a.runner.run([f1, f2], revisitHeld: .seconds(120))

        let byPath = Dictionary(reports.map { ($0.path, $0.status) }, uniquingKeysWith: { a, _ in a })
        #expect(reports.count == 2)
        #expect(byPath[f1.path] == .done && byPath[f2.path] == .done)
        #expect(try store.ledgerEntry(path: f1.path)?.status == .done)
        #expect(heard.all.map(\.status) == [.done, .done], "the first look's 'claimed elsewhere' is not reported")
        let waited = clock.now().milliseconds - TestClock.start.milliseconds
        #expect(waited >= 60_000 && waited < 62_000, "taken over as soon as the lease ran out (waited \(waited) ms)")
        #expect(a.keeper.inHand.isEmpty)
    }

    @Test func aFileItsHolderCommitsMeanwhileIsAlreadyDone() async throws {
        let tree = try LogTree()
        let store = try tree.store()
        let clock = TestClock()
        let heard = Heard()
        let a = try Worker("worker-a", store: store, clock: clock, onReport: heard.add)
        let b = try Worker("worker-b", store: store, clock: clock)
        let f1 = try tree.file("f1")
        let f2 = try tree.file("f2")

        #expect(try b.keeper.claim(f1.path) == .granted)
        // b finishes f1 while a waits for the first time (only a's task runs b here); then f1
        // goes away, so a could only fail it if it read it again.
        nonisolated(unsafe) let holder = b
        let pauses = Mutex(0)
        a.runner.pause = { duration in
            clock.advance(by: duration)
            if pauses.locked({ $0 += 1; return $0 }) == 1 {
                _ = try await holder.run([f1])
                try FileManager.default.removeItem(atPath: f1.path)
            }
        }
        let reports = try await a.runner.run([f1, f2], revisitHeld: .seconds(120))

        let byPath = Dictionary(reports.map { ($0.path, $0.status) }, uniquingKeysWith: { a, _ in a })
        #expect(byPath[f1.path] == .alreadyDone && byPath[f2.path] == .done)
        #expect(pauses.locked { $0 } == 1)
        #expect(heard.all.map(\.status).sorted { "\($0)" < "\($1)" } == [.alreadyDone, .done])
        #expect(try store.ledgerEntry(path: f1.path)?.records == 3)
    }

    @Test func aFileHeldByAWorkerThatKeepsRenewingIsReportedAsHeldOnceWhenPatienceRunsOut() async throws {
        let tree = try LogTree()
        let store = try tree.store()
        let clock = TestClock()
        let heard = Heard()
        let a = try Worker("worker-a", store: store, clock: clock, onReport: heard.add)
        let b = try Worker("worker-b", store: store, clock: clock)
        let f1 = try tree.file("f1")
        let f2 = try tree.file("f2")

        #expect(try b.keeper.claim(f1.path) == .granted)
        let keeper = b.keeper
        a.runner.pause = { duration in
            clock.advance(by: duration)
            let lost = try keeper.renew()
            #expect(lost.isEmpty)
        }
        let reports = try await a.runner.run([f1, f2], revisitHeld: .seconds(10))

        let byPath = Dictionary(reports.map { ($0.path, $0.status) }, uniquingKeysWith: { a, _ in a })
        #expect(reports.count == 2)
        #expect(byPath[f1.path] == .claimedElsewhere && byPath[f2.path] == .done)
        #expect(heard.all.filter { $0.status == .claimedElsewhere }.map(\.path) == [f1.path], "reported once, at the end")
        #expect(heard.all.last?.status == .claimedElsewhere)
        let waited = clock.now().milliseconds - TestClock.start.milliseconds
        #expect(waited >= 10_000 && waited < 12_000, "gave up after the patience given (waited \(waited) ms)")
        #expect(try store.ledgerEntry(path: f1.path) == nil)
    }

    @Test func withoutRevisitingAHeldFileIsReportedAtOnceAndNotLookedAtAgain() async throws {
        let tree = try LogTree()
        let store = try tree.store()
        let clock = TestClock()
        let heard = Heard()
        let a = try Worker("worker-a", store: store, clock: clock, onReport: heard.add)
        let b = try Worker("worker-b", store: store, clock: clock)
        a.runner.pause = { _ in Issue.record("no pause without revisitHeld") }
        let f1 = try tree.file("f1")
        #expect(try b.keeper.claim(f1.path) == .granted)
        let reports = try await a.runner.run([f1])
        #expect(reports.map(\.status) == [.claimedElsewhere])
        #expect(heard.all.map(\.status) == [.claimedElsewhere])
    }
}
