import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Durable delivery end to end: `backfill SampleLogs` against a real HTTP server on loopback that
/// misbehaves in each of the ways a real endpoint does.
@Suite(.serialized) struct DeliveryCLITests {
    static let secretPath = "/hook/T000/B000/SECRETPATH"
    static let token = "tok-SECRETTOKEN"

    /// The alert ids `backfill SampleLogs` raises, from a run with standard output only.
    static let expectedIDs: Result<[String], any Error> = Result {
        let dir = try TempDirectory()
        let run = try TrailwatchBinary.run(["backfill", PackagePaths.sampleLogs.path, "--db", dir.path("s.db").path, "--no-progress"])
        guard run.exitCode == 0 else { throw WebhookServer.Unavailable(description: "\(run)") }
        return try AlertLine.parse(run.stdout).map(\.id)
    }

    private func backfill(_ dir: TempDirectory, _ extra: [String]) throws -> CLIResult {
        try TrailwatchBinary.run(["backfill", PackagePaths.sampleLogs.path, "--db", dir.path("t.db").path, "--no-progress",
                                  "--retry-initial", "0.05"] + extra,
                                 environment: ["TRAILWATCH_WEBHOOK_TOKEN": Self.token], timeout: 120)
    }

    /// Nothing secret reaches standard error.
    private func expectRedacted(_ run: CLIResult) {
        #expect(!run.stderr.contains("SECRETPATH"), "\(run)")
        #expect(!run.stderr.contains("SECRETTOKEN"), "\(run)")
    }

    @Test func failingEndpointGetsEveryAlertWithItsIdempotencyKey() throws {
        let ids = try Self.expectedIDs.get()
        let server = try WebhookServer(["--mode", "fail", "--count", "12"])
        let dir = try TempDirectory()
        let run = try backfill(dir, ["--webhook", server.url + Self.secretPath])
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdoutLines.count == ids.count)
        let requests = server.requests()
        #expect(requests.filter { $0.status == 500 }.count == 12)
        let delivered = requests.filter { $0.status == 200 }.compactMap(\.key)
        #expect(delivered.sorted() == ids.sorted(), "every alert delivered exactly once after the failures")
        #expect(requests.allSatisfy { $0.auth == "Bearer \(Self.token)" && $0.path == Self.secretPath })
        // Each body is the alert whose id is the key.
        for (request, body) in zip(requests, server.bodies()) { #expect(body["id"] as? String == request.key) }
        expectRedacted(run)
    }

