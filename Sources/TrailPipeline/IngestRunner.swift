import Foundation
import Synchronization
import TrailSync
import TrailIngest
import TrailModel
import TrailStore

/// Runs files through the pipeline: the parallel stage on up to `jobs` files at once, then the
/// sequential stage in the files' given order (a reorder buffer), so that the store and the
/// alerts are the same whatever `jobs` is.
///
/// Memory stays bounded whatever the archive holds: at most `2 × jobs` files are being read and
/// decoded at once (each at most `--max-file-size` decompressed, plus its tape), and finished
/// files wait for their turn only while what they keep alive (`ProcessedFile.retainedBytes`,
/// decompressed bytes and tape) stays under `retainedBudget`, one file at a time when a single
/// file is larger; at most `16 × jobs + 8` files are launched ahead of the committer. Add the
/// committer's staged group, which holds only the normalised events it will store (while an
/// ``EarlyIndexBuild`` runs, up to `EarlyIndexBuild.groupGrowth` times its usual limits in files
/// and events, within its usual limit in bytes).
public final class IngestRunner {
    public private(set) var processor: FileProcessor
    public let committer: FileCommitter
    public let jobs: Int
    /// Bytes that finished files may keep alive while they wait for the committer.
    public var retainedBudget = 64 << 20
    private let onReport: (FileReport) -> Void
    /// Where files that are not local (`s3://…`) are fetched from; nil when every file is local.
    public var remote: (any RemoteFiles)?
    /// This worker's share of the files (`--shard K/N`); files of other shards are reported as
    /// `.outsideShard` and neither read nor claimed. Nil: every file.
    public var shard: Shard?
    /// Diagnostics for standard error (claim renewals that failed).
    public var log: @Sendable (String) -> Void = { _ in }
    /// For a first load whose secondary indexes are deferred: builds them on the writer once most
    /// of the run's bytes are staged, while the other cores still read and detect the last files,
    /// instead of on one core after everything else has finished. Nil: the caller builds them at
    /// the end (as it still must: this is only started once, and only for a large enough run).
    public var earlyIndexBuild: EarlyIndexBuild?
    /// Waits between looks at files another worker holds (``run(_:deferIncomplete:revisitHeld:stop:)``);
    /// tests pass one that moves their clock instead of sleeping.
    public var pause: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }

    public init(processor: FileProcessor, committer: FileCommitter, jobs: Int, onReport: @escaping (FileReport) -> Void) {
        self.processor = processor
        self.committer = committer
        self.jobs = max(1, jobs)
        self.onReport = onReport
    }

    /// Records paths that could not be read at all (directories the walk could not list) as
    /// failed in the ledger, with their reasons, so that they count in the run's summary and show
    /// in `status`. Returns their reports (also handed to `onReport`).
    @discardableResult
    public func recordUnreadable(_ failures: [IngestError]) throws(PipelineError) -> [FileReport] {
        var reports: [FileReport] = []
        for failure in failures {
            if let shard, !shard.contains(path: failure.path) { continue }
            if let claims = processor.claims {
                let claimed: ClaimResult
                do {
                    claimed = try claims.claim(failure.path)
                } catch {
                    throw PipelineError(.store, wrapping: error)
                }
                if case let .held(worker, until) = claimed {
                    let processed = ProcessedFile(file: DiscoveredFile(path: failure.path, size: 0), fingerprint: "",
                                                  outcome: .claimedElsewhere(worker: worker, until: until))
                    if let report = try committer.stage(processed) { reports.append(report) }
                    continue
                }
            }
            let processed = ProcessedFile(
                file: DiscoveredFile(path: failure.path, size: 0), fingerprint: "",
                outcome: .failed(reason: "\(failure)", incomplete: false))
            _ = try committer.stage(processed)
        }
        reports += try committer.flush()
        for report in reports { onReport(report) }
        return reports
    }

    /// Forgets the ledger's failures for directories that a walk has now listed, so that a
    /// directory that could not be listed once does not stay failed in `status` for ever.
    public func forgetRecovered(directories: [String]) throws(PipelineError) {
        do {
            try processor.store.forgetFailures(of: directories)
        } catch {
            throw PipelineError(.store, wrapping: error)
        }
    }

    /// Puts `rules` in force for the next run (matching and detectors alike). Call only between
    /// runs; throws, leaving the old rules in force, when the detectors cannot be built.
    public func reload(_ rules: RuleBook) throws(PipelineError) {
        try committer.reload(rules)
        var reloaded = FileProcessor(rules: rules, store: processor.store)
        reloaded.maxFileBytes = processor.maxFileBytes
        reloaded.maxRecordBytes = processor.maxRecordBytes
        reloaded.digestWatch = processor.digestWatch
        reloaded.claims = processor.claims
        processor = reloaded
    }

    /// Processes `files` in order; stops early (after committing the file in hand) when `stop`
    /// is requested. Returns the reports of the files handled.
    ///
    /// Files outside ``shard`` are reported at once and not read. With claims (``FileProcessor/claims``),
    /// the claims in hand are renewed every third of their lease while the run goes on, and
    /// those still in hand when it ends (files deferred or abandoned at a stop) are released.
    ///
    /// `revisitHeld` (with claims): after the files, look again at those another worker held,
    /// until each is settled or this much time has passed on the claims' clock: a file its holder
    /// committed is then already done, and one whose holder died is taken over once its lease
    /// ran out and read here. Only the final outcome of such a file is reported (a file still
    /// held at the end as `.claimedElsewhere`). Nil: each held file is reported at once and not
    /// looked at again (`tail` comes back to them on its own).
    @discardableResult
    public func run(_ files: [DiscoveredFile], deferIncomplete: Bool = false, revisitHeld: EventTime.Duration? = nil,
                    stop: StopSignal? = nil) async throws(PipelineError) -> [FileReport] {
        var reports: [FileReport] = []
        var mine = files
        if let shard {
            mine = []
            for file in files {
                if shard.contains(path: file.path) {
                    mine.append(file)
                } else {
                    let report = FileReport(path: file.path, status: .outsideShard)
                    reports.append(report)
                    onReport(report)
                }
            }
        }
        guard let claims = processor.claims, !mine.isEmpty else {
            return reports + (try await runFiles(mine, deferIncomplete: deferIncomplete, stop: stop))
        }
        let log = self.log
        let renewal = Task {
            await claims.renewUntilCancelled(
                onLost: { lost in log("worker \(claims.worker): lost the claims of \(lost.count) files to other workers (their commits will be refused): \(lost.prefix(3).joined(separator: ", "))") },
                onError: { log("worker \(claims.worker): renewing claims failed (tried again in a third of the lease): \($0)") })
        }
        defer { renewal.cancel() }
        var ran: [FileReport]
        do {
            ran = try await runFiles(mine, deferIncomplete: deferIncomplete, stop: stop, holdBackHeld: revisitHeld != nil)
            if let revisitHeld {
                ran = try await revisit(ran, of: mine, claims: claims, patience: revisitHeld, deferIncomplete: deferIncomplete, stop: stop)
            }
        } catch {
            try? claims.releaseAll()
            throw error
        }
        do {
            try claims.releaseAll()
        } catch {
            throw PipelineError(.store, wrapping: error)
        }
        return reports + ran
    }

    /// How many files' ledger rows and claims are asked for in one go.
    public static let admissionBatch = 32

    /// The first and the longest wait between looks at files another worker holds. A live
    /// holder commits within moments (it claims at most two batches ahead of what it reads); a
    /// dead one's lease runs out within `--claim-ttl`.
    static let revisitPauses: (first: Duration, longest: Duration) = (.milliseconds(50), .seconds(1))

    /// The files of `reports` that another worker held: looked at again (after a pause that
    /// doubles while nothing changes) until none is held or `patience` has passed; each file's
    /// last report replaces its `.claimedElsewhere` one, and those still held are reported then.
    private func revisit(_ reports: [FileReport], of files: [DiscoveredFile], claims: ClaimKeeper, patience: EventTime.Duration,
                         deferIncomplete: Bool, stop: StopSignal?) async throws(PipelineError) -> [FileReport] {
        var settled = reports.filter { $0.status != .claimedElsewhere }
        var held = reports.filter { $0.status == .claimedElsewhere }
        // The held files, in their given order, picked out of all the files once.
        let firstHeld = Set(held.map { PathKey($0.path) })
        var heldFiles = files.filter { firstHeld.contains(PathKey($0.path)) }
        let deadline = claims.currentTime.adding(patience)
        var wait = Self.revisitPauses.first
        while !held.isEmpty, !(stop?.isRequested ?? false), claims.currentTime < deadline {
            do {
                try await pause(wait)
            } catch {
                break   // cancelled: what is still held is reported as such
            }
            let heldNow = Dictionary(held.map { (PathKey($0.path), $0) }, uniquingKeysWith: { a, _ in a })
            let again = heldFiles.filter { heldNow[PathKey($0.path)] != nil }
            // A file its holder committed meanwhile, at the size this run listed (and, when this
            // worker had read it, with the fingerprint it read): the holder read it after this
            // run listed it, so its fingerprint stands for this run too, and the file is not read
            // again here (reading and hashing the files three workers shared out cost more than a
            // second of CPU per worker on the 1M-record tree).
            let ledger = (try? processor.store.ledgerEntries(paths: again.map(\.path))) ?? [:]
            var unsettled: [DiscoveredFile] = []
            for file in again {
                let key = PathKey(file.path)
                if let entry = ledger[key], entry.status != .failed, entry.size == file.size,
                   heldNow[key]?.fingerprintRead.map({ $0 == entry.fingerprint }) ?? true {
                    let report = FileReport(path: file.path, status: .alreadyDone)
                    settled.append(report)
                    onReport(report)
                } else {
                    unsettled.append(file)
                }
            }
            let reran = try await runFiles(unsettled, deferIncomplete: deferIncomplete, stop: stop, holdBackHeld: true)
            settled += reran.filter { $0.status != .claimedElsewhere }
            // Files a stop left unread keep the report they had.
            let answered = Set(reran.map { PathKey($0.path) })
            let stillHeld = reran.filter { $0.status == .claimedElsewhere }
                + unsettled.compactMap { answered.contains(PathKey($0.path)) ? nil : heldNow[PathKey($0.path)] }
            wait = stillHeld.count < held.count ? Self.revisitPauses.first : min(wait * 2, Self.revisitPauses.longest)
            held = stillHeld
            heldFiles = again
        }
        for report in held { onReport(report) }
        return settled + held
    }

    /// `holdBackHeld`: files another worker holds are returned but not handed to `onReport`
    /// (``revisit`` reports them once it is done with them).
    private func runFiles(_ files: [DiscoveredFile], deferIncomplete: Bool, stop: StopSignal?,
                          holdBackHeld: Bool = false) async throws(PipelineError) -> [FileReport] {
        if files.isEmpty { return [] }
        let processor = self.processor
        let remote = self.remote
        // Keep the workers ahead of the committer (it is the slower stage) within a budget: at
        // most `window` files launched, `2 × jobs` of them unfinished (a queued task holds no
        // memory until it starts), and at most `retainedBudget` bytes kept alive by finished
        // files waiting for their turn.
        let window = jobs * 16 + 8
        let running = jobs * 2
        let byteBudget = retainedBudget
        var reports: [FileReport] = []
        reports.reserveCapacity(files.count)
        var failure: PipelineError?

        // Groups are written on their own task while the committer stages the next files: one
        // group at a time, in order, each confirmed before the next one starts.
        let writer = committer.writer
        // A shared store's commit mostly waits for its server: on a lane of its own, so that the
        // wait does not hold one of the cooperative pool's threads. SQLite's commit is work for a
        // core, and as a third thread beside the pool's two it measured slower (3.52 s against
        // 3.28 s, the 1,000,000-record tree, 4 alternating runs) with 15% more memory.
        let lane = writer.store.isShared ? BlockingLane(label: "trailwatch.group-writer") : nil
        var writing: Task<Result<[FileReport], PipelineError>, Never>?
        var writingDone: CompletionFlag?
        /// Whether the writer's task is the early index build rather than a group.
        var buildingIndexes = false
        // The early index build, when this run is the one to start it: due once `dueBytes` of the
        // listed files' bytes are staged.
        let listedBytes = files.reduce(Int64(0)) { $0 + max(0, $1.size) }
        let dueBytes = earlyIndexBuild.flatMap { $0.dueBytes(listed: listedBytes) }
        var stagedBytes: Int64 = 0

        func finishWriting() async {
            guard let task = writing else { return }
            writing = nil
            switch await task.value {
            case let .success(written):
                for report in written {
                    reports.append(report)
                    onReport(report)
                }
            case let .failure(error):
                if failure == nil { failure = error }
            }
            if buildingIndexes {
                buildingIndexes = false
            } else {
                committer.groupWritten()
            }
        }

        /// Runs `work` as the writer's task (the one in hand is finished first by the callers).
        func launchWriter(_ work: @escaping @Sendable () throws(PipelineError) -> [FileReport]) {
            let done = CompletionFlag()
            writingDone = done
            @Sendable func run() -> Result<[FileReport], PipelineError> {
                defer { done.set() }
                do throws(PipelineError) {
                    return .success(try work())
                } catch {
                    return .failure(error)
                }
            }
            writing = lane.map { lane in Task { await lane.run(run) } } ?? Task.detached { run() }
        }

        /// Starts the index build as the writer's next task; the staged group waits (and may grow
        /// to `EarlyIndexBuild.groupGrowth` times its limit) until the build is done.
        func startIndexBuild(_ build: EarlyIndexBuild) async {
            await finishWriting()
            guard failure == nil else { return }
            buildingIndexes = true
            launchWriter { () throws(PipelineError) in
                try build.build()
                return []
            }
        }

        func startWriting() async {
            await finishWriting()
            guard failure == nil, let prepared = committer.takeGroup() else { return }
            launchWriter { () throws(PipelineError) in try writer.write(prepared) }
        }

        // What the store says about each file (its ledger row; with claims, the claim) is asked
        // for a batch of files at once, one batch ahead of the files launched: on a shared store
        // that is a few round trips per batch instead of two or three per file.
        let batch = Self.admissionBatch
        var admissions: [Int: Task<[FileAdmission]?, Never>] = [:]
        func admissionsTask(batch number: Int) -> Task<[FileAdmission]?, Never> {
            if let task = admissions[number] { return task }
            let slice = Array(files[number * batch..<min(files.count, (number + 1) * batch)])
            let task = Task { processor.admissions(for: slice) }
            admissions[number] = task
            return task
        }

        await withTaskGroup(of: (Int, ProcessedFile).self) { group in
            var launched = 0
            var committed = 0
            var waiting: [Int: ProcessedFile] = [:]
            var unfinished = 0
            var waitingBytes = 0

            func launchMore() {
                while launched < files.count, launched - committed < window, unfinished < running, failure == nil,
                      !(stop?.isRequested ?? false), waitingBytes < byteBudget || launched == committed {
                    let index = launched
                    let file = files[index]
                    let number = index / batch
                    let admitted = admissionsTask(batch: number)
                    if (number + 1) * batch < files.count { _ = admissionsTask(batch: number + 1) }
                    if index % batch == batch - 1 || index == files.count - 1 { admissions[number] = nil }
                    group.addTask { (index, await processor.process(file, remote: remote, admission: await admitted.value?[index % batch])) }
                    launched += 1
                    unfinished += 1
                }
            }

            launchMore()
            while let (index, processed) = await group.next() {
                unfinished -= 1
                waiting[index] = processed
                waitingBytes += processed.retainedBytes
                while failure == nil, let ready = waiting.removeValue(forKey: committed) {
                    waitingBytes -= ready.retainedBytes
                    stagedBytes += max(0, ready.file.size)
                    do throws(PipelineError) {
                        if let report = try committer.stage(ready, deferIncomplete: deferIncomplete) {
                            reports.append(report)
                            if !(holdBackHeld && report.status == .claimedElsewhere) { onReport(report) }
                        }
                    } catch {
                        failure = error
                    }
                    // Hand the group over when it is due and the writer is free; wait for the
                    // writer only when the group is full. A busy writer (a checkpoint, a large
                    // group) thus never stalls staging and, through the window, the workers.
                    // Once every file is launched, a free writer takes what is staged at once,
                    // so the last group, written while nothing else runs, stays small.
                    let due = committer.shouldFlush || launched == files.count && committed + 1 < files.count
                    // While the writer builds the indexes, staging goes on past a full group
                    // (up to `groupGrowth` times its limits), so that the other cores keep busy.
                    let full = buildingIndexes ? committer.isGroupFull(times: EarlyIndexBuild.groupGrowth) : committer.isGroupFull
                    if failure == nil, due, writingDone?.isSet ?? true || full {
                        await startWriting()
                    }
                    if failure == nil, let build = earlyIndexBuild, let dueBytes, stagedBytes >= dueBytes, committed + 1 < files.count {
                        earlyIndexBuild = nil
                        await startIndexBuild(build)
                    }
                    committed += 1
                }
                launchMore()
            }
        }
        // Batches asked for ahead of files never launched (a stop, a failure): their claims are
        // in hand once these finish, and released with the rest when the run ends.
        for task in admissions.values { _ = await task.value }
        // The rest: what is staged (everything handled, or the files in hand when stopping).
        await startWriting()
        await finishWriting()
        if let failure { throw failure }
        return reports
    }
}

/// Set once by a task when it is about to finish, read without waiting for it.
private final class CompletionFlag: Sendable {
    private let value = Mutex(false)

    var isSet: Bool { value.locked { $0 } }

    func set() { value.locked { $0 = true } }
}
