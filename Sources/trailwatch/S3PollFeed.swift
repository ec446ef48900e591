import Foundation
import TrailAWS
import TrailIngest
import TrailPipeline

/// `tail s3://…` by polling: every `interval`, lists the day prefixes of today and yesterday
/// (UTC, by the injected clock) per account and region, and hands over the objects not yet
/// settled. What is new is decided by identity (bucket, key, size, ETag) and the ledger, never
/// by a `StartAfter` marker, so an object delivered late into an older-sorting key is still read.
///
/// Objects seen handled (done, skipped, already in the ledger) are remembered while they stay in
/// the window, so a re-poll issues no GET for them; after a restart the ledger answers without a
/// GET. A failed object is tried again after 1, 2, 4 … 64 polls.
final class S3PollFeed: TailFeed {
    let source: S3Source
    let locations: [S3Location]
    let options: S3AccessOptions
    let interval: TimeInterval
    let now: @Sendable () -> Date
    let log: (String) -> Void
    /// When set, a listing in progress is cancelled once a stop is requested.
    var stop: StopSignal?

    private var nextPoll = Date.distantPast
    private var polls = 0
    private var listedOnce = false
    private var settled: Set<S3Source.Object> = []
    private var retry: [S3Source.Object: (poll: Int, backoff: Int)] = [:]
    private var inHand: [String: S3Source.Object] = [:]
    private var reportedProblems: Set<String> = []
    private var ignoredKeys = 0

    init(source: S3Source, locations: [S3Location], options: S3AccessOptions, interval: TimeInterval,
         now: @escaping @Sendable () -> Date = { Date() }, log: @escaping (String) -> Void) {
        self.source = source
        self.locations = locations
        self.options = options
        self.interval = interval
        self.now = now
        self.log = log
    }

    /// The listing window at `now`: from the start of yesterday (UTC) to `now`.
    static func window(now: Date) -> (since: Date, until: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let today = calendar.startOfDay(for: now)
        return (calendar.date(byAdding: .day, value: -1, to: today) ?? today, now)
    }

    func due() async throws(PipelineError) -> [DiscoveredFile] {
        let start = now()
        guard start >= nextPoll else { return [] }
        nextPoll = start.addingTimeInterval(interval)
        polls += 1
        let window = Self.window(now: start)
        let planner = CloudTrailS3Planner(client: source.client, since: window.since, until: window.until,
                                          accounts: options.accountSet, regions: options.regionSet, now: now)
        var listed: [S3Source.Object] = []
        var problems: [AWSError] = []
        var ignored = 0
        var failed: [S3Location] = []
        for location in locations {
            do {
                let plan = try await Self.untilStopped(stop) { () async throws(AWSError) in try await planner.plan(location) }
                problems += plan.problems
                // Only CloudTrail's key layout is read; other keys under the prefix are never fetched.
                let logs = plan.objects.filter { S3KeyKind.classify(bucket: location.bucket, key: $0.key, locations: [location]) == .log }
                ignored += plan.objects.count - logs.count
                listed += logs.map { S3Source.Object(bucket: location.bucket, key: $0.key, size: $0.size, etag: $0.etag) }
            } catch {
                if stop?.isRequested == true { return [] }
                // Before the first good listing a missing bucket or missing credentials end the
                // service (exit 2); later they are taken as passing and logged.
                if !listedOnce, [.noSuchBucket, .noCredentials, .badCredentials, .badConfiguration].contains(error.code) {
                    throw PipelineError(.file, wrapping: error)
                }
                // One location failing does not hold up the others.
                log("listing \(location) failed, trying again in \(Int(interval)) s: \(error)")
                failed.append(location)
            }
        }
        guard failed.count < locations.count else { return [] }
        if !listedOnce { log("polling \(locations.map(\.description).joined(separator: ", ")) every \(Self.format(interval))") }
        listedOnce = true
        let texts = Set(problems.map(\.description))
        for text in texts.subtracting(reportedProblems).sorted() { log(text) }
        reportedProblems = texts
        if ignored != ignoredKeys {
            if ignored > 0 { log("\(ignored) listed keys are not CloudTrail log files ([PREFIX/]AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/NAME); not read") }
            ignoredKeys = ignored
        }

        // Remember only what is still in the window (bounded by two days of objects).
        // What a failed location held stays remembered until it lists again.
        let unlisted = { (object: S3Source.Object) in failed.contains { $0.bucket == object.bucket && object.key.hasPrefix($0.prefix) } }
        let current = Set(listed).union(settled.filter(unlisted)).union(retry.keys.filter(unlisted))
        settled.formIntersection(current)
        retry = retry.filter { current.contains($0.key) }
        var files: [DiscoveredFile] = []
        for object in listed where !settled.contains(object) {
            if let wait = retry[object], wait.poll > polls { continue }
            inHand[object.path] = object
            files.append(source.register(object))
        }
        return ArchiveWalker.ordered(files)
    }

    func ingested(_ reports: [FileReport]) async {
        for report in reports {
            guard let object = inHand.removeValue(forKey: report.path) else { continue }
            if report.status == .claimedElsewhere {
                // Another worker has it in hand: listed and looked at again on the next poll.
                continue
            } else if report.status == .failed {
                let backoff = min(64, (retry[object]?.backoff ?? 0) * 2 + (retry[object] == nil ? 1 : 0))
                retry[object] = (polls + max(1, backoff), max(1, backoff))
            } else {
                retry[object] = nil
                settled.insert(object)
            }
        }
        source.forget(reports.map(\.path))
        // What a stop left unhandled is listed again on the next start.
        source.forget(inHand.keys)
        inHand.removeAll()
    }

    func finish() async {}

    /// Runs `body`, cancelling it once `stop` is requested (checked every 100 ms).
    static func untilStopped<T: Sendable>(_ stop: StopSignal?, _ body: @escaping @Sendable () async throws(AWSError) -> T) async throws(AWSError) -> T {
        guard let stop else { return try await body() }
        let work = Task { () async throws -> T in try await body() }
        let watcher = Task {
            while !Task.isCancelled && !stop.isRequested { try? await Task.sleep(for: .milliseconds(100)) }
            if stop.isRequested { work.cancel() }
        }
        defer { watcher.cancel() }
        do {
            return try await work.value
        } catch let error as AWSError {
            throw error
        } catch {
            throw AWSError(.cancelled, operation: "listing", reason: "\(error)")
        }
    }

    static func format(_ seconds: TimeInterval) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds)) s" : String(format: "%.2f s", seconds)
    }
}
