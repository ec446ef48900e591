import Foundation
import Synchronization
import Testing
import TrailIngest
import TrailModel
import TrailPipeline
import TrailStore
import TrailSync

/// A wall clock the test moves by hand: leases expire when the test says so.
final class TestClock: Sendable {
    static let start = EventTime(milliseconds: 1_714_521_600_000)  // 2024-05-01T00:00:00Z
    private let time = Mutex(TestClock.start)

    func now() -> EventTime { time.locked { $0 } }
    func advance(seconds: Int64) { time.locked { $0 = $0.adding(.seconds(seconds)) } }
    func advance(by duration: Duration) {
        time.locked { $0 = $0.adding(.init(milliseconds: duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)) }
    }
}

/// One worker of a shared store, in process: its own committer, detectors and claims.
struct Worker {
    let runner: IngestRunner
    let keeper: ClaimKeeper

    /// `peerCommitsSince`: see ``FileProcessor/peerCommitsSince`` (nil: every done row is
    /// confirmed by the file's fingerprint).
    init(_ id: String, store: Store, clock: TestClock, peerCommitsSince: EventTime? = nil,
         onReport: @escaping (FileReport) -> Void = { _ in }) throws {
        let rules = try RuleBook.load(directory: nil)
        let handOver = AlertHandOver(sinks: [], wallClock: { clock.now().milliseconds }, notify: {})
        let committer = try FileCommitter(store: store, rules: rules, handOver: handOver, wallClock: { clock.now() })
        keeper = ClaimKeeper(store: store, worker: try WorkerID(id), ttl: .seconds(60), now: { clock.now() })
        committer.claims = keeper
        var processor = FileProcessor(rules: rules, store: store)
        processor.claims = keeper
        processor.peerCommitsSince = peerCommitsSince
        runner = IngestRunner(processor: processor, committer: committer, jobs: 2, onReport: onReport)
    }

    func run(_ files: [DiscoveredFile], deferIncomplete: Bool = false) async throws -> [String: FileReport] {
        let reports = try await runner.run(files, deferIncomplete: deferIncomplete)
        return Dictionary(reports.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
    }
}

/// A temporary tree of small CloudTrail log files in the S3 layout.
struct LogTree {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-claims-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    /// Writes a log file of `records` GetSecretValue records of `account` and returns it.
    func file(_ name: String, account: String = "111111111111", records: Int = 3) throws -> DiscoveredFile {
        try write(name, account: account, day: "2024/05/01", stamp: "20240501T0000Z", records: (0..<records).map { i in
            """
            "eventTime":"2024-05-01T00:00:0\(i)Z","eventName":"GetSecretValue","requestParameters":{"secretId":"prod/db"},\
            "eventID":"\(name)-\(i)","readOnly":true
            """
        })
    }

    /// Writes a log file holding one `CreateSecret` of `name`, whose response names its full ARN.
    func createSecret(_ fileName: String, name: String, arn: String, account: String = "111111111111") throws -> DiscoveredFile {
        try write(fileName, account: account, day: "2024/04/30", stamp: "20240430T2300Z", records: ["""
            "eventTime":"2024-04-30T23:00:00Z","eventName":"CreateSecret","requestParameters":{"name":"\(name)"},\
            "responseElements":{"arn":"\(arn)","name":"\(name)"},"eventID":"\(fileName)-create","readOnly":false
            """])
    }

    /// Writes a log file of Secrets Manager calls by alice in `account`, each record's own fields
    /// given as JSON members.
    private func write(_ name: String, account: String, day: String, stamp: String, records: [String]) throws -> DiscoveredFile {
        let directory = "\(root)/AWSLogs/\(account)/CloudTrail/us-east-1/\(day)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let body = records.map { fields in
            """
            {"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::\(account):user/alice","accountId":"\(account)"},\
            "eventSource":"secretsmanager.amazonaws.com","awsRegion":"us-east-1","sourceIPAddress":"10.0.0.1","userAgent":"aws-cli/2",\
            "eventType":"AwsApiCall","recipientAccountId":"\(account)",\(fields)}
            """
        }.joined(separator: ",")
        let path = "\(directory)/\(account)_CloudTrail_us-east-1_\(stamp)_\(name).json"
        let data = Data("{\"Records\":[\(body)]}".utf8)
        try data.write(to: URL(fileURLWithPath: path))
        return DiscoveredFile(path: path, size: Int64(data.count))
    }

