import ArgumentParser
import Foundation
import TrailIngest
import TrailPipeline
import TrailStore

/// `trailwatch backfill PATH...`: ingest a historical archive.
struct BackfillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Read CloudTrail archives into the store and print alerts as JSON lines.",
        discussion: """
        PATH may be files or directories (walked recursively). Formats are detected from content: \
        gzip, {"Records":[...]}, JSON arrays, JSON lines, `aws cloudtrail lookup-events` output and \
        EventBridge envelopes. Digest and Insight files are skipped. Files already in the store's \
        ledger are not read twice, and records already stored (same eventID) are not stored twice.

        Alerts go to standard output, or to the --sink list (stdout, file:PATH, webhook:URL, slack:URL); \
        the store is their outbox, and at the end backfill keeps delivering for up to --drain-timeout. \
        Progress and the summary go to standard error.
        Exit status: 0 all files read and every alert delivered, 1 some files failed or some alerts are \
        still pending or failed (each reported), 2 bad usage, rules, sinks or database.

        Examples:
          trailwatch backfill SampleLogs
          trailwatch backfill ~/cloudtrail/AWSLogs --db audit.db --jobs 2 | jq -r .summary
          trailwatch backfill AWSLogs --sink file:alerts.jsonl --sink slack:https://hooks.slack.com/services/...
          TRAILWATCH_WEBHOOK_TOKEN=... trailwatch backfill AWSLogs --webhook https://soar.example/hook --alert-format ocsf
        """
    )

    @Argument(help: ArgumentHelp("CloudTrail files or directories.", valueName: "path"))
    var paths: [String]

    @OptionGroup var options: PipelineOptions

    func run() async throws {
        let started = Date()
        let files: [DiscoveredFile]
        do {
            files = try ArchiveWalker.files(in: paths)
        } catch {
            throw CLIError.usage("\(error)")
        }
        var summary = RunSummary()
        let progress = ProgressLine(enabled: !options.noProgress, total: files.count)
        let (runner, delivery) = try options.makeRunner { report in
            summary.add(report)
            Self.diagnose(report, progress: progress)
            progress.update(summary)
        }
        do {
            try await runner.run(files)
        } catch {
            progress.clear()
            _ = await options.drain(delivery)
            StandardError.error("\(error)")
            throw ExitCode(2)
        }
        progress.clear()
        let elapsed = Date().timeIntervalSince(started)
        let delivered = await options.drain(delivery)
        StandardError.line("trailwatch: " + summary.line(elapsedSeconds: elapsed))
        if summary.filesFailed > 0 || !delivered { throw CLIError.partialFailure }
    }

    /// Reports a failed file and invalid records on standard error.
    static func diagnose(_ report: FileReport, progress: ProgressLine) {
        let invalidShown = 5
        if report.status == .failed {
            progress.clear()
            StandardError.error(report.reason ?? "\(report.path): failed")
        }
        if !report.invalidRecords.isEmpty {
            progress.clear()
            for line in report.invalidRecords.prefix(invalidShown) { StandardError.warning("invalid record: " + line) }
            if report.invalidRecords.count > invalidShown {
                StandardError.warning("\(report.path): \(report.invalidRecords.count - invalidShown) more invalid records")
            }
        }
    }
}
