import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TrailAlerts
import TrailDetect
import TrailIngest
import TrailModel
import TrailPipeline
import TrailStore
import TrailVerify

/// Options shared by `backfill` and `tail`.
struct PipelineOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The store: an SQLite file (created with mode 0600 when missing) or a postgres:// URL, shared by several workers (default: $TRAILWATCH_DB, else trailwatch.db).",
        valueName: "file|url"))
    var db: String?

    @Option(name: .long, help: ArgumentHelp(
        "A directory of rule files (*.json). Default: ./Rules when it exists, else the rules built into trailwatch.",
        valueName: "dir"))
    var rules: String?

    @Option(name: .long, help: ArgumentHelp("Files decoded and matched in parallel, 1 to 256 (defaults to the number of cores).", valueName: "n"))
    var jobs: Int = min(ProcessInfo.processInfo.activeProcessorCount, OptionRange.jobs.upperBound)

    @Option(name: .long, help: ArgumentHelp(
        "Where alerts go (repeatable): stdout, file:PATH, webhook:URL, slack:URL. Default: stdout.",
        valueName: "sink"))
    var sink: [String] = []

    @Option(name: .long, help: ArgumentHelp("Shorthand for --sink file:FILE (instead of standard output).", valueName: "file"))
    var alerts: String?

    @Option(name: .long, help: ArgumentHelp(
        "Shorthand for --sink webhook:URL (besides standard output). A bearer token is read from TRAILWATCH_WEBHOOK_TOKEN.",
        valueName: "url"))
    var webhook: String?

    @Option(name: .long, help: ArgumentHelp(
        """
        Largest file accepted, after decompression (bytes, or with K, M, G). A larger file is failed \
        with its reason as soon as inflating passes the limit, so a small gzip bomb cannot exhaust \
        memory. CloudTrail's own log files are at most tens of MB uncompressed; memory use grows with \
        this limit (up to about 4 times it per file being read, for up to 2 x --jobs files at once). \
        Range 1K to 3G. Example: --max-file-size 512M
        """,
        valueName: "size"))
    var maxFileSize = ByteSize(bytes: FileReader.defaultMaxBytes)

    @Option(name: .long, help: ArgumentHelp("Alert body for stdout, file and webhook sinks: json or ocsf (OCSF Detection Finding).", valueName: "format"))
    var alertFormat: String = "json"

    @Option(name: .long, help: ArgumentHelp("Seconds to keep delivering pending alerts at exit.", valueName: "seconds"))
    var drainTimeout: Double = 30

    @Option(name: .long, help: ArgumentHelp("Seconds one webhook request may take (connect, answer and body).", valueName: "seconds"))
    var requestTimeout: Double = 10

    @Option(name: .long, help: ArgumentHelp("Webhook requests in flight per sink.", valueName: "n"))
    var maxInFlight: Int = 8

    /// The first retry's ceiling (tests shorten it); later retries double it up to 5 minutes.
    @Option(name: .long, help: .hidden)
    var retryInitial: Double = 1

    @Option(name: .long, help: ArgumentHelp(
        "How long (ISO 8601, event time) a threshold alert is held after its window ends, so files arriving late "
            + "cannot change which event it names. PT0S fires at once (the alert may then depend on file order).",
        valueName: "duration"))
    var settle: String = "PT30M"

    @Flag(name: .long, help: "Do not draw the progress line on a terminal.")
    var noProgress = false

    @Option(name: .long, help: ArgumentHelp(
        """
        Read only this worker's share of the files: those whose recipient account (AWSLogs/[o-ORG/]ACCOUNT/...) \
        hashes (FNV-1a 64) to shard K of N, 1 <= K <= N <= 1024; files outside the CloudTrail layout are shard 1's. \
        Example: --shard 2/3
        """,
        valueName: "K/N"))
    var shard: String?

    @Option(name: .long, help: ArgumentHelp(
        "This worker's id in file claims and logs (default HOST:PID:RANDOM). Example: --worker-id ingest-a",
        valueName: "id"))
    var workerId: String?

    /// Claim each file in the store before reading it (several workers on one store). On for a
    /// shared store; on SQLite the single-writer lock still allows one writer, so this flag is
    /// for tests.
    @Flag(name: .long, help: .hidden)
    var claims = false

    @Option(name: .long, help: ArgumentHelp(
        "Seconds a file claim lasts without renewal (3 to 3600; renewed every third of it): how soon another worker takes over the files of a worker that died.",
        valueName: "seconds"))
    var claimTtl: Double = 60

    func validate() throws {
        try OptionRange.check("--jobs", jobs, OptionRange.jobs)
        guard (1 << 10...3 << 30).contains(maxFileSize.bytes) else {
            throw ValidationError("--max-file-size must be between 1K and 3G (got \(maxFileSize.bytes) bytes)")
        }
        guard settleDuration != nil else {
            throw ValidationError("--settle needs an ISO 8601 duration such as PT30M, PT5M or PT0S (got \(settle.debugDescription))")
        }
        guard AlertFormat(rawValue: alertFormat) != nil else { throw ValidationError("--alert-format must be json or ocsf") }
        guard drainTimeout >= 0, drainTimeout <= 86_400 else { throw ValidationError("--drain-timeout must be between 0 and 86400 seconds") }
        guard requestTimeout > 0, requestTimeout <= 3600 else { throw ValidationError("--request-timeout must be more than 0 and at most 3600 seconds") }
        guard (1...256).contains(maxInFlight) else { throw ValidationError("--max-in-flight must be between 1 and 256") }
        guard retryInitial > 0, retryInitial <= 300 else { throw ValidationError("--retry-initial must be more than 0 and at most 300 seconds") }
        try OptionRange.check("--claim-ttl", claimTtl, OptionRange.claimTTL)
        do {
            _ = try shardValue()
            _ = try workerID()
        } catch {
            throw ValidationError(error.description)
        }
        do {
            _ = try sinkSpecs()
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// `--shard` (nil: every file).
    func shardValue() throws(PipelineError) -> Shard? {
        try shard.map { (text: String) throws(PipelineError) -> Shard in try Shard(parsing: text) }
    }

    /// `--worker-id`, or a new id for this process.
    func workerID() throws(PipelineError) -> WorkerID {
        guard let workerId else { return WorkerID.generate() }
        return try WorkerID(workerId)
    }

    /// `--settle` as a duration (nil when it is not a valid ISO 8601 duration).
    var settleDuration: EventTime.Duration? { ISODuration.parse(settle) }

    /// The sinks asked for: --sink values, then the --alerts and --webhook shorthands; standard
    /// output when neither --sink nor --alerts is given.
    func sinkSpecs() throws(DeliveryError) -> [SinkSpec] {
        var specs: [SinkSpec] = []
        for text in sink { specs.append(try SinkSpec(parsing: text)) }
        if let alerts { specs.append(try SinkSpec(kind: .file, checking: alerts)) }
        if sink.isEmpty && alerts == nil { specs.insert(SinkSpec.standardOutput, at: 0) }
        if let webhook { specs.append(try SinkSpec(kind: .webhook, checking: webhook)) }
        return specs
    }

    /// Checks the sinks: files openable (created with mode 0600), the token usable. Exit 2 otherwise.
    func checkSinks() throws -> [SinkSpec] {
        let specs: [SinkSpec]
        do {
            specs = try sinkSpecs()
            if specs.contains(where: { $0.kind == .webhook }), let token = webhookToken {
                try HTTPEndpoint.checkToken(token, sink: "webhook")
            }
        } catch {
            throw CLIError.usage("\(error)")
        }
        for spec in specs where spec.kind == .file {
            // Open (creating it with mode 0600) once here for a clear reason when it cannot be written.
            let fd = open(spec.target, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                let option = spec.target == alerts ? "--alerts \(spec.target)" : "--sink \(spec.name)"
                throw CLIError.usage("cannot open \(option): \(String(cString: strerror(errno)))")
            }
            close(fd)
        }
        return specs
    }

    private var webhookToken: String? { ProcessInfo.processInfo.environment["TRAILWATCH_WEBHOOK_TOKEN"] }

    /// Delivery settings from the options.
    var deliverySettings: AlertDelivery.Settings {
        var settings = AlertDelivery.Settings()
        settings.format = AlertFormat(rawValue: alertFormat) ?? .json
        settings.token = webhookToken
        settings.requestTimeout = .milliseconds(Int64(requestTimeout * 1000))
        settings.maxInFlight = maxInFlight
        settings.retry = RetryPolicy(initial: .milliseconds(Int64(retryInitial * 1000)))
        return settings
    }

    /// Opens the store for writing and takes the single-writer lock.
    func openStoreForWriting() throws -> Store {
        let store: Store
        do {
            store = try StoreLocation(db).open(lockForWriting: true)
            try store.lockForWriting()
        } catch {
            throw CLIError.usage("\(error)")
        }
        for note in store.openingNotes { StandardError.warning(note) }
        return store
    }

    /// Loads the rules, opens the store for writing and the sinks, starts delivery and wires the
    /// pipeline. `onReport` sees every file's report, in commit order. Problems exit 2.
    /// `digestWatch` (tail) checks each CloudTrail digest file as it is read.
    /// `firstLoad` (backfill): into an empty store, the secondary indexes of events and access are
    /// built once instead of row by row (set `TRAILWATCH_DEFER_INDEXES=0` to keep them): on
    /// SQLite while the last fifth of a large run is still being read (``EarlyIndexBuild``), else
    /// by ``buildDeferredIndexes(_:)`` at the end. Otherwise (tail) indexes that an interrupted
    /// first load left unbuilt are built now. Also for `backfill` (`firstLoad`), with claims: a
    /// file another worker committed during this run is taken as done without being read
    /// (``FileProcessor/peerCommitsSince``). Not for `tail`, which lists a file again when it
    /// changes: its own row from earlier in the run must not vouch for new content.
    func makeRunner(digestWatch: DigestWatch? = nil, firstLoad: Bool = false,
                    onReport: @escaping (FileReport) -> Void) throws -> (runner: IngestRunner, delivery: AlertDelivery) {
        let rules = try loadRules()
        // The sinks before the store: a bad --alerts path must not leave a new store behind.
        let specs = try checkSinks()
        let store = try openStoreForWriting()
        var deferred = false
        do {
            if firstLoad && ProcessInfo.processInfo.environment["TRAILWATCH_DEFER_INDEXES"] != "0" {
                deferred = try store.deferIndexesForFirstLoad()
            } else {
                try buildDeferredIndexes(store, announce: true)
            }
        } catch {
            throw CLIError.usage("\(error)")
        }
        let delivery: AlertDelivery
        do {
            delivery = try AlertDelivery(store: store, sinks: specs, settings: deliverySettings, wallClock: { wallClockNow().milliseconds },
                                         log: { StandardError.warning($0) })
        } catch {
            throw CLIError.usage("\(error)")
        }
        let handOver = AlertHandOver(sinks: delivery.sinkNames, wallClock: { wallClockNow().milliseconds }, notify: { [delivery] in delivery.notify() })
        let committer: FileCommitter
        do {
            committer = try FileCommitter(store: store, rules: rules, handOver: handOver, settle: settleDuration ?? .minutes(30), wallClock: wallClockNow)
            let queued = try committer.handOverUnemitted()
            if queued > 0 {
                StandardError.warning("queued \(queued) alerts committed by a run that stopped before handing them to the sinks")
            }
        } catch {
            throw CLIError.usage("\(error)")
        }
        delivery.start()
        var processor = FileProcessor(rules: rules, store: store)
        processor.digestWatch = digestWatch
        processor.maxFileBytes = maxFileSize.bytes
        if claims || store.isShared {
            let worker: WorkerID
            do {
                worker = try workerID()
            } catch {
                throw CLIError.usage("\(error)")
            }
            let keeper = ClaimKeeper(store: store, worker: worker, ttl: .init(milliseconds: Int64(claimTtl * 1000)), now: wallClockNow)
            processor.claims = keeper
            if firstLoad { processor.peerCommitsSince = wallClockNow() }
            committer.claims = keeper
            StandardError.note("worker \(worker) claims each file before reading it (lease \(Int(claimTtl)) s)")
        }
        let runner = IngestRunner(processor: processor, committer: committer, jobs: jobs, onReport: onReport)
        do {
            runner.shard = try shardValue()
        } catch {
            throw CLIError.usage("\(error)")
        }
        runner.log = { StandardError.warning($0) }
        // SQLite: the build starts on the writer while the last files are read. PostgreSQL builds
        // them at the end, when no other worker is still loading (its loaders' lock).
        if deferred && !store.isShared {
            runner.earlyIndexBuild = EarlyIndexBuild { () throws(PipelineError) in
                do {
                    try store.buildDeferredIndexes()
                } catch {
                    throw PipelineError(.store, wrapping: error)
                }
            }
        }
        return (runner, delivery)
    }

    /// Builds the secondary indexes that a first load deferred. `announce`: say so on standard
    /// error (when a run starts on a store an interrupted first load left; the end of a backfill
    /// builds them silently, as part of the load).
    ///
    /// On PostgreSQL the build waits for the last worker still loading with the indexes deferred:
    /// that worker builds them when it ends.
    func buildDeferredIndexes(_ store: Store, announce: Bool = false) throws {
        let missing = try store.missingDeferredIndexes()
        if announce && !missing.isEmpty {
            StandardError.note("building \(missing.count) indexes of events and access that an interrupted first load left unbuilt")
        }
        // Asked even when nothing is missing: a loader gives up its share of the loaders' lock there.
        let built = try store.buildDeferredIndexes()
        if announce && !missing.isEmpty && built.isEmpty {
            StandardError.note("not built now: another worker is still loading into this store, and builds them when it ends")
        }
    }

    /// Delivers what is pending for up to --drain-timeout, then says on standard error what is
    /// left. Returns true when every alert reached every sink.
    func drain(_ delivery: AlertDelivery) async -> Bool {
        let outbox = await delivery.drain(timeout: .milliseconds(Int64(drainTimeout * 1000)))
        var complete = true
        for box in outbox where box.pending > 0 || box.failed > 0 {
            complete = false
            StandardError.warning("sink \(box.sink): \(box.pending) alerts pending, \(box.failed) failed, \(box.delivered) delivered (see `trailwatch alerts --undelivered`)")
        }
        return complete
    }

    /// Loads the rules in force.
    func loadRules() throws -> RuleBook {
        do {
            return try RuleBook.load(directory: RuleBook.resolveDirectory(rules))
        } catch {
            throw CLIError.usage("\(error)")
        }
    }
}

/// The wall clock as an `EventTime`: for the ledger's "time ingested", lags, relative `--since`
/// times, claims and the console. The one place the CLI reads it, so that everything else takes it
/// injected.
@Sendable func wallClockNow() -> EventTime {
    EventTime(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded()))
}
