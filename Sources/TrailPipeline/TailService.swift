import Foundation
import Synchronization
import TrailSync
import TrailIngest
import TrailModel

/// `trailwatch tail`: catch up on every file the ledger does not hold, then ingest new and
/// moved-in files as they land, until asked to stop.
///
/// A file that looks half-written (truncated gzip, JSON that ends early) is retried once it has
/// stopped changing, and recorded as failed only after `incompleteTimeout`.
public final class TailService {
    public struct Options: Sendable {
        /// Poll the directories instead of using inotify.
        public var poll = false
        /// Time between scans when polling.
        public var pollInterval: Duration = .seconds(2)
        /// How long a half-written file may stay incomplete before it is recorded as failed.
        public var incompleteTimeout: Duration = .seconds(60)
        /// How often new paths are taken up and the stop flag is read.
        public var tick: Duration = .milliseconds(50)
        /// How long a half-written file must stay unchanged before it is retried.
        public var settleInterval: Duration = .seconds(1)
        /// How often a file another worker held the claim of is tried again (it is then usually
        /// in the ledger, or its claim expired because that worker died).
        public var claimRetryInterval: Duration = .seconds(5)
        /// How often ``TailService/deferredIndexes`` is asked again.
        public var indexRetryInterval: Duration = .seconds(30)

        public init() {}
    }

    private let directories: [String]
    private let runner: IngestRunner
    private let options: Options
    private let stop: StopSignal
    private let log: (String) -> Void

    /// Rules reloads asked for (SIGHUP), taken between ingestions.
    public var rulesReload: RulesReload?

    /// Sources besides the directories (`s3://` polling, SQS), asked for due files every tick.
    public var feeds: [any TailFeed] = []

    /// Set when the store lacks the history indexes a first load deferred and they could not be
    /// built at the start (other workers were loading; the last of them builds them when it
    /// ends): tries the build and says whether nothing is left to build. Asked every
    /// `indexRetryInterval` until it says so, so that if the loaders died without building, this
    /// writer builds them rather than the next one to start. A failure is logged and tried again.
    public var deferredIndexes: (() throws -> Bool)?
    /// When ``deferredIndexes`` was last asked, and the wait before the next time: the interval,
    /// doubled after each failure up to 10 minutes (a role that may not create indexes would
    /// otherwise log every interval for as long as the tail runs).
    private var indexesAsked = Date()
    private var indexWait: Duration?

    /// Half-written files waiting to settle: when each was first deferred.
    private var pending: [String: Date] = [:]
    /// When each pending file was last checked for stability.
    private var lastChecked: [String: Date] = [:]
    private var stability = FileStability()
    /// Files another worker held the claim of: when each was last tried.
    private var claimedElsewhere: [String: Date] = [:]

    public init(directories: [String], runner: IngestRunner, options: Options, stop: StopSignal, log: @escaping (String) -> Void) {
        self.directories = directories
        self.runner = runner
        self.options = options
        self.stop = stop
        self.log = log
    }

    /// Runs until `stop` is requested. Throws only when the store fails or a feed cannot start
    /// (the service cannot go on). Every feed is finished either way.
    public func run() async throws(PipelineError) {
        do throws(PipelineError) {
            try await watch()
        } catch {
            for feed in feeds { await feed.finish() }
            throw error
        }
        for feed in feeds { await feed.finish() }
    }

    private func watch() async throws(PipelineError) {
        var tailer: DirectoryTailer?
        if !directories.isEmpty {
            do {
                let started = try DirectoryTailer(directories: directories, options: .init(poll: options.poll, pollInterval: options.pollInterval))
                try started.start()
                tailer = started
            } catch {
                throw PipelineError(.file, wrapping: error)
            }
            log("watching \(directories.joined(separator: ", ")) with \(tailer?.mode?.rawValue ?? "inotify")")
        }
        defer { tailer?.stop() }

        // Catch up: everything already on disk, oldest first. Files landing meanwhile are also
        // reported by the tailer; the ledger makes the second look free.
        let queue = PathQueue()
        let consumer = Task { [tailer] in
            guard let tailer else { return }
            for await path in tailer.paths { queue.push(path) }
        }
        defer { consumer.cancel() }

        if let tailer {
            // The catch-up scan reports what it could not examine (a symlink loop, a directory
            // it may not list) as failed, like backfill's walk; later scans do not repeat it.
            let (files, failures) = tailer.rescanWithFailures()
            if !failures.isEmpty { try runner.recordUnreadable(failures) }
            try await ingest(files)
        }

        var announcedMode = tailer?.mode
        while !stop.isRequested {
            reloadRulesIfAsked()
            if let mode = tailer?.mode, mode != announcedMode {
                // The watcher gave up on inotify (a watched root moved or deleted, events lost,
                // the watch limit): say so, since new files now wait for the next poll.
                log("watching \(directories.joined(separator: ", ")) by polling every \(Self.seconds(options.pollInterval)) s from now on: inotify can no longer follow them (a watched directory was moved or deleted, or events were lost)")
                announcedMode = mode
            }
            let arrived = queue.drain()
            if !arrived.isEmpty {
                let files = ArchiveWalker.ordered(Set(arrived).compactMap(Self.discovered))
                try await ingest(files)
            }
            try await retryPending()
            try await retryClaimedElsewhere()
            buildDeferredIndexesWhenDue()
            for feed in feeds where !stop.isRequested {
                let files = try await feed.due()
                guard !files.isEmpty else { continue }
                // Remote objects are whole when listed: nothing is deferred as half-written.
                let reports = try await runner.run(files, deferIncomplete: false, stop: stop)
                await feed.ingested(reports)
            }
            if stop.isRequested { break }
            try? await Task.sleep(for: options.tick)
        }
    }

