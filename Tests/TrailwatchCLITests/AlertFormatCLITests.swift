import Foundation
import Testing

/// Alert bodies end to end: one line per alert whatever the input's layout, OCSF findings valid
/// against the published schema, Slack messages of Slack's shape.
@Suite struct AlertFormatCLITests {
    static let stratus: URL? = PackagePaths.shared.map { $0.appendingPathComponent("corpus/real/stratus-red-team/detonation-logs") }
        .flatMap { FileManager.default.fileExists(atPath: $0.path) ? $0 : nil }

    /// The real Stratus Red Team logs are pretty-printed bare arrays: each alert is still one line,
    /// a JSON object whose record is the input's record.
    @Test(.enabled(if: stratus != nil, "needs ../shared/corpus/real/stratus-red-team (the shared corpus)"))
    func prettyPrintedRecordsGiveOneAlertPerLine() throws {
        let dir = try TempDirectory()
        let input = try #require(Self.stratus)
        let run = try TrailwatchBinary.run(["backfill", input.path, "--db", dir.path("t.db").path, "--no-progress",
                                            "--sink", "stdout", "--sink", "file:" + dir.path("a.jsonl").path])
        #expect(run.exitCode == 0 || run.exitCode == 1, "\(run)")
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(!lines.isEmpty, "the Stratus detonations raise alerts")
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["record"] is [String: Any], "\(line.prefix(200))")
        }
        #expect(try String(contentsOf: dir.path("a.jsonl"), encoding: .utf8) == run.stdout, "file and stdout get the same lines")
    }

    @Test func ocsfFindingsValidateAgainstThePublishedSchema() throws {
        let dir = try TempDirectory()
        let run = try TrailwatchBinary.run(["backfill", PackagePaths.sampleLogs.path, "--db", dir.path("t.db").path, "--no-progress",
                                            "--alert-format", "ocsf", "--alerts", dir.path("f.jsonl").path])
        #expect(run.exitCode == 0, "\(run)")
        let findings = try String(contentsOf: dir.path("f.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(findings.count > 5)
        let validator = Process()
        validator.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        validator.arguments = ["python3", PackagePaths.root.appendingPathComponent("Scripts/validate-ocsf.py").path, dir.path("f.jsonl").path]
        let errors = dir.path("validator.err")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        validator.standardError = try FileHandle(forWritingTo: errors)
        try validator.run()
        validator.waitUntilExit()
        let said = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        #expect(validator.terminationStatus != 3, "Python packages missing (.ci/run installs them: pip install pydantic-ocsf jsonschema): \(said)")
        #expect(validator.terminationStatus == 0, "\(said)")
    }

    @Test func slackSinkSendsSlackMessages() throws {
        let server = try WebhookServer(["--mode", "ok"])
        let dir = try TempDirectory()
        let run = try TrailwatchBinary.run(["backfill", PackagePaths.sampleLogs.path, "--db", dir.path("t.db").path, "--no-progress",
                                            "--sink", "slack:" + server.url + "/services/T0/B0/SECRETPATH"],
                                           environment: ["TRAILWATCH_WEBHOOK_TOKEN": "tok-SECRETTOKEN"])
        #expect(run.exitCode == 0, "\(run)")
        let requests = server.requests()
        #expect(!requests.isEmpty)
        #expect(requests.allSatisfy { $0.auth == nil }, "the webhook token is for webhook sinks, not Slack")
        for body in server.bodies() {
            let text = body["text"] as? String ?? ""
            #expect(!text.isEmpty && !text.contains("\n"))
            let blocks = body["blocks"] as? [[String: Any]] ?? []
            #expect(blocks.first?["type"] as? String == "header")
            #expect(Set(body.keys) == ["text", "blocks"])
        }
        #expect(!run.stderr.contains("SECRETPATH"))
        let status = try TrailwatchBinary.run(["status", "--db", dir.path("t.db").path])
        #expect(status.stdout.contains("ALERT OUTBOX"), "\(status)")
        #expect(status.stdout.contains("slack:http://127.0.0.1:\(server.port)/…#"), "\(status)")
        #expect(!status.stdout.contains("SECRETPATH"))
    }
}
