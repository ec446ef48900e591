import ArgumentParser
import Foundation
import TrailIngest
import TrailPipeline
import TrailStore

/// `trailwatch tail DIR...`: the long-running service beside a synced CloudTrail bucket.
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Watch CloudTrail log directories and alert as files land.",
        discussion: """
        On start, every file under DIR that the store's ledger does not hold is ingested (oldest \
        first), exactly as `backfill` would. Then new and moved-in files are ingested as they are \
        closed or renamed into place, recursively, including directories created later. Temporary \
        names (*.tmp, dot-files) are ignored until renamed. A half-written file is retried once it \
        stops changing and recorded as failed after --incomplete-timeout.

        Each file's records, alerts, detector state and ledger row commit in one transaction, and \
        alerts are printed after the commit: after a crash, nothing is lost or stored twice (an \
        alert may be printed again only if the crash fell between commit and print).

        Threshold alerts (bursts) are held until the newest event time seen passes the end of their \
        window plus --settle (default PT30M, the lateness), so a file landing late cannot change \
        which event they name: they arrive up to that long after the burst, in event time. Held \
        alerts are kept in the store across restarts. --settle PT5M alerts sooner (a file more than \
        5 minutes late may then change the alert); --settle PT0S fires at once, as files arrive.

        SIGINT/SIGTERM: finish the file in hand, commit, exit 0. A second signal exits at once.
        `trailwatch query`, `alerts` and `status` work on the same store while tail runs; a second \
        `tail` or `backfill` on it is refused.

        Examples:
          trailwatch tail /data/cloudtrail/AWSLogs --db /var/lib/trailwatch/store.db
          trailwatch tail /mnt/bucket --poll --poll-interval 10
          trailwatch tail /data/cloudtrail/AWSLogs --settle PT5M
        """
    )

    @Argument(help: ArgumentHelp("Directories to watch (recursively).", valueName: "dir"))
    var directories: [String]

    @OptionGroup var options: PipelineOptions

    @Flag(name: .long, help: "Poll instead of using inotify (for network filesystems where inotify sees nothing).")
    var poll = false

    @Option(name: .long, help: ArgumentHelp("Seconds between scans when polling.", valueName: "seconds"))
    var pollInterval: Double = 2

    @Option(name: .long, help: ArgumentHelp("Seconds a half-written file may stay incomplete before it is recorded as failed.", valueName: "seconds"))
    var incompleteTimeout: Double = 60

    func validate() throws {
        guard pollInterval > 0 else { throw ValidationError("--poll-interval must be positive") }
        guard incompleteTimeout > 0 else { throw ValidationError("--incomplete-timeout must be positive") }
    }

    func run() async throws {
        // Trap signals first, so a SIGTERM during start-up stops the service gracefully too.
        let stop = StopSignal()
        let trap = SignalTrap(stop: stop)
        for directory in directories {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CLIError.usage("\(directory): no such directory")
            }
            guard FileManager.default.isReadableFile(atPath: directory) else {
                throw CLIError.usage("\(directory): not readable")
            }
        }
        var summary = RunSummary()
        let progress = ProgressLine(enabled: false, total: 0)
        let (runner, sink) = try options.makeRunner { report in
            summary.add(report)
            BackfillCommand.diagnose(report, progress: progress)
        }
        var serviceOptions = TailService.Options()
        serviceOptions.poll = poll
        serviceOptions.pollInterval = .milliseconds(Int64(pollInterval * 1000))
        serviceOptions.incompleteTimeout = .milliseconds(Int64(incompleteTimeout * 1000))
        let service = TailService(directories: directories, runner: runner, options: serviceOptions, stop: stop) { message in
            StandardError.line("trailwatch: " + message)
        }
        let started = Date()
        do {
            try await service.run()
        } catch {
            sink.close()
            StandardError.error("\(error)")
            throw ExitCode(2)
        }
        sink.close()
        withExtendedLifetime(trap) {}
        StandardError.line("trailwatch: stopped; " + summary.line(elapsedSeconds: Date().timeIntervalSince(started)))
    }
}
