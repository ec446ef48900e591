import ArgumentParser
import Foundation
import TrailModel
import TrailPresentation
import TrailStore

/// Options shared by the read commands (`query ...`, `alerts`, `status`).
struct QueryOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The store to read: an SQLite file or a postgres:// URL (default: $TRAILWATCH_DB, else trailwatch.db). Read commands never create it.",
        valueName: "file|url"))
    var db: String?

    @Option(help: "Only rows at or after this time: ISO 8601 (2024-05-01, 2024-05-01T12:00:00Z) or relative (7d, 12h, 30m).")
    var since: String?

    @Option(help: "Only rows before this time: ISO 8601 or relative (7d, 12h, 30m).")
    var until: String?

    @Option(help: "Only this AWS account.")
    var account: String?

    @Option(help: "Only this AWS region.")
    var region: String?

    @Option(help: "At most this many rows (0 = all; at most 1000000000).")
    var limit: Int = 100

    @Option(help: "Output format: table, json (JSON lines) or csv.")
    var format: OutputFormat = .table

    @Flag(help: "Print (and read zone-less --since/--until) in local time instead of UTC.")
    var local = false

    func validate() throws {
        try OptionRange.check("--limit", limit, OptionRange.limit)
        for (flag, text) in [("--since", since), ("--until", until)] {
            if let text, TimeArgument.parse(text, now: EventTime(milliseconds: 0)) == nil {
                throw ValidationError("\(flag) \"\(text)\" is not a time: use ISO 8601 (2024-05-01, 2024-05-01T12:00:00Z) or a duration before now (7d, 12h, 30m)")
            }
        }
        let scope = scope(now: now)
        if let since = scope.since, let until = scope.until, since > until {
            throw ValidationError("--since (\(since)) is after --until (\(until)): nothing could match")
        }
    }

    /// The wall clock, once per command, for relative times and lags.
    var now: EventTime { wallClockNow() }

    func scope(now: EventTime) -> QueryScope {
        let zone: TimeRendering = local ? .local : .utc
        return QueryScope(
            since: since.flatMap { TimeArgument.parse($0, now: now, zone: zone) },
            until: until.flatMap { TimeArgument.parse($0, now: now, zone: zone) },
            account: account, region: region, limit: limit)
    }

    var formatter: ResultFormatter { ResultFormatter(format: format, times: local ? .local : .utc) }

    /// Runs one table query on the read-only store and prints the result (notes go to stderr).
    func runTableQuery(_ query: (QueryService, QueryScope) throws -> ResultTable) throws {
        try runReadCommand {
            let now = self.now
            let table = try query(QueryService(store: try openStore(), now: now), scope(now: now))
            printNotes(table.notes)
            return formatter.render(table)
        }
    }

    /// Opens the store read-only; a missing file is a usage error (exit 2), never created.
    func openStore() throws -> Store {
        do {
            return try StoreLocation(db).open(readOnly: true)
        } catch {
            throw CommandFailure(error)
        }
    }
}

extension OutputFormat: ExpressibleByArgument {}

/// A store error as the CLI reports it: one clear message on standard error and an exit status
/// (2 for what the user can fix: missing database, ambiguous name, bad argument; 1 otherwise).
struct CommandFailure: Error {
    var error: StoreError
    init(_ error: StoreError) { self.error = error }

    var exitCode: Int32 {
        switch error.kind {
        case .notFound, .ambiguous, .invalidArgument, .schema, .damaged, .locked, .connection: 2
        case .sqlite, .postgres, .io, .claimLost: 1
        }
    }
}

/// Runs a read command body: prints its output, reports failures on standard error with the
/// right exit status.
func runReadCommand(_ body: () throws -> String) throws {
    do {
        let output = try body()
        FileHandle.standardOutput.write(Data(output.utf8))
    } catch let failure as CommandFailure {
        StandardError.storeError(failure.error)
        throw ExitCode(failure.exitCode)
    } catch let error as StoreError {
        StandardError.storeError(error)
        throw ExitCode(CommandFailure(error).exitCode)
    }
}

/// Writes remarks (for example "no secret matches") to standard error.
func printNotes(_ notes: [String]) {
    // Notes repeat what was typed ("no secret matches …"): shown terminal-safe and cut.
    for note in notes { StandardError.note(note, limit: 1_000) }
}