    func store() throws -> Store { try Store.open(path: root + "/store.db") }
}

@Suite struct ClaimingWorkerTests {
    @Test func aWorkerSkipsTheFileAnotherHoldsAndTheOtherCommitsIt() async throws {
        let tree = try LogTree()
        let store = try tree.store()
        let clock = TestClock()
        let a = try Worker("worker-a", store: store, clock: clock)
        let b = try Worker("worker-b", store: store, clock: clock)
        let f1 = try tree.file("f1")
        let f2 = try tree.file("f2")

        // b is reading f1.
        #expect(try b.keeper.claim(f1.path) == .granted)
        let first = try await a.run([f1, f2])
        #expect(first[f1.path]?.status == .claimedElsewhere)
        #expect(first[f1.path]?.reason?.contains("worker-b") == true)
        #expect(first[f2.path]?.status == .done)
        #expect(try store.ledgerEntry(path: f1.path) == nil, "a read the file b holds")
        #expect(a.keeper.inHand.isEmpty)
        var summary = RunSummary()
        for report in first.values { summary.add(report) }
        #expect(summary.filesClaimedElsewhere == 1 && summary.filesDone == 1 && summary.filesFailed == 0)

        let second = try await b.run([f1, f2])
        #expect(second[f1.path]?.status == .done)
        #expect(second[f1.path]?.eventsStored == 3)
        #expect(second[f2.path]?.status == .alreadyDone)
        #expect(b.keeper.inHand.isEmpty)

        // a, later: both files are in the ledger, nothing is read again, no claim is left behind.
        let third = try await a.run([f1, f2])
        #expect(third.values.allSatisfy { $0.status == .alreadyDone })
        let c = try Worker("worker-c", store: store, clock: clock)
        #expect(try c.keeper.claim(f1.path) == .granted && c.keeper.claim(f2.path) == .granted)
    }

    /// Worker b started before worker a learned a secret's full ARN (from its CreateSecret) and
    /// committed it; b then reads calls that name the secret by name only, and resolves them to
    /// the full ARN a stored, as one worker reading both files would.
    @Test func aWorkerResolvesNamesToTheFullARNAnotherWorkerStored() async throws {
        let tree = try LogTree()
        let store = try tree.store()
        let clock = TestClock()
        let a = try Worker("worker-a", store: store, clock: clock)
        let b = try Worker("worker-b", store: store, clock: clock)
        let full = "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db-AbCdEf"
        let create = try tree.createSecret("c1", name: "prod/db", arn: full)
        let reads = try tree.file("f1")

        #expect(try await a.run([create])[create.path]?.status == .done)
        #expect(try await b.run([reads])[reads.path]?.eventsStored == 3)
        let rows = try QueryService(store: store, now: clock.now()).access(QueryScope(limit: 0), AccessFilter(eventNames: ["GetSecretValue"])).rows
        #expect(rows.count == 3)
        #expect(rows.allSatisfy { $0[10] == .text(full) }, "\(rows.map { $0[10] })")
    }

