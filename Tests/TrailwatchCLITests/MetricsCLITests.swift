import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `tail --metrics`: the exposition parses with prometheus-client's parser and says what the
/// store, the outbox and the committer did.
@Suite struct MetricsCLITests {
    @Test func metricsParseAndCountTheSampleLogs() async throws {
        let dir = try TempDirectory()
        let watched = try dir.copy(PackagePaths.sampleLogs, to: "watched")
        let tail = try TrailwatchBinary.launch(["tail", watched.path, "--db", dir.path("t.db").path, "--no-progress",
                                                "--metrics", "127.0.0.1:0", "--sink", "file:" + dir.path("a.jsonl").path])
        var url: String?
        var scraped: [String: Any]?
        _ = try await eventually(90, every: 0.2) {
            if url == nil, let line = tail.stderrSoFar().split(separator: "\n").first(where: { $0.contains("metrics on http://") }) {
                url = line.components(separatedBy: "metrics on ").last
            }
            guard let url else { return !tail.isRunning }
            let (code, out, err) = try runPython(["scrape-metrics.py", url], in: dir)
            #expect(code != 3, "Python packages missing (.ci/run installs them: pip install prometheus-client): \(err)")
            if code == 3 { return true }
            #expect(code == 0, "\(err)")
            let object = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
            let families = object?["families"] as? [String: Any]
            let files = (families?["trailwatch_files"] as? [String: Any])?["samples"] as? [[Any]]
            let done = files?.first { ($0[1] as? [String: String])?["status"] == "done" }?[2] as? Double
            if done == 221 { scraped = object }
            return done == 221 || !tail.isRunning
        }
        tail.send(SIGTERM)
        let end = try tail.wait(timeout: 60)
        #expect(end.exitCode == 0, "\(end)")
        let object = try #require(scraped, "no complete scrape: \(end)")
        #expect((object["contentType"] as? String)?.hasPrefix("text/plain; version=0.0.4") == true)
        let families = try #require(object["families"] as? [String: [String: Any]])
        for name in ["trailwatch_files", "trailwatch_records", "trailwatch_events_stored", "trailwatch_alerts", "trailwatch_outbox_pending",
                     "trailwatch_outbox_failed", "trailwatch_delivery_attempts", "trailwatch_delivery_errors", "trailwatch_ingestion_lag_seconds",
                     "trailwatch_commit_duration_seconds"] {
            #expect(families[name] != nil, "missing \(name): \(families.keys.sorted())")
        }
        #expect(families["trailwatch_commit_duration_seconds"]?["type"] as? String == "histogram")
        let alerts = families["trailwatch_alerts"]?["samples"] as? [[Any]] ?? []
        // Every alert the SampleLogs backfill prints (the planted incidents and the rest).
        let printed = try AlertLine.parse(SampleRun.get().result.stdout).count
        #expect(alerts.reduce(0.0) { $0 + ($1[2] as? Double ?? 0) } == Double(printed))
        #expect(alerts.allSatisfy { ($0[1] as? [String: String])?.keys.sorted() == ["rule", "severity"] })
        let lag = families["trailwatch_ingestion_lag_seconds"]?["samples"] as? [[Any]] ?? []
        #expect(lag.count == 4, "two accounts by two regions")
    }

    private func runPython(_ arguments: [String], in dir: TempDirectory) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", PackagePaths.root.appendingPathComponent("Scripts/" + arguments[0]).path] + arguments.dropFirst()
        let out = dir.path("py.out"), err = dir.path("py.err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOf: out, encoding: .utf8)) ?? "", (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }
}