    /// Between runs nothing is staged, so the new rules apply from the next file on.
    private func reloadRulesIfAsked() {
        guard let rulesReload, rulesReload.take() else { return }
        do throws(PipelineError) {
            let rules = try rulesReload.load()
            try runner.reload(rules)
            log("rules reloaded: \(rules.definitions.count) rules from \(rules.origin)")
        } catch {
            log("rules not reloaded, the previous rules stay in force: \(error)")
        }
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private static func discovered(_ path: String) -> DiscoveredFile? {
        guard let snapshot = FileStability.snapshot(path) else { return nil }
        return DiscoveredFile(path: path, size: snapshot.size)
    }

    private func ingest(_ files: [DiscoveredFile], giveUp: Bool = false) async throws(PipelineError) {
        guard !files.isEmpty else { return }
        let reports = try await runner.run(files, deferIncomplete: !giveUp, stop: stop)
        for report in reports {
            claimedElsewhere[report.path] = report.status == .claimedElsewhere ? Date() : nil
            if report.status == .deferred {
                if pending[report.path] == nil {
                    pending[report.path] = Date()
                    log("\(report.path) looks incomplete, waiting for it to settle: \(report.reason ?? "")")
                }
                lastChecked[report.path] = Date()
                _ = stability.isStable(report.path)
            } else {
                pending[report.path] = nil
                lastChecked[report.path] = nil
                stability.forget(report.path)
            }
        }
    }

    /// Asks ``deferredIndexes`` again once its wait has passed since the last time.
    private func buildDeferredIndexesWhenDue() {
        let wait = indexWait ?? options.indexRetryInterval
        guard let build = deferredIndexes, Date().timeIntervalSince(indexesAsked) >= Self.seconds(wait) else { return }
        indexesAsked = Date()
        do {
            if try build() { deferredIndexes = nil }
            indexWait = nil
        } catch {
            let next = max(options.indexRetryInterval, min(wait * 2, .seconds(600)))
            indexWait = next
            log("building the deferred indexes of events and access failed (tried again in \(Self.seconds(next)) s): \(error)")
        }
    }

    /// Tries again the files another worker held the claim of, every `claimRetryInterval`.
    private func retryClaimedElsewhere() async throws(PipelineError) {
        guard !claimedElsewhere.isEmpty else { return }
        let now = Date()
        let interval = Self.seconds(options.claimRetryInterval)
        var due: [DiscoveredFile] = []
        for (path, tried) in claimedElsewhere where now.timeIntervalSince(tried) >= interval {
            claimedElsewhere[path] = nil
            if let file = Self.discovered(path) { due.append(file) }
        }
        try await ingest(ArchiveWalker.ordered(due))
    }

    /// Retries half-written files that have stopped changing; gives up on those past the timeout.
    private func retryPending() async throws(PipelineError) {
        guard !pending.isEmpty else { return }
        let now = Date()
        let timeout = Self.seconds(options.incompleteTimeout)
        var settled: [DiscoveredFile] = []
        var expired: [DiscoveredFile] = []
        for (path, since) in pending {
            guard let file = Self.discovered(path) else {
                // Gone (renamed away or deleted): nothing to ingest under this name.
                pending[path] = nil
                lastChecked[path] = nil
                stability.forget(path)
                continue
            }
            if now.timeIntervalSince(since) >= timeout {
                expired.append(file)
                continue
            }
            guard now.timeIntervalSince(lastChecked[path] ?? .distantPast) >= Self.seconds(options.settleInterval) else { continue }
            lastChecked[path] = now
            if stability.isStable(path) { settled.append(file) }
        }
        try await ingest(ArchiveWalker.ordered(settled))
        try await ingest(ArchiveWalker.ordered(expired), giveUp: true)
    }
}

/// Paths reported by the tailer, handed from its stream to the service loop.
final class PathQueue: Sendable {
    private let paths = Mutex<[String]>([])

    func push(_ path: String) { paths.locked { $0.append(path) } }

    func drain() -> [String] {
        paths.locked { paths in
            let taken = paths
            paths.removeAll()
            return taken
        }
    }
}
