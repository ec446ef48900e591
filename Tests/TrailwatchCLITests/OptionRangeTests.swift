import Foundation
import Testing

/// Every numeric option is range-checked (exit 2, the option and its accepted range on stderr,
/// nothing on stdout) and impossible dates are refused; none may crash with an overflow.
@Suite("numeric option ranges")
struct OptionRangeTests {
    /// The shared SampleLogs store (read only).
    static func db() throws -> String { try SampleRun.get().db.path }

    /// Options are given as `--name=value`, so that negative numbers reach the range check.
    private func expectRefused(_ arguments: [String], mentions: [String],
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let dir = try TempDirectory()
        let result = try TrailwatchBinary.run(arguments, in: dir.url)
        #expect(result.exitCode == 2, "\(result)", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, "\(result)", sourceLocation: sourceLocation)
        for text in mentions {
            #expect(result.stderr.contains(text), "stderr does not mention \(text)\n\(result)", sourceLocation: sourceLocation)
        }
    }

    @Test("query unused --days out of range", arguments: ["106751991168", "36501", "-1", "9223372036854775807"])
    func days(_ value: String) throws {
        let db = try Self.db()
        try expectRefused(["query", "unused", "--db", db, "--days=\(value)"],
                          mentions: ["--days must be between 0 and 36500, not \(value)"])
    }

    @Test("query unused --days at the bounds runs")
    func daysAtBounds() throws {
        let db = try Self.db()
        for value in ["0", "36500"] {
            let result = try TrailwatchBinary.run(["query", "unused", "--db", db, "--days", value, "--format", "json"])
            #expect(result.exitCode == 0, "\(result)")
        }
    }

    @Test("--limit out of range", arguments: [["query", "access"], ["alerts"], ["status"], ["query", "secrets"]])
    func limit(_ command: [String]) throws {
        let db = try Self.db()
        for value in ["-1", "1000000001", "9223372036854775807"] {
            try expectRefused(command + ["--db", db, "--limit=\(value)"],
                              mentions: ["--limit must be between 0 and 1000000000, not \(value)"])
        }
    }

    @Test("tail durations out of range or not finite",
          arguments: [("--poll-interval", "0"), ("--poll-interval", "inf"), ("--poll-interval", "nan"),
                      ("--poll-interval", "1e300"), ("--incomplete-timeout", "0"), ("--incomplete-timeout", "-5"),
                      ("--incomplete-timeout", "inf"), ("--incomplete-timeout", "604801")])
    func tailDurations(_ option: String, _ value: String) throws {
        try expectRefused(["tail", ".", "--db", "t.db", "\(option)=\(value)"], mentions: ["\(option) must be between"])
    }

    @Test("delivery durations out of range or not finite",
          arguments: [("--retry-initial", "inf"), ("--retry-initial", "1e17"), ("--retry-initial", "nan"), ("--retry-initial", "0"),
                      ("--request-timeout", "inf"), ("--drain-timeout", "-1")])
    func deliveryDurations(_ option: String, _ value: String) throws {
        try expectRefused(["backfill", ".", "--db", "t.db", "\(option)=\(value)"], mentions: ["\(option) must be "])
    }

    @Test("verify --jobs is range-checked like backfill's, and --format offers only table and json")
    func verifyOptions() throws {
        for value in ["0", "257", "9223372036854775807"] {
            try expectRefused(["verify", ".", "--public-keys", "k.json", "--jobs=\(value)"],
                              mentions: ["--jobs must be between 1 and 256, not \(value)"])
        }
        try expectRefused(["verify", ".", "--public-keys", "k.json", "--format=csv"], mentions: ["csv"])
        let help = try TrailwatchBinary.run(["verify", "--help"])
        #expect(help.exitCode == 0 && help.stdout.contains("--format <format>") && !help.stdout.contains("csv"), "\(help)")
    }

    @Test("--since after --until is refused instead of matching nothing")
    func sinceAfterUntil() throws {
        let db = try Self.db()
        try expectRefused(["query", "access", "--db", db, "--since=2025-01-02", "--until=2025-01-01"],
                          mentions: ["--since (2025-01-02T00:00:00Z) is after --until (2025-01-01T00:00:00Z)"])
        try expectRefused(["alerts", "--db", db, "--since=1d", "--until=2d"], mentions: ["is after --until"])
        try expectRefused(["backfill", ".", "--db", "t.db", "--since=2025-01-02", "--until=2025-01-01"],
                          mentions: ["--since (2025-01-02) is a later day than --until (2025-01-01)"])
        // The same day at both ends is a day's range, not an error.
        let sameDay = try TrailwatchBinary.run(["query", "access", "--db", db, "--since", "2025-01-01", "--until", "2025-01-01T23:00:00Z", "--format", "json"])
        #expect(sameDay.exitCode == 0, "\(sameDay)")
    }

    @Test("pattern bench counts out of range",
          arguments: [("--passes", "0"), ("--passes", "1001"), ("--chunk", "-1"), ("--chunk", "10000001")])
    func benchCounts(_ option: String, _ value: String) throws {
        try expectRefused(["pattern", "bench", "--patterns", "p.json", "--events", "e.json", "\(option)=\(value)"],
                          mentions: ["\(option) must be between"])
    }

    @Test("impossible dates are refused",
          arguments: ["2024-02-30", "2023-02-29", "2024-04-31", "2024-13-01", "2024-00-10", "2024-06-31T10:00:00Z",
                      "2024-05-01T24:00:00Z", "9999999w", "99999999999999999999d"])
    func impossibleDates(_ value: String) throws {
        let db = try Self.db()
        try expectRefused(["query", "access", "--db", db, "--since", value], mentions: ["--since \"\(value)\" is not a time"])
        try expectRefused(["query", "access", "--db", db, "--until", value], mentions: ["--until \"\(value)\" is not a time"])
    }

    @Test("possible dates are accepted", arguments: ["2024-02-29", "2000-02-29", "2024-04-30", "2024-12-31T23:59:59Z"])
    func possibleDates(_ value: String) throws {
        let db = try Self.db()
        let result = try TrailwatchBinary.run(["query", "access", "--db", db, "--since", value, "--format", "json"])
        #expect(result.exitCode == 0, "\(result)")
    }
}
