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

        Alerts go to standard output (or --alerts FILE); progress and the summary go to standard error.
        Threshold alerts are held until no late record can change which event they name (--settle), \
        and those still held after the last file are printed then: the archive is taken as complete.
        Exit status: 0 all files read, 1 some files failed (each reported), 2 bad usage, rules or database.

        Examples:
          trailwatch backfill SampleLogs
          trailwatch backfill ~/cloudtrail/AWSLogs --db audit.db --jobs 2 | jq -r .summary
          trailwatch backfill SampleLogs --settle PT0S   # threshold alerts at once, as files arrive
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
        let (runner, sink) = try options.makeRunner { report in
            summary.add(report)
            Self.diagnose(report, progress: progress)
            progress.update(summary)
        }
        do {
            try await runner.run(files)
            // The archive given is complete: threshold alerts still settling are released now.
            summary.alerts += try runner.committer.releaseHeld()
        } catch {
            progress.clear()
            sink.close()
            StandardError.error("\(error)")
            throw ExitCode(2)
        }
        sink.close()
        progress.clear()
        StandardError.line("trailwatch: " + summary.line(elapsedSeconds: Date().timeIntervalSince(started)))
        if summary.filesFailed > 0 { throw CLIError.partialFailure }
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
