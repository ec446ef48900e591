import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TrailAlerts
import TrailDetect
import TrailModel
import TrailPipeline
import TrailStore

/// Options shared by `backfill` and `tail`.
struct PipelineOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The SQLite store (created with mode 0600 when missing).", valueName: "file"))
    var db: String = "trailwatch.db"

    @Option(name: .long, help: ArgumentHelp(
        "A directory of rule files (*.json). Default: ./Rules when it exists, else the rules built into trailwatch.",
        valueName: "dir"))
    var rules: String?

    @Option(name: .long, help: ArgumentHelp("Files decoded and matched in parallel (defaults to the number of cores).", valueName: "n"))
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .long, help: ArgumentHelp("Append alerts (JSON lines) to this file instead of standard output.", valueName: "file"))
    var alerts: String?

    @Option(name: .long, help: ArgumentHelp(
        "Also POST each alert as JSON to this URL. A bearer token is read from TRAILWATCH_WEBHOOK_TOKEN.",
        valueName: "url"))
    var webhook: String?

    @Option(name: .long, help: ArgumentHelp(
        "How long (ISO 8601, event time) a threshold alert is held after its window ends, so files arriving late "
            + "cannot change which event it names. PT0S fires at once (the alert may then depend on file order).",
        valueName: "duration"))
    var settle: String = "PT30M"

    @Flag(name: .long, help: "Do not draw the progress line on a terminal.")
    var noProgress = false

    func validate() throws {
        guard (1...256).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 256") }
        guard settleDuration != nil else {
            throw ValidationError("--settle needs an ISO 8601 duration such as PT30M, PT5M or PT0S (got \(settle.debugDescription))")
        }
        if let webhook {
            guard let url = URL(string: webhook), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw ValidationError("--webhook needs an http or https URL")
            }
        }
    }

    /// `--settle` as a duration (nil when it is not a valid ISO 8601 duration).
    var settleDuration: EventTime.Duration? { ISODuration.parse(settle) }

    /// The alert sinks the options ask for.
    func makeSink() throws -> AlertSink {
        var sinks: [AlertSink] = []
        if let alerts {
            // Open (creating it with mode 0600) once here for a clear reason when it cannot be written.
            let fd = open(alerts, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                throw CLIError.usage("cannot open --alerts \(alerts): \(String(cString: strerror(errno)))")
            }
            close(fd)
            do {
                sinks.append(try FileHandleSink.appending(to: alerts))
            } catch {
                throw CLIError.usage("cannot open --alerts \(alerts): \(error.localizedDescription)")
            }
        } else {
            sinks.append(FileHandleSink.standardOutput())
        }
        if let webhook, let url = URL(string: webhook) {
            sinks.append(WebhookSink(url: url, token: ProcessInfo.processInfo.environment["TRAILWATCH_WEBHOOK_TOKEN"]))
        }
        return sinks.count == 1 ? sinks[0] : FanOutSink(sinks)
    }

    /// Opens the store for writing and takes the single-writer lock.
    func openStoreForWriting() throws -> Store {
        let store: Store
        do {
            store = try Store.open(path: db)
            try store.lockForWriting()
        } catch {
            throw CLIError.usage("\(error)")
        }
        return store
    }

    /// Loads the rules, opens the store for writing and the sinks, and wires the pipeline.
    /// `onReport` sees every file's report, in commit order. Problems exit 2.
    func makeRunner(onReport: @escaping (FileReport) -> Void) throws -> (runner: IngestRunner, sink: AlertSink) {
        let rules = try loadRules()
        // The sink before the store: a bad --alerts path must not leave a new store behind.
        let sink = try makeSink()
        let store = try openStoreForWriting()
        let committer: FileCommitter
        do {
            committer = try FileCommitter(store: store, rules: rules, sink: sink, settle: settleDuration ?? .minutes(30), wallClock: wallClockNow)
        } catch {
            throw CLIError.usage("\(error)")
        }
        do {
            let reprinted = try committer.emitUndelivered()
            if reprinted > 0 {
                StandardError.warning("printed \(reprinted) alerts committed by a run that stopped before printing them")
            }
        } catch {
            throw CLIError.usage("\(error)")
        }
        let runner = IngestRunner(processor: FileProcessor(rules: rules, store: store), committer: committer, jobs: jobs, onReport: onReport)
        return (runner, sink)
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

/// The wall clock, used only for the ledger's "time ingested" and status lag.
@Sendable func wallClockNow() -> EventTime {
    EventTime(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded()))
}