    @Test func tooManyRequestsIsRetriedAfterRetryAfter() throws {
        let ids = try Self.expectedIDs.get()
        let server = try WebhookServer(["--mode", "retry-after", "--retry-after", "1"])
        let dir = try TempDirectory()
        let run = try backfill(dir, ["--sink", "webhook:" + server.url + Self.secretPath, "--sink", "file:" + dir.path("a.jsonl").path])
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdout.isEmpty, "--sink replaces standard output")
        let lines = try String(contentsOf: dir.path("a.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == ids.count)
        let requests = server.requests()
        for id in ids {
            let mine = requests.filter { $0.key == id }
            #expect(mine.map(\.status) == [429, 200], "\(id)")
            if mine.count == 2 { #expect(mine[1].t - mine[0].t >= 0.95, "Retry-After: 1 honoured for \(id)") }
        }
    }

    /// A 200 whose body never ends (a byte every 0.2 s, inside the read timeout) held each
    /// delivery slot for as long as the body lasted: two slots, two requests in the whole run. The
    /// request deadline now ends the read and the alert is retried, so the slots keep turning.
    @Test func endlessBodyAfterA200EndsAtTheDeadline() throws {
        let ids = try Self.expectedIDs.get()
        let server = try WebhookServer(["--mode", "endless"])
        let dir = try TempDirectory()
        let run = try backfill(dir, ["--webhook", server.url + Self.secretPath, "--request-timeout", "1", "--max-in-flight", "2",
                                     "--drain-timeout", "8", "--retry-initial", "0.05"])
        #expect(run.exitCode == 1, "\(run)")
        #expect(run.stderr.contains("alerts pending"), "\(run)")
        #expect(server.requests().count >= 4, "the two slots were held: \(server.requests().count) requests")
        let status = try TrailwatchBinary.run(["alerts", "--undelivered", "--db", dir.path("t.db").path])
        #expect(status.exitCode == 0 && status.stdoutLines.count >= ids.count, "\(status)")
        #expect(status.stdout.contains("HTTP 200: the answer's body was not whole"), "\(status)")
    }

    @Test(arguments: ["hang", "trickle"])
    func hangingOrTricklingEndpointCannotHoldBackfill(mode: String) throws {
        let ids = try Self.expectedIDs.get()
        let server = try WebhookServer(["--mode", mode])
        let dir = try TempDirectory()
        let started = Date()
        let run = try backfill(dir, ["--webhook", server.url + Self.secretPath, "--request-timeout", "1", "--drain-timeout", "3"])
        let elapsed = Date().timeIntervalSince(started)
        #expect(run.exitCode == 1, "\(run)")
        #expect(!run.timedOut)
        #expect(elapsed < 30, "exits after --drain-timeout, took \(elapsed) s")
        #expect(run.stdoutLines.count == ids.count, "standard output is not held up by the webhook")
        #expect(run.stderr.contains("alerts pending"), "\(run)")
        #expect(server.requests().count >= 8, "several requests in flight at once")
        expectRedacted(run)
        // The alerts wait in the outbox for the next run.
        let status = try TrailwatchBinary.run(["alerts", "--undelivered", "--db", dir.path("t.db").path])
        #expect(status.exitCode == 0, "\(status)")
        #expect(status.stdoutLines.count >= ids.count, "\(status)")
        #expect(!status.stdout.contains("SECRETPATH"))
    }

    @Test func redirectIsNotFollowed() throws {
        let other = try WebhookServer(["--mode", "ok"])
        let server = try WebhookServer(["--mode", "redirect", "--location", other.url + "/stolen?sig=abc"])
        let dir = try TempDirectory()
        let run = try backfill(dir, ["--webhook", server.url + Self.secretPath, "--drain-timeout", "10"])
        #expect(run.exitCode == 1, "\(run)")
        #expect(other.requests().isEmpty, "the token never reaches the other host")
        #expect(run.stderr.contains("redirect to \(other.url)/… not followed"), "\(run)")
        #expect(!run.stderr.contains("sig=abc") && !run.stderr.contains("/stolen"))
        let ids = try Self.expectedIDs.get()
        #expect(server.requests().count == ids.count, "a redirect is not retried")
        expectRedacted(run)
    }

    @Test func badRequestIsParkedWithTheAnswer() throws {
        let ids = try Self.expectedIDs.get()
        let server = try WebhookServer(["--mode", "status", "--status", "400", "--body", "bad request: unknown field"])
        let dir = try TempDirectory()
        let run = try backfill(dir, ["--webhook", server.url + Self.secretPath])
        #expect(run.exitCode == 1, "\(run)")
        #expect(server.requests().count == ids.count, "a 400 is not retried")
        #expect(run.stderr.contains("\(ids.count) failed"), "\(run)")
        let list = try TrailwatchBinary.run(["alerts", "--undelivered", "--format", "json", "--db", dir.path("t.db").path])
        #expect(list.stdout.contains("HTTP 400: bad request: unknown field"), "\(list)")
        // Re-queued, they are pending again (the next run with this sink sends them).
        let requeue = try TrailwatchBinary.run(["alerts", "redeliver", "--db", dir.path("t.db").path])
        #expect(requeue.exitCode == 0, "\(requeue)")
        #expect(requeue.stderr.contains("re-queued \(ids.count)"), "\(requeue)")
        let after = try TrailwatchBinary.run(["alerts", "--undelivered", "--format", "json", "--db", dir.path("t.db").path])
        #expect(after.stdoutLines.count == ids.count)
        #expect(after.stdoutLines.allSatisfy { $0.contains(#""state":"pending""#) }, "\(after)")
    }

    @Test func fullDiskKeepsAlertsPending() throws {
        let dir = try TempDirectory()
        let run = try backfill(dir, ["--alerts", "/dev/full", "--drain-timeout", "1"])
        #expect(run.exitCode == 1, "\(run)")
        #expect(run.stderr.contains("No space left on device"), "\(run)")
        let ids = try Self.expectedIDs.get()
        #expect(run.stderr.contains("sink file:/dev/full: \(ids.count) alerts pending"), "\(run)")
        // A later run to a working file delivers them: nothing was marked delivered on the failure.
        let list = try TrailwatchBinary.run(["alerts", "--undelivered", "--db", dir.path("t.db").path])
        #expect(list.stdoutLines.count >= ids.count, "\(list)")
    }

    @Test func tokenWithALineBreakIsRefused() throws {
        let dir = try TempDirectory()
        let run = try TrailwatchBinary.run(["backfill", PackagePaths.sampleLogs.path, "--db", dir.path("t.db").path,
                                            "--webhook", "http://127.0.0.1:9/x"],
                                           environment: ["TRAILWATCH_WEBHOOK_TOKEN": "abc\r\nX-Injected: 1"])
        #expect(run.exitCode == 2, "\(run)")
        #expect(run.stderr.contains("TRAILWATCH_WEBHOOK_TOKEN"), "\(run)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("t.db").path))
    }
}

/// `kill -9` of `tail` while webhook deliveries are in flight, then a restart: every alert is
/// delivered at least once, a repeat happens only across the crash, always with the same key.
@Suite struct DeliveryCrashTests {
    @Test func killNineWithDeliveriesInFlightLosesNone() async throws {
        let dir = try TempDirectory()
        let watched = try dir.copy(PackagePaths.sampleLogs, to: "watched")
        let switchFile = dir.path("endpoint-works").path
        // 5 answered, then every request hangs (8 in flight) until the switch file appears.
        let server = try WebhookServer(["--mode", "hang", "--skip", "5", "--switch-file", switchFile])
        let hook = server.url + "/hook"
        let arguments = ["tail", watched.path, "--db", dir.path("t.db").path, "--no-progress", "--webhook", hook,
                         "--sink", "file:" + dir.path("a.jsonl").path, "--retry-initial", "0.05", "--request-timeout", "60"]
        let first = try TrailwatchBinary.launch(arguments)
        _ = await eventually(90, every: 0.05) { server.requests().count >= 13 || !first.isRunning }
        #expect(server.requests().count >= 13, "deliveries did not start: \(first.stderrSoFar())")
        first.send(SIGKILL)
        _ = try first.wait(timeout: 10)
        let beforeCrash = server.requests().count

        _ = FileManager.default.createFile(atPath: switchFile, contents: nil)
        let ids = try DeliveryCLITests.expectedIDs.get()
        let second = try TrailwatchBinary.launch(arguments)
        _ = await eventually(90) { Set(server.requests().filter { $0.status == 200 }.compactMap(\.key)).count >= ids.count }
        second.send(SIGTERM)
        let end = try second.wait(timeout: 60)
        #expect(end.exitCode == 0, "\(end)")

        let requests = server.requests()
        let bodies = server.bodies()
        #expect(requests.count == bodies.count)
        for (request, body) in zip(requests, bodies) { #expect(body["id"] as? String == request.key, "the key is the alert id") }
        let delivered = requests.filter { $0.status == 200 }
        #expect(Set(delivered.compactMap(\.key)) == Set(ids), "every alert delivered at least once")
        for phase in [Array(requests[..<beforeCrash]), Array(requests[beforeCrash...])] {
            let keys = phase.filter { $0.status == 200 }.compactMap(\.key)
            #expect(keys.count == Set(keys).count, "an alert delivered twice within one run")
        }
        // The file sink got every alert too.
        let lines = try String(contentsOf: dir.path("a.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(Set(try AlertLine.parse(lines.joined(separator: "\n")).map(\.id)) == Set(ids))
    }
}
