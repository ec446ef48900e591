import Foundation
import Testing

/// Bad usage exits 2 with a message on stderr that names what is wrong, prints nothing on stdout,
/// and creates no store (issue 3: exit 2 for bad usage or an unusable rules directory or database).
@Suite("bad usage")
struct UsageTests {
    /// Runs `arguments` in a fresh directory and checks the common contract of a usage error.
    @discardableResult
    private func expectUsageError(_ arguments: [String], in dir: TempDirectory? = nil, mentions: [String],
                                  sourceLocation: SourceLocation = #_sourceLocation) throws -> CLIResult {
        let dir = try dir ?? TempDirectory()
        let before = try dir.files()
        let result = try TrailwatchBinary.run(arguments, in: dir.url)
        #expect(result.exitCode == 2, "\(result)", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, "\(result)", sourceLocation: sourceLocation)
        for text in mentions {
            #expect(result.stderr.contains(text), "stderr does not mention \(text)\n\(result)", sourceLocation: sourceLocation)
        }
        #expect(try dir.files() == before, "the failed run left files behind", sourceLocation: sourceLocation)
        return result
    }

    @Test("an unknown subcommand or option")
    func unknown() throws {
        try expectUsageError(["frobnicate"], mentions: ["frobnicate"])
        try expectUsageError(["backfill", "--no-such-flag", PackagePaths.sampleLogs.path], mentions: ["Unknown option '--no-such-flag'"])
        try expectUsageError(["query", "access", "--no-such-flag"], mentions: ["Unknown option '--no-such-flag'"])
    }

    @Test("--settle that is not an ISO 8601 duration")
    func badSettle() throws {
        try expectUsageError(["backfill", PackagePaths.sampleLogs.path, "--settle", "30m", "--db", "x.db"], mentions: ["--settle", "PT30M"])
        try expectUsageError(["tail", ".", "--settle", "P1M", "--db", "x.db"], mentions: ["--settle"])
    }

    @Test("backfill without a path")
    func missingPath() throws {
        try expectUsageError(["backfill"], mentions: ["Missing expected argument '<path> ...'"])
    }

    @Test("backfill of a path that does not exist")
    func nonexistentPath() throws {
        try expectUsageError(["backfill", "/nonexistent/trailwatch-test/AWSLogs", "--db", "x.db"],
                             mentions: ["trailwatch: error: /nonexistent/trailwatch-test/AWSLogs: No such file or directory"])
    }

    @Test("a bad --jobs value", arguments: ["0", "257", "-1", "two"])
    func badJobs(_ jobs: String) throws {
        try expectUsageError(["backfill", PackagePaths.sampleLogs.path, "--db", "x.db", "--jobs", jobs], mentions: ["--jobs"])
    }

    @Test("a --rules directory that does not exist")
    func missingRulesDirectory() throws {
        try expectUsageError(["backfill", PackagePaths.sampleLogs.path, "--db", "x.db", "--rules", "no-such-rules"],
                             mentions: ["trailwatch: error: rules directory no-such-rules does not exist or is not a directory"])
    }

    /// Rule files with one defect each, and the message that names file, rule and JSON path.
    static let brokenRules: [(name: String, json: String, message: String)] = [
        ("bad-detector.json",
         #"{"name":"r1","title":"t","severity":"high","description":"d","pattern":{"source":["aws.secretsmanager"]},"detector":{"type":"thresh"}}"#,
         #"rules/bad-detector.json: rule "r1": detector.type: unknown detector type "thresh""#),
        ("bad-field.json",
         #"{"name":"r2","title":"t","severity":"high","description":"d","pattern":{"source":["aws.secretsmanager"]},"detector":{"type":"threshold","group":["principle"],"count":20,"window":"PT5M"}}"#,
         #"rules/bad-field.json: rule "r2": detector.group[0]: unknown field "principle""#),
        ("bad-pattern.json",
         #"{"name":"r3","title":"t","severity":"high","description":"d","pattern":{"detail":{"eventName":["a",{"prefix":1}]}}}"#,
         #"rules/bad-pattern.json: rule "r3": detail.eventName[1]: "prefix" needs a string"#),
        ("bad-json.json", #"{"name":"r4","#, "rules/bad-json.json: invalid JSON at byte 13"),
    ]

    @Test("a rules directory with a broken rule names the file, the rule and the JSON path",
          arguments: brokenRules.indices)
    func brokenRule(_ index: Int) throws {
        let broken = Self.brokenRules[index]
        let dir = try TempDirectory()
        // The shipped rules plus one broken file.
        for file in try FileManager.default.contentsOfDirectory(atPath: PackagePaths.root.appendingPathComponent("Rules").path)
        where file.hasSuffix(".json") {
            try dir.copy(PackagePaths.root.appendingPathComponent("Rules").appendingPathComponent(file), to: "rules/\(file)")
        }
        try dir.write("rules/\(broken.name)", Data(broken.json.utf8))
        let result = try expectUsageError(
            ["backfill", PackagePaths.sampleLogs.path, "--db", "x.db", "--rules", "rules"], in: dir,
            mentions: ["trailwatch: error: " + broken.message])
        #expect(result.stderrLines.count == 1, "\(result)")
    }

    @Test("--alerts in a directory that does not exist: the reason, and no store created")
    func unwritableAlertsFile() throws {
        try expectUsageError(["backfill", PackagePaths.sampleLogs.path, "--db", "x.db", "--alerts", "missing/alerts.jsonl"],
                             mentions: ["trailwatch: error: cannot open --alerts missing/alerts.jsonl: No such file or directory"])
    }

    @Test("a store held by a running tail is refused to backfill (exit 2, the holder's pid), and usable after")
    func lockedStore() throws {
        let dir = try TempDirectory()
        try FileManager.default.createDirectory(at: dir.path("watched"), withIntermediateDirectories: true)
        let tail = try TrailwatchBinary.launch(["tail", "watched", "--db", "held.db"], in: dir.url)
        let deadline = Date().addingTimeInterval(60)
        while !tail.stderrSoFar().contains("watching"), tail.isRunning, Date() < deadline { usleep(20_000) }
        try #require(tail.stderrSoFar().contains("watching"), "tail did not start: \(tail.stderrSoFar())")

        let refused = try expectUsageError(
            ["backfill", PackagePaths.sampleLogs.path, "--db", "held.db"], in: dir,
            mentions: ["trailwatch: error: held.db: lock: the database is in use by another trailwatch process (pid \(tail.pid))"])
        #expect(refused.stderrLines.count == 1, "\(refused)")

        tail.send(SIGTERM)
        let stopped = try tail.wait(timeout: 60)
        #expect(stopped.exitCode == 0, "\(stopped)")
        let after = try TrailwatchBinary.run(
            ["backfill", PackagePaths.sampleLogs.appendingPathComponent("AWSLogs/739205118846/CloudTrail/eu-west-1").path,
             "--db", "held.db"], in: dir.url)
        #expect(after.exitCode == 0, "\(after)")
    }

    @Test("read commands on a store that does not exist")
    func missingStore() throws {
        try expectUsageError(["query", "access", "--db", "missing.db"], mentions: ["missing.db"])
        try expectUsageError(["alerts", "--db", "missing.db"], mentions: ["missing.db"])
    }
}
