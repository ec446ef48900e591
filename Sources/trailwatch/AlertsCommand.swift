import ArgumentParser
import Foundation
import TrailAlerts
import TrailModel
import TrailPresentation
import TrailStore

/// `trailwatch alerts`: the stored alerts, newest first; what the sinks have not confirmed; re-queueing.
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "List stored alerts, newest first, or those a sink has not confirmed.",
        subcommands: [AlertsListCommand.self, AlertsRedeliverCommand.self],
        defaultSubcommand: AlertsListCommand.self)
}

/// `trailwatch alerts [list]`.
struct AlertsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List stored alerts, newest first (the default of `trailwatch alerts`).",
        discussion: """
        json prints each alert's JSON line as emitted, with its count raised by suppressed repeats.

        --undelivered lists, per sink, the alerts not confirmed yet: pending (with the next attempt) \
        or failed (with the reason: an HTTP status and the first bytes of the answer, a redirect, a \
        write error). Sinks are named as in `trailwatch status` (URLs redacted).

        Examples:
          trailwatch alerts --severity high --since 7d
          trailwatch alerts --undelivered
          trailwatch alerts --undelivered --sink 'webhook:https://soar.example/…#1a2b3c4d' --format json
        """)

    @OptionGroup var options: QueryOptions

    @Option(help: "Only this rule.")
    var rule: String?

    @Option(help: "Only this severity or higher: info, low, medium, high, critical.")
    var severity: String?

    @Flag(help: "List alerts a sink has not confirmed (pending or failed, and why).")
    var undelivered = false

    @Option(help: ArgumentHelp("With --undelivered: only this sink (its name from `status`, or the --sink value it was given as).", valueName: "sink"))
    var sink: String?

    func validate() throws {
        if let severity, Severity(rawValue: severity) == nil {
            throw ValidationError("--severity \"\(severity)\" is not one of info, low, medium, high, critical")
        }
        if sink != nil && !undelivered { throw ValidationError("--sink needs --undelivered") }
    }

    func run() async throws {
        try runReadCommand {
            let now = options.now
            let service = QueryService(store: try options.openStore(), now: now)
            if undelivered {
                let table = try service.undelivered(sink: sink.map(storedSinkName), limit: options.limit)
                printNotes(table.notes)
                return options.formatter.render(table)
            }
            let list = try service.alerts(options.scope(now: now), rule: rule, minimumSeverity: severity.flatMap(Severity.init(rawValue:)))
            return list.render(options.formatter)
        }
    }
}

/// `trailwatch alerts redeliver`: queue failed (and pending) deliveries again.
struct AlertsRedeliverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redeliver",
        abstract: "Queue alerts that a sink has not confirmed for delivery again (the next backfill or tail sends them).",
        discussion: """
        Failed deliveries (an HTTP 4xx, a redirect) become pending with their attempts reset, and \
        pending ones are due at once. The running `tail`, or the next run with the same sink, sends them.

        Examples:
          trailwatch alerts redeliver
          trailwatch alerts redeliver --sink 'slack:https://hooks.slack.com/…#0f1e2d3c' --since 2d
        """)

    @Option(help: ArgumentHelp("The store: an SQLite file or a postgres:// URL (default: $TRAILWATCH_DB, else trailwatch.db).", valueName: "file|url"))
    var db: String?

    @Option(help: ArgumentHelp("Only this sink (its name from `status`, or the --sink value it was given as).", valueName: "sink"))
    var sink: String?

    @Option(help: ArgumentHelp("Only alerts raised at or after this time (ISO 8601, or 7d, 12h).", valueName: "time"))
    var since: String?

    func run() async throws {
        let now = wallClockNow()
        var lower: Int64?
        if let since {
            guard let time = TimeArgument.parse(since, now: now) else {
                throw CLIError.usage("--since \"\(since)\" is not a time (ISO 8601 such as 2024-05-01 or 2024-05-01T12:00:00Z, or 7d, 12h, 30m)")
            }
            lower = time.milliseconds
        }
        let location = StoreLocation(db)
        if !location.exists { throw CLIError.usage("\(location): no such database") }
        do {
            let store = try location.open()
            let count = try store.requeueDeliveries(sink: sink.map(storedSinkName), since: lower)
            StandardError.note("re-queued \(count) deliveries")
        } catch {
            throw CLIError.usage("\(error)")
        }
    }
}

/// The stored name of a sink given either by that name or as a --sink value (whose URL is then
/// redacted the same way).
func storedSinkName(_ text: String) -> String {
    if text.contains("#") { return text }
    return (try? SinkSpec(parsing: text))?.name ?? text
}