    @Test func aWorkerStalledPastItsLeaseCannotCommitTheFileTakenOver() async throws {
        let tree = try LogTree()
        let store = try tree.store()
        let clock = TestClock()
        let a = try Worker("worker-a", store: store, clock: clock)
        let b = try Worker("worker-b", store: store, clock: clock)
        let f1 = try tree.file("f1")
        let f2 = try tree.file("f2")

        // a reads f1, 30 s later f2, and stages them; then it stalls (a GC pause, a partition)
        // past f1's lease.
        #expect(try a.runner.committer.stage(a.runner.processor.process(f1)) == nil)
        clock.advance(seconds: 30)
        #expect(try a.runner.committer.stage(a.runner.processor.process(f2)) == nil)
        #expect(a.keeper.inHand == [f1.path, f2.path].sorted())
        clock.advance(seconds: 31)

        // f1's lease ran out at 60 s: b takes it over and commits it.
        let taken = try await b.run([f1])
        #expect(taken[f1.path]?.status == .done)
        // f2 is still a's (renewed at 30 s).
        #expect(try b.keeper.claim(f2.path) == .held(by: "worker-a", until: TestClock.start.adding(.seconds(90))))

        // a wakes up: its group commits without f1, which it reports as taken over.
        let reports = try a.runner.committer.flush()
        #expect(reports.map(\.status).sorted { "\($0)" < "\($1)" } == [.done, .takenOver])
        #expect(reports.first { $0.path == f1.path }?.status == .takenOver)
        #expect(reports.first { $0.path == f1.path }?.reason?.contains("worker-a") == true)
        #expect(try store.ledgerEntry(path: f1.path)?.ingestedAt == TestClock.start.adding(.seconds(61)), "a's row replaced b's")
        #expect(try store.ledgerEntry(path: f2.path)?.status == .done)
        #expect(a.keeper.inHand.isEmpty)
        var summary = RunSummary()
        for report in reports { summary.add(report) }
        #expect(summary.filesDone == 1 && summary.filesFailed == 0 && summary.filesSkipped == 0)
        #expect(summary.records == 3 && summary.eventsStored == 3, "the file taken over was counted")
    }

    @Test func filesDeferredOrOutsideTheShardHoldNoClaim() async throws {
        let tree = try LogTree()
        let store = try tree.store()
        let clock = TestClock()
        let a = try Worker("worker-a", store: store, clock: clock)
        // An empty file with a CloudTrail log name looks like a delivery still being written.
        let empty = try tree.file("empty", records: 0)
        try FileManager.default.removeItem(atPath: empty.path)
        let emptyFile = DiscoveredFile(path: empty.path + ".gz", size: 0)
        try Data().write(to: URL(fileURLWithPath: emptyFile.path))
        let other = try tree.file("other", account: "428471960213")  // shard 1 of 2
        let mine = try tree.file("mine")                              // 111111111111: shard 2 of 2
        a.runner.shard = Shard(index: 2, count: 2)

        let reports = try await a.run([emptyFile, other, mine], deferIncomplete: true)
        #expect(reports[emptyFile.path]?.status == .deferred)
        #expect(reports[other.path]?.status == .outsideShard)
        #expect(reports[mine.path]?.status == .done)
        #expect(try store.ledgerEntry(path: other.path) == nil)
        #expect(a.keeper.inHand.isEmpty)
        let b = try Worker("worker-b", store: store, clock: clock)
        #expect(try b.keeper.claim(emptyFile.path) == .granted, "the deferred file's claim was kept")
        #expect(try b.keeper.claim(other.path) == .granted, "the file outside the shard was claimed")
    }
}

@Suite struct ClaimKeeperTests {
    @Test func renewalKeepsTheClaimsInHandAndDropsThoseLost() throws {
        let tree = try LogTree()
        let store = try tree.store()
        let clock = TestClock()
        let a = try Worker("worker-a", store: store, clock: clock)
        let b = try Worker("worker-b", store: store, clock: clock)
        #expect(try a.keeper.claim("f1") == .granted)
        clock.advance(seconds: 30)
        #expect(try a.keeper.claim("f2") == .granted)
        clock.advance(seconds: 20)
        #expect(try a.keeper.renew() == [])  // both now until 110 s
        clock.advance(seconds: 55)
        #expect(try b.keeper.claim("f1") == .held(by: "worker-a", until: TestClock.start.adding(.seconds(110))))
        clock.advance(seconds: 6)  // 111 s: both expired, b takes f1 over
        #expect(try b.keeper.claim("f1") == .granted)
        #expect(try a.keeper.renew() == ["f1"])
        #expect(a.keeper.inHand == ["f2"])
        try a.keeper.releaseAll()
        #expect(a.keeper.inHand.isEmpty)
        #expect(try b.keeper.claim("f2") == .granted)
        // Releasing what another worker holds leaves it alone.
        try a.keeper.release(["f1"])
        #expect(try a.keeper.claim("f1") == .held(by: "worker-b", until: TestClock.start.adding(.seconds(171))))
    }

