import ArgumentParser
import Foundation
import TrailModel
import TrailPresentation
import TrailStore

/// `trailwatch prune --before DATE`: retention for the event history.
struct PruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove events older than a date from the history (retention); the file ledger is kept.",
        discussion: """
        Removes the events before --before with their access rows. Kept: the file ledger (so no \
        pruned file is read again), alerts and their deliveries, secrets, principals, detector \
        state, and the running totals that `query callers` and `query secrets` answer from \
        without --since (they still count the pruned calls).

        SQLite deletes 10,000 events per transaction, oldest first, and needs the writer lock (stop \
        `tail` first, or prune between runs). PostgreSQL drops whole monthly partitions, so it \
        removes only months that end on or before the date; workers may keep writing meanwhile.

        Prints one JSON line: the effective cutoff, the events and access rows removed, and the \
        partitions dropped.

        Examples:
          trailwatch prune --before 2024-01-01
          trailwatch prune --before 400d --db postgres://trailwatch@db.internal/trail?sslmode=verify-full
        """)

    @Option(help: ArgumentHelp(
        "The store: an SQLite file or a postgres:// URL (default: $TRAILWATCH_DB, else trailwatch.db).", valueName: "file|url"))
    var db: String?

    @Option(help: ArgumentHelp("Remove events before this time: ISO 8601 (2024-01-01) or an age (400d).", valueName: "time"))
    var before: String

    func run() async throws {
        let now = wallClockNow()
        guard let cutoff = TimeArgument.parse(before, now: now) else {
            throw CLIError.usage("--before \"\(before)\" is not a time (ISO 8601 such as 2024-01-01, or an age such as 400d)")
        }
        let location = StoreLocation(db)
        if !location.exists { throw CLIError.usage("\(location): no such database") }
        let report: PruneReport
        do {
            let store = try location.open(lockForWriting: true)
            try store.lockForWriting()
            report = try store.prune(before: cutoff.milliseconds)
        } catch {
            StandardError.storeError(error)
            throw ExitCode(CommandFailure(error).exitCode)
        }
        let partitions = report.partitions.map { "\"\($0)\"" }.joined(separator: ",")
        let line = "{\"cutoff\":\"\(EventTime(milliseconds: report.cutoff).iso8601)\",\"events\":\(report.events),"
            + "\"accessRows\":\(report.accessRows),\"partitions\":[\(partitions)]}\n"
        FileHandle.standardOutput.write(Data(line.utf8))
    }
}
