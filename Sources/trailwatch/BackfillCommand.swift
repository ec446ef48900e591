import ArgumentParser
import Foundation
import TrailAWS
import TrailIngest
import TrailModel
import TrailPipeline
import TrailStore

/// `trailwatch backfill PATH...`: ingest a historical archive.
struct BackfillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Read CloudTrail archives into the store and print alerts as JSON lines.",
        discussion: """
        PATH may be files or directories (walked recursively), or s3://BUCKET[/PREFIX] (a CloudTrail \
        bucket: accounts and regions are discovered under PREFIX/AWSLogs/, then only the day prefixes \
        inside --since/--until are listed). Formats are detected from content: \
        gzip, {"Records":[...]}, JSON arrays, JSON lines, `aws cloudtrail lookup-events` output and \
        EventBridge envelopes. Digest and Insight files are skipped. Files already in the store's \
        ledger are not read twice, and records already stored (same eventID) are not stored twice.

        Input is treated as hostile: a file larger than --max-file-size once inflated, a directory \
        that cannot be listed, or a 0-byte file with a CloudTrail log file name (a lost delivery) \
        fails on its own, named with its reason, and the rest is still ingested. FIFOs and devices \
        are skipped, never read.

        Alerts go to standard output, or to the --sink list (stdout, file:PATH, webhook:URL, slack:URL); \
        the store is their outbox, and at the end backfill keeps delivering for up to --drain-timeout. \
        Progress and the summary go to standard error.
        Threshold alerts are held until no late record can change which event they name (--settle), \
        and those still held after the last file are released then: the archive is taken as complete.
        On a shared store, a file another worker holds is looked at again once the rest is read, \
        until its holder commits it or, if the holder died, its claim runs out (--claim-ttl) and this \
        worker reads it; after twice --claim-ttl it is reported as held and left.
        Exit status: 0 all files read and every alert delivered, 1 some files failed or some alerts are \
        still pending or failed (each reported), 2 bad usage, rules, sinks or database.

        Examples:
          trailwatch backfill SampleLogs
          trailwatch backfill ~/cloudtrail/AWSLogs --db audit.db --jobs 2 | jq -r .summary
          trailwatch backfill untrusted-bucket/ --max-file-size 32M
          trailwatch backfill s3://org-trail-bucket --since 7d --regions us-east-1,eu-west-1
          trailwatch backfill s3://bucket/prefix --endpoint-url http://127.0.0.1:9000 --accounts 111122223333
          trailwatch backfill AWSLogs --sink file:alerts.jsonl --sink slack:https://hooks.slack.com/services/...
          TRAILWATCH_WEBHOOK_TOKEN=... trailwatch backfill AWSLogs --webhook https://soar.example/hook --alert-format ocsf
          trailwatch backfill SampleLogs --settle PT0S   # threshold alerts at once, as files arrive
          trailwatch backfill /data/AWSLogs --shard 2/3   # worker 2 of 3, by account
        """
    )

    @Argument(help: ArgumentHelp("CloudTrail files or directories, or s3://BUCKET[/PREFIX].", valueName: "path"))
    var paths: [String]

    @OptionGroup var options: PipelineOptions

    @OptionGroup(title: "Day range and S3") var s3Options: S3Options

    func run() async throws {
        let started = Date()
        var walk: ArchiveWalker.Walk
        do {
            walk = try ArchiveWalker.walk(paths.filter { !S3Location.isS3($0) })
        } catch {
            throw CLIError.usage("\(error)")
        }
        walk.files = walk.files.filter(s3Options.keeps)
        let s3 = try await Self.planS3(paths.filter(S3Location.isS3), options: s3Options)
        if let s3 { walk.files = ArchiveWalker.ordered(walk.files + s3.files) }
        do {
            try await ingest(walk, remote: s3?.source, started: started)
        } catch {
            await s3?.source.shutdown()
            throw error
        }
        await s3?.source.shutdown()
        if !(s3?.problems.isEmpty ?? true) { throw CLIError.partialFailure }
    }

    /// Runs the walk's files through the pipeline, reporting each failed file and the summary.
    private func ingest(_ walk: ArchiveWalker.Walk, remote: S3Source?, started: Date) async throws {
        let files = walk.files
        var summary = RunSummary()
        let progress = ProgressLine(enabled: !options.noProgress, total: files.count)
        let (runner, delivery) = try options.makeRunner(firstLoad: true) { report in
            summary.add(report)
            Self.diagnose(report, progress: progress, heldAfter: "still held after waiting twice the lease, not read")
            progress.update(summary)
        }
        runner.remote = remote
        do {
            // Directories that could not be listed fail like unreadable files; the rest goes on.
            if !walk.failures.isEmpty { try runner.recordUnreadable(walk.failures) }
            try runner.forgetRecovered(directories: walk.directories)
            // A file another worker held is looked at again until its holder commits it or its
            // lease runs out (a dead holder): twice the lease, then it is reported as held.
            let patience = runner.processor.claims.map { EventTime.Duration(milliseconds: 2 * $0.ttl.milliseconds) }
            try await runner.run(files, revisitHeld: patience)
            // The archive given is complete: threshold alerts still settling are released now.
            summary.alerts += try runner.committer.releaseHeld()
            progress.clear()
            try options.buildDeferredIndexes(runner.processor.store)
            runner.processor.store.finishLoad()
        } catch {
            progress.clear()
            // What was committed stays, with its indexes (a kill here leaves them to the next run).
            try? options.buildDeferredIndexes(runner.processor.store)
            _ = await options.drain(delivery)
            StandardError.error("\(error)")
            throw ExitCode(2)
        }
        progress.clear()
        let elapsed = Date().timeIntervalSince(started)
        let delivered = await options.drain(delivery)
        StandardError.note(summary.line(elapsedSeconds: elapsed))
        if summary.filesFailed > 0 || !delivered { throw CLIError.partialFailure }
    }

    /// Plans the s3:// PATHs: nil when there are none. Prefixes that could not be listed are
    /// reported here (the run goes on and exits 1); a missing bucket or missing credentials exit 2.
    static func planS3(_ addresses: [String], options: S3Options) async throws -> (source: S3Source, files: [DiscoveredFile], problems: [AWSError])? {
        guard !addresses.isEmpty else { return nil }
        do {
            let locations = try addresses.map { (text: String) throws(AWSError) -> S3Location in try S3Location(parsing: text) }
            let source = try S3Source(options: options.access)
            do {
                let (files, problems) = try await source.plan(locations, options: options)
                for problem in problems { StandardError.error("\(problem)") }
                return (source, files, problems)
            } catch {
                await source.shutdown()
                throw error
            }
        } catch {
            throw CLIError.usage("\(error)")
        }
    }

    /// Reports a failed file and invalid records on standard error. `heldAfter`: what is said
    /// after the reason of a file another worker holds (backfill has waited for it; tail tries
    /// it again later).
    static func diagnose(_ report: FileReport, progress: ProgressLine, heldAfter: String = "not read") {
        let invalidShown = 5
        if report.status == .failed {
            progress.clear()
            StandardError.error(report.reason ?? "\(report.path): failed")
        }
        if report.status == .claimedElsewhere || report.status == .takenOver {
            progress.clear()
            StandardError.warning(report.status == .takenOver ? report.reason ?? report.path
                : "\(report.path): \(report.reason ?? "claimed by another worker"); \(heldAfter)")
        }
        if !report.invalidRecords.isEmpty {
            progress.clear()
            for line in report.invalidRecords.prefix(invalidShown) { StandardError.warning("invalid record: " + line) }
            let shown = min(invalidShown, report.invalidRecords.count)
            if report.invalid > shown {
                StandardError.warning("\(report.path): \(report.invalid - shown) more invalid records")
            }
        }
    }
}