    @Test(arguments: ["", "a b", "tab\there", String(repeating: "x", count: 201), "naïve"])
    func unusableWorkerIDs(text: String) {
        #expect(throws: PipelineError.self) { try WorkerID(text) }
    }

    @Test func generatedWorkerIDsAreUsableAndDiffer() throws {
        let one = WorkerID.generate()
        let two = WorkerID.generate()
        #expect(one != two)
        #expect(try WorkerID(one.value) == one)
        #expect(one.value.split(separator: ":").count == 3)
    }
}

extension ClaimKeeperTests {
    /// The renewal loop, with a sleep that moves the test clock: every third of the lease the
    /// claims in hand are renewed, so they outlive several leases; a claim taken over meanwhile
    /// is reported lost.
    @Test func theRenewalLoopRenewsEveryThirdOfTheLease() async throws {
        let tree = try LogTree()
        let store = try tree.store()
        let clock = TestClock()
        let slept = Mutex<[Duration]>([])
        let lostSeen = Mutex<[String]>([])
        let keeper = ClaimKeeper(store: store, worker: try WorkerID("worker-a"), ttl: .seconds(60), now: { clock.now() },
                                 sleep: { interval in
                                     slept.locked { $0.append(interval) }
                                     clock.advance(seconds: 20)
                                     if slept.locked({ $0.count }) > 9 { throw CancellationError() }
                                 })
        let other = ClaimKeeper(store: store, worker: try WorkerID("worker-b"), ttl: .seconds(60), now: { clock.now() })
        #expect(try keeper.claim("f1") == .granted)
        #expect(try store.claimFile("f2", worker: "worker-a", now: clock.now(), ttl: .seconds(60)) == .granted)
        // f2 is in the store but not in the keeper's hand: it is not renewed, and b takes it over.
        await keeper.renewUntilCancelled(onLost: { lost in lostSeen.locked { $0 += lost } }, onError: { _ in })
        #expect(slept.locked { $0 } == Array(repeating: .seconds(20), count: 10))
        // 200 s later, f1 is still a's (renewed at 180 s, until 240 s).
        #expect(clock.now() == TestClock.start.adding(.seconds(200)))
        #expect(try other.claim("f1") == .held(by: "worker-a", until: TestClock.start.adding(.seconds(240))))
        #expect(try other.claim("f2") == .granted)
        #expect(lostSeen.locked { $0 }.isEmpty)
        #expect(keeper.inHand == ["f1"])
    }

    /// A worker that slept past its lease (a pause) while another took its file over hears of it
    /// at its next renewal, and no longer holds the file.
    @Test func theRenewalLoopReportsClaimsLostDuringAPause() async throws {
        let tree = try LogTree()
        let store = try tree.store()
        let clock = TestClock()
        let other = ClaimKeeper(store: store, worker: try WorkerID("worker-b"), ttl: .seconds(60), now: { clock.now() })
        let calls = Mutex(0)
        let lostSeen = Mutex<[String]>([])
        let keeper = ClaimKeeper(store: store, worker: try WorkerID("worker-a"), ttl: .seconds(60), now: { clock.now() },
                                 sleep: { _ in
                                     let call = calls.locked { $0 += 1; return $0 }
                                     if call == 2 { throw CancellationError() }
                                     clock.advance(seconds: 61)
                                     #expect(try other.claim("f1") == .granted)
                                 })
        #expect(try keeper.claim("f1") == .granted)
        #expect(try keeper.claim("f2") == .granted)
        await keeper.renewUntilCancelled(onLost: { lost in lostSeen.locked { $0 += lost } }, onError: { _ in })
        #expect(lostSeen.locked { $0 } == ["f1"])
        #expect(keeper.inHand == ["f2"])
        #expect(try other.claim("f2") == .held(by: "worker-a", until: TestClock.start.adding(.seconds(121))))
    }
}
