import ArgumentParser
import Foundation
import TrailAWS
import TrailIngest
import TrailPipeline
import TrailStore
import TrailVerify

/// `trailwatch tail DIR...`: the long-running service beside a synced CloudTrail bucket.
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Watch CloudTrail log directories or S3 buckets and alert as files land.",
        discussion: """
        On start, every file under DIR that the store's ledger does not hold is ingested (oldest \
        first), exactly as `backfill` would. Then new and moved-in files are ingested as they are \
        closed or renamed into place, recursively, including directories created later. Temporary \
        names (*.tmp, dot-files) are ignored until renamed. A half-written file is retried once it \
        stops changing and recorded as failed after --incomplete-timeout.

        Each file's records, alerts, detector state and ledger row commit in one transaction, and \
        the alerts then wait in the store's outbox until each sink confirms them (delivery runs \
        beside ingestion and never holds it up): after a crash, nothing is lost or stored twice, \
        and pending alerts are delivered on restart (one may be sent again if the crash came \
        before its sink's confirmation was recorded; webhooks get the alert id as Idempotency-Key).

        With --public-keys, each CloudTrail digest is verified as it lands (the log files it lists, \
        its link to the previous digest, signatures, hours without a digest); problems raise \
        trail-log-missing, trail-log-altered, trail-digest-chain-broken and trail-logging-gap \
        alerts, and `status` shows the newest verified digest per account and region.

        Threshold alerts (bursts) are held until the newest event time seen passes the end of their \
        window plus --settle (default PT30M, the lateness), so a file landing late cannot change \
        which event they name: they arrive up to that long after the burst, in event time. Held \
        alerts are kept in the store across restarts. --settle PT5M alerts sooner (a file more than \
        5 minutes late may then change the alert); --settle PT0S fires at once, as files arrive.

        A DIR may be s3://BUCKET[/PREFIX]: every --poll-interval (default 60 s for S3) the day prefixes \
        of today and yesterday (UTC) are listed per account and region, and objects the ledger does \
        not hold (bucket, key, size, ETag) are read, however late or out of order they were \
        delivered; done objects cost no GET. With --sqs-queue-url, S3 event notifications (raw, \
        SNS-wrapped, or the trail's own SNS notifications) name new objects at once, and the poll \
        (default every 600 s then) catches anything missed. A message is deleted only after every \
        object it names has committed; test events, digest and unknown keys are acknowledged and \
        counted; unreadable messages are reported and left for the queue's redrive policy (DLQ). \
        Credentials, region and --endpoint-url as for backfill.

        SIGINT/SIGTERM: finish the file in hand, commit, deliver for up to --drain-timeout, exit 0. \
        A second signal exits at once. SIGHUP reloads the rules before the next file: they are \
        checked first, and when they are invalid the previous rules stay in force (the error is logged).
        `trailwatch query`, `alerts` and `status` work on the same store while tail runs; a second \
        `tail` or `backfill` on it is refused.

        Examples:
          trailwatch tail /data/cloudtrail/AWSLogs --db /var/lib/trailwatch/store.db
          trailwatch tail /mnt/bucket --poll --poll-interval 10
          trailwatch tail /data/cloudtrail --public-keys keys.json   # keys: aws cloudtrail list-public-keys
          trailwatch tail /data/AWSLogs --metrics 127.0.0.1:9464 --sink slack:https://hooks.slack.com/services/...
          trailwatch tail /data/cloudtrail/AWSLogs --settle PT5M
          trailwatch tail s3://org-trail-bucket/prefix --db /var/lib/trailwatch/store.db
          trailwatch tail s3://org-trail-bucket --sqs-queue-url https://sqs.us-east-1.amazonaws.com/111122223333/trail-queue
          trailwatch tail s3://bucket --accounts 111122223333 --regions us-east-1 --poll-interval 120
          trailwatch tail /data/AWSLogs --shard 1/4 --worker-id ingest-1
        """
    )

    @Argument(help: ArgumentHelp("Directories to watch (recursively), or s3://BUCKET[/PREFIX] to poll.", valueName: "dir"))
    var directories: [String]

    @OptionGroup var options: PipelineOptions

    @Flag(name: .long, help: "Poll instead of using inotify (for network filesystems where inotify sees nothing).")
    var poll = false

    @Option(name: .long, help: ArgumentHelp(
        "Seconds between scans when polling (0.01 to 3600). Default: 2 for directories; for s3:// 60, or 600 with --sqs-queue-url.",
        valueName: "seconds"))
    var pollInterval: Double?

    @Option(name: .customLong("sqs-queue-url"), help: ArgumentHelp(
        "s3:// only: also read S3 event notifications (raw, SNS-wrapped, or the trail's SNS notifications) from this SQS queue.",
        valueName: "url"))
    var sqsQueueURL: String?

    @Option(name: .customLong("sqs-visibility-timeout"), help: ArgumentHelp(
        "Seconds a received SQS message stays hidden, extended every third of it while its objects are in hand (10 to 43200).",
        valueName: "seconds"))
    var sqsVisibilityTimeout: Int = 120

    @OptionGroup(title: "S3") var s3Options: S3AccessOptions

    @Option(name: .long, help: ArgumentHelp("Seconds a half-written file may stay incomplete before it is recorded as failed (0.1 to 604800).", valueName: "seconds"))
    var incompleteTimeout: Double = 60

    @Option(name: .long, help: ArgumentHelp("Verify digests as they land with these keys (the JSON `aws cloudtrail list-public-keys` prints).", valueName: "file"))
    var publicKeys: String?

    @Option(name: .long, help: ArgumentHelp(
        "Serve Prometheus metrics at http://ADDR:PORT/metrics (ADDR defaults to 127.0.0.1; port 0 picks one and logs it).",
        valueName: "addr:port"))
    var metrics: String?

    /// Seconds between attempts to build the history indexes a first load left unbuilt (tests
    /// shorten it).
    @Option(name: .long, help: .hidden)
    var indexRetryInterval: Double = 30

    func validate() throws {
        if let pollInterval { try OptionRange.check("--poll-interval", pollInterval, OptionRange.pollInterval) }
        guard (10...43_200).contains(sqsVisibilityTimeout) else { throw ValidationError("--sqs-visibility-timeout must be between 10 and 43200") }
        if sqsQueueURL != nil && !directories.contains(where: S3Location.isS3) {
            throw ValidationError("--sqs-queue-url needs an s3://BUCKET[/PREFIX] to read (notifications for other buckets are ignored)")
        }
        try OptionRange.check("--incomplete-timeout", incompleteTimeout, OptionRange.incompleteTimeout)
        try OptionRange.check("--index-retry-interval", indexRetryInterval, OptionRange.indexRetryInterval)
        if let metrics, Self.metricsAddress(metrics) == nil {
            throw ValidationError("--metrics \"\(metrics)\" is not ADDR:PORT (such as 127.0.0.1:9464 or :9464)")
        }
    }

    func run() async throws {
        // Trap signals first, so a SIGTERM during start-up stops the service gracefully too.
        let stop = StopSignal()
        let options = self.options
        let reload = RulesReload { () throws(PipelineError) -> RuleBook in
            try RuleBook.load(directory: RuleBook.resolveDirectory(options.rules))
        }
        let trap = SignalTrap(stop: stop, reload: reload)
        let locations: [S3Location]
        do {
            locations = try directories.filter(S3Location.isS3).map { (text: String) throws(AWSError) -> S3Location in try S3Location(parsing: text) }
        } catch {
            throw CLIError.usage("\(error)")
        }
        let localDirectories = directories.filter { !S3Location.isS3($0) }
        for directory in localDirectories {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CLIError.usage("\(directory): no such directory")
            }
            guard FileManager.default.isReadableFile(atPath: directory) else {
                throw CLIError.usage("\(directory): not readable")
            }
        }
        var digestWatch: DigestWatch? = nil
        if let publicKeys {
            do {
                let bytes = try FileReader.readRaw(path: publicKeys, maxBytes: 16 << 20)
                digestWatch = DigestWatch(keys: try PublicKeyRing(json: bytes, path: publicKeys))
            } catch {
                throw CLIError.usage("--public-keys: \(error)")
            }
        }
        let s3: S3Source?
        do {
            s3 = locations.isEmpty ? nil : try S3Source(options: s3Options)
        } catch {
            throw CLIError.usage("\(error)")
        }
        // The S3 client must be shut down on every path out (its deinit traps otherwise).
        do {
            try await serve(s3: s3, locations: locations, localDirectories: localDirectories, digestWatch: digestWatch,
                            stop: stop, reload: reload)
        } catch {
            await s3?.shutdown()
            throw error
        }
        await s3?.shutdown()
        withExtendedLifetime(trap) {}
    }

    /// Everything after the S3 client exists: feeds, store, metrics, the service itself.
    private func serve(s3: S3Source?, locations: [S3Location], localDirectories: [String], digestWatch: DigestWatch?,
                       stop: StopSignal, reload: RulesReload) async throws {
        let options = self.options
        var summary = RunSummary()
        let progress = ProgressLine(enabled: false, total: 0)
        var feeds: [any TailFeed] = []
        let sqsCounters = SQSCounters()
        do {
            if let s3 {
                let log: @Sendable (String) -> Void = { StandardError.note($0) }
                if let sqsQueueURL {
                    let client = try SQSClient(transport: s3.transport, credentials: s3.client.credentials, queueURL: sqsQueueURL,
                                               endpoint: s3.endpointOverride.sqs, region: s3.client.region)
                    feeds.append(SQSFeed(client: client, source: s3, locations: locations, counters: sqsCounters,
                                         visibility: sqsVisibilityTimeout, log: log))
                }
                let poll = S3PollFeed(source: s3, locations: locations, options: s3Options,
                                      interval: pollInterval ?? (sqsQueueURL == nil ? 60 : 600), log: log)
                poll.stop = stop
                feeds.append(poll)
            }
        } catch {
            throw CLIError.usage("\(error)")
        }
        let (runner, delivery) = try options.makeRunner(digestWatch: digestWatch) { report in
            summary.add(report)
            BackfillCommand.diagnose(report, progress: progress)
        }
        runner.remote = s3
        var metricsServer: MetricsServer?
        if let metrics, let (host, port) = Self.metricsAddress(metrics) {
            let timer = CommitTimer()
            runner.committer.commitTimer = timer
            let reader: Store
            do {
                reader = try StoreLocation(options.db).open(readOnly: true)
            } catch {
                throw CLIError.usage("\(error)")
            }
            let sqs = sqsQueueURL == nil ? nil : sqsCounters
            let render: @Sendable () -> String = { [delivery] in
                guard let totals = try? reader.metrics() else { return "# the store could not be read\n" }
                let counters = delivery.counters
                return MetricsText.render(.init(store: totals, attempts: counters.attempts, errors: counters.errors,
                                                commits: timer.snapshot, now: wallClockNow().milliseconds)) + (sqs?.metricsText() ?? "")
            }
            do {
                metricsServer = try await MetricsServer.start(host: host, port: port, render: render)
            } catch {
                throw CLIError.usage("--metrics \(metrics): \(error)")
            }
            StandardError.note("metrics on http://\(host.contains(":") ? "[\(host)]" : host):\(metricsServer?.port ?? port)/metrics")
        }
        var serviceOptions = TailService.Options()
        serviceOptions.poll = poll
        serviceOptions.pollInterval = .milliseconds(Int64((pollInterval ?? 2) * 1000))
        serviceOptions.incompleteTimeout = .milliseconds(Int64(incompleteTimeout * 1000))
        serviceOptions.indexRetryInterval = .milliseconds(Int64(indexRetryInterval * 1000))
        let service = TailService(directories: localDirectories, runner: runner, options: serviceOptions, stop: stop) { message in
            StandardError.note(message)
        }
        service.rulesReload = reload
        service.feeds = feeds
        service.deferredIndexes = Self.deferredIndexBuild(runner.processor.store)
        let started = Date()
        do {
            try await service.run()
        } catch {
            _ = await options.drain(delivery)
            await metricsServer?.close()
            StandardError.error("\(error)")
            throw ExitCode(2)
        }
        // Pending alerts left after --drain-timeout are delivered by the next run.
        _ = await options.drain(delivery)
        await metricsServer?.close()
        StandardError.note("stopped; " + summary.line(elapsedSeconds: Date().timeIntervalSince(started))
                           + (sqsQueueURL == nil ? "" : "; " + sqsCounters.summaryLine()))
    }

    /// When the store still lacks the indexes a first load deferred (the loaders were still at
    /// work when this tail started), the service's retry of the build: the last loader builds
    /// them when it ends, and if none lives to, this tail does once the loaders' lock is free.
    static func deferredIndexBuild(_ store: Store) -> (() throws -> Bool)? {
        guard let missing = try? store.missingDeferredIndexes(), !missing.isEmpty else { return nil }
        return {
            guard !(try store.missingDeferredIndexes()).isEmpty else { return true }
            // A build holds the write lock: this tail ingests nothing until it ends (minutes on a
            // large history), so it says so first.
            let built = try store.buildDeferredIndexes(beforeBuilding: {
                StandardError.note("no loader is left: building the indexes of events and access that the first load deferred (ingestion waits for the build)")
            })
            if !built.isEmpty {
                StandardError.note("built \(built.count) indexes of events and access that no loader was left to build")
            }
            return !built.isEmpty
        }
    }

    /// `ADDR:PORT`, `:PORT` or `PORT` (ADDR 127.0.0.1); `[v6]:PORT` for IPv6.
    static func metricsAddress(_ text: String) -> (host: String, port: Int)? {
        var host = "127.0.0.1"
        var portText = text
        if let colon = text.lastIndex(of: ":") {
            let given = String(text[..<colon])
            portText = String(text[text.index(after: colon)...])
            if !given.isEmpty { host = given.hasPrefix("[") && given.hasSuffix("]") ? String(given.dropFirst().dropLast()) : given }
        }
        guard let port = Int(portText), (0...65535).contains(port), !host.isEmpty else { return nil }
        return (host, port)
    }
}
