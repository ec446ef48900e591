import ArgumentParser
import TrailIngest
import TrailPresentation
import TrailStore

/// `trailwatch status`: what the ledger and the history hold, and how far behind they are.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Files done, skipped and failed (with reasons), records, the newest event per account and region with its lag, and the alert outbox per sink.",
        discussion: "--limit caps the failed files listed (0 = all). csv prints the per-account-and-region rows.")

    @Option(help: ArgumentHelp("The store to read: an SQLite file or a postgres:// URL (default: $TRAILWATCH_DB, else trailwatch.db); never created.", valueName: "file|url"))
    var db: String?

    @Option(help: "Output format: table, json or csv.")
    var format: OutputFormat = .table

    @Option(help: "At most this many failed files listed (0 = all; at most 1000000000).")
    var limit: Int = 100

    @Flag(help: "Print times in local time instead of UTC.")
    var local = false

    func validate() throws {
        try OptionRange.check("--limit", limit, OptionRange.limit)
    }

    func run() async throws {
        var options = QueryOptions()
        options.db = db
        options.format = format
        options.local = local
        try runReadCommand {
            let report = try QueryService(store: try options.openStore(), now: options.now).status(limit: limit)
            return report.render(options.formatter, inflater: InflateBackend.description)
        }
    }
}
