import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `trailwatch tail` as a service, run as a child process on a temporary store: catch-up then
/// new files (inotify and polling), half-written files, the incomplete timeout, graceful and
/// forced shutdown, the single-writer lock, kill -9 with restarts, and bad directories.
///
/// Readiness is never guessed from a sleep: each test plants a probe record that a test rule
/// matches and waits for its alert (or for the store to hold the records) with a generous
/// deadline, so the tests do not depend on the machine's speed.
@Suite("trailwatch tail service", .serialized)
struct TailServiceTests {
    // MARK: (a), (b) catch-up, then new files

    @Test("catch-up, then new files in a new day directory (inotify)")
    func catchUpThenNewFilesInotify() async throws {
        try await catchUpThenNewFiles(extraArguments: [])
    }

    @Test("catch-up, then new files in a new day directory (--poll)")
    func catchUpThenNewFilesPolling() async throws {
        try await catchUpThenNewFiles(extraArguments: ["--poll", "--poll-interval", "0.2"])
    }

    private func catchUpThenNewFiles(extraArguments: [String]) async throws {
        let t = try TailFixture("catchup")
        defer { t.remove() }
        let early = (0..<3).map { TailLogFile(tag: "cu", index: $0, records: 20, probe: $0 == 1) }
        for file in early { try t.drop(file) }

        let run = try await t.startTail(extraArguments)
        defer { run.forceStop() }
        let caughtUp = try #require(early[1].probeID)
        #expect(await eventually(120) { run.alertEventIDs().contains(caughtUp) }, "no alert for the file already there at start; stderr: \(run.stderr())")

        // New files, one of them in a day directory that did not exist when tail started.
        let late = [
            TailLogFile(tag: "cu", index: 3, records: 20, probe: false),
            TailLogFile(tag: "cu", index: 4, records: 20, probe: true, day: 4),
        ]
        for file in late { try t.drop(file) }
        let arrived = try #require(late[1].probeID)
        #expect(await eventually(120) { run.alertEventIDs().contains(arrived) }, "no alert for a file renamed in later; stderr: \(run.stderr())")

        run.send(SIGTERM)
        #expect(await run.exit(within: 20) == .exited(0), "stderr: \(run.stderr())")

        let expected = (early + late).flatMap(\.eventIDs)
        let stored = try await t.accessEventIDs()
        #expect(Set(stored.keys) == Set(expected))
        #expect(stored.values.allSatisfy { $0 == 1 }, "records stored more than once: \(stored.filter { $0.value > 1 })")
        let status = try await t.status()
        #expect(status.done == 5 && status.failed == 0, "status: \(status)")
        #expect(run.alertEventIDs().sorted() == [caughtUp, arrived].sorted(), "each probe alerts once")
    }

    // MARK: (c) half-written files

    @Test("a half-written file (truncated gzip, or gzip of cut-off JSON) is ingested once complete, not failed")
    func halfWrittenFileIsIngestedOnceComplete() async throws {
        let t = try TailFixture("halfwritten")
        defer { t.remove() }
        let barrier = TailLogFile(tag: "hw", index: 0, records: 5, probe: true)
        try t.drop(barrier)
        let run = try await t.startTail(["--incomplete-timeout", "60"])
        defer { run.forceStop() }
        #expect(await eventually(120) { run.alertEventIDs().contains(barrier.probeID ?? "") }, "stderr: \(run.stderr())")

        // Written in place, like a copy tool: first part now, the rest later.
        let truncated = TailLogFile(tag: "hw", index: 1, records: 200, probe: true)
        let cut = truncated.gzip.count / 2
        try t.writeInPlace(truncated, bytes: Array(truncated.gzip[..<cut]))
        // A complete gzip member whose JSON ends early (a writer that compresses as it goes).
        let partialJSON = TailLogFile(tag: "hw", index: 2, records: 200, probe: true)
        try t.writeInPlace(partialJSON, bytes: TailGzip.stored(Array(partialJSON.json[..<(partialJSON.json.count / 2)])))

        #expect(await eventually(120) { run.stderr().contains(truncated.name) && run.stderr().contains(partialJSON.name) },
                "tail says nothing about the half-written files; stderr: \(run.stderr())")
        var status = try await t.status()
        #expect(status.failed == 0, "a half-written file was recorded as failed: \(status)")
        #expect(!run.alertEventIDs().contains(truncated.probeID ?? ""))

        try t.appendInPlace(truncated, bytes: Array(truncated.gzip[cut...]))
        try t.writeInPlace(partialJSON, bytes: partialJSON.gzip)
        #expect(await eventually(120) {
            let seen = run.alertEventIDs()
            return seen.contains(truncated.probeID ?? "") && seen.contains(partialJSON.probeID ?? "")
        }, "completed files were not ingested; stderr: \(run.stderr())")

        run.send(SIGTERM)
        #expect(await run.exit(within: 20) == .exited(0), "stderr: \(run.stderr())")
        status = try await t.status()
        #expect(status.done == 3 && status.failed == 0, "status: \(status)")
        let stored = try await t.accessEventIDs()
        #expect(Set(stored.keys) == Set([barrier, truncated, partialJSON].flatMap(\.eventIDs)))
        #expect(stored.values.allSatisfy { $0 == 1 })
    }

    @Test("a 0-byte file with a CloudTrail log name waits like a half-written one, then is ingested once written")
    func emptyCloudTrailFileWaits() async throws {
        let t = try TailFixture("emptyct")
        defer { t.remove() }
        let barrier = TailLogFile(tag: "ec", index: 0, records: 5, probe: true)
        try t.drop(barrier)
        let run = try await t.startTail(["--incomplete-timeout", "60"])
        defer { run.forceStop() }
        #expect(await eventually(120) { run.alertEventIDs().contains(barrier.probeID ?? "") }, "stderr: \(run.stderr())")

        let later = TailLogFile(tag: "ec", index: 1, records: 20, probe: true)
        try t.writeInPlace(later, bytes: [])
        #expect(await eventually(120) { run.stderr().contains(later.name) }, "tail says nothing about the empty file; stderr: \(run.stderr())")
        var status = try await t.status()
        #expect(status.failed == 0, "an empty CloudTrail file was failed before the timeout: \(status)")

        try t.writeInPlace(later, bytes: later.gzip)
        #expect(await eventually(120) { run.alertEventIDs().contains(later.probeID ?? "") }, "stderr: \(run.stderr())")
        run.send(SIGTERM)
        #expect(await run.exit(within: 20) == .exited(0), "stderr: \(run.stderr())")
        status = try await t.status()
        #expect(status.done == 2 && status.failed == 0, "status: \(status)")
    }

    // MARK: (d) incomplete timeout

    @Test("with a short --incomplete-timeout a permanently truncated file is recorded as failed and tail keeps going")
    func permanentlyTruncatedFileFailsAfterTimeout() async throws {
        let t = try TailFixture("timeout")
        defer { t.remove() }
        let run = try await t.startTail(["--incomplete-timeout", "1"])
        defer { run.forceStop() }

        let broken = TailLogFile(tag: "to", index: 0, records: 50, probe: true)
        try t.drop(broken, bytes: Array(broken.gzip[..<(broken.gzip.count * 2 / 3)]))
        let good = TailLogFile(tag: "to", index: 1, records: 10, probe: true)
        try t.drop(good)
        #expect(await eventually(120) { run.alertEventIDs().contains(good.probeID ?? "") }, "stderr: \(run.stderr())")

        let failedPaths = await t.failedPaths(count: 1, within: 120)
        #expect(failedPaths != nil, "the truncated file was not recorded as failed; stderr: \(run.stderr())")
        #expect(failedPaths?.contains { $0.hasSuffix(broken.name) } == true, "failed files: \(failedPaths ?? [])")
        #expect(run.stderr().contains(broken.name), "the failure is not reported on standard error")

        // Still running: a later file is ingested.
        let after = TailLogFile(tag: "to", index: 2, records: 10, probe: true)
        try t.drop(after)
        #expect(await eventually(120) { run.alertEventIDs().contains(after.probeID ?? "") }, "stderr: \(run.stderr())")
        run.send(SIGTERM)
        #expect(await run.exit(within: 20) == .exited(0), "stderr: \(run.stderr())")
        let stored = try await t.accessEventIDs()
        #expect(Set(stored.keys) == Set((good.eventIDs + after.eventIDs)))
    }

    @Test("a symlink loop under the watched directory is reported and counted as failed at start, like backfill")
    func symlinkLoopIsReportedAtStart() async throws {
        let t = try TailFixture("loop")
        defer { t.remove() }
        let good = TailLogFile(tag: "lp", index: 0, records: 5, probe: true)
        try t.drop(good)
        try FileManager.default.createSymbolicLink(atPath: t.watched + "/loop1.json.gz", withDestinationPath: "loop2.json.gz")
        try FileManager.default.createSymbolicLink(atPath: t.watched + "/loop2.json.gz", withDestinationPath: "loop1.json.gz")
        let run = try await t.startTail([])
        defer { run.forceStop() }
        #expect(await eventually(120) { run.alertEventIDs().contains(good.probeID ?? "") }, "stderr: \(run.stderr())")
        let failedPaths = await t.failedPaths(count: 2, within: 60)
        #expect(failedPaths?.sorted() == [t.watched + "/loop1.json.gz", t.watched + "/loop2.json.gz"],
                "the loop was not counted as failed: \(failedPaths ?? []); stderr: \(run.stderr())")
        #expect(run.stderr().contains("loop1.json.gz: cannot stat: "), "stderr: \(run.stderr())")
        run.send(SIGTERM)
        #expect(await run.exit(within: 20) == .exited(0), "stderr: \(run.stderr())")
    }

    // MARK: (e) shutdown

    @Test("SIGTERM during catch-up exits 0 with whole files only; a restart completes exactly once")
    func sigtermDuringCatchUp() async throws {
        let t = try TailFixture("sigterm")
        defer { t.remove() }
        let batch = (0..<40).map { TailLogFile(tag: "st", index: $0, records: 150, probe: $0 == 0) }
        for file in batch { try t.drop(file) }

        let first = try await t.startTail()
        defer { first.forceStop() }
        #expect(await eventually(120) { first.alertEventIDs().contains(batch[0].probeID ?? "") }, "stderr: \(first.stderr())")
        first.send(SIGTERM)
        #expect(await first.exit(within: 20) == .exited(0), "stderr: \(first.stderr())")
        try await t.expectWholeFiles(batch)

        let second = try await t.startTail()
        defer { second.forceStop() }
        #expect(await eventually(30, every: 0.25) { (try? await t.status())?.events == batch.flatMap(\.eventIDs).count },
                "stderr: \(second.stderr())")
        second.send(SIGTERM)
        #expect(await second.exit(within: 20) == .exited(0), "stderr: \(second.stderr())")
        try await t.expectExactlyOnce(batch)
        #expect(Set((first.alertEventIDs() + second.alertEventIDs())) == [batch[0].probeID ?? ""])
    }

    @Test("a second signal while a large file is in hand exits at once; the store stays whole and a restart completes")
    func secondSignalExitsAtOnce() async throws {
        let t = try TailFixture("twosignals")
        defer { t.remove() }
        // A large file first, so that the first signal finds work in hand.
        let files = [TailLogFile(tag: "ts", index: 0, records: 10_000, probe: true)]
            + (1..<6).map { TailLogFile(tag: "ts", index: $0, records: 50, probe: false) }
        for file in files { try t.drop(file) }

        let run = try await t.startTail()
        defer { run.forceStop() }
        try await Task.sleep(for: .milliseconds(200))
        run.send(SIGINT)
        // The first signal is acknowledged (or tail has already finished and stopped) ...
        _ = await eventually(10) { run.stderr().contains("stopping") || !run.isRunning }
        run.send(SIGINT)
        // ... and the second one ends it without waiting for the file in hand.
        let ended = await run.exit(within: 10)
        #expect(ended != nil, "tail did not stop after two signals; stderr: \(run.stderr())")
        try await t.expectWholeFiles(files)

        let restart = try await t.startTail()
        defer { restart.forceStop() }
        #expect(await eventually(30, every: 0.25) { (try? await t.status())?.events == files.flatMap(\.eventIDs).count },
                "stderr: \(restart.stderr())")
        restart.send(SIGTERM)
        #expect(await restart.exit(within: 20) == .exited(0), "stderr: \(restart.stderr())")
        try await t.expectExactlyOnce(files)
    }

    // MARK: (f) single writer

    @Test("a second tail or backfill on the same store is refused with exit 2 and a clear message")
    func secondWriterIsRefused() async throws {
        let t = try TailFixture("lock")
        defer { t.remove() }
        let file = TailLogFile(tag: "lk", index: 0, records: 5, probe: true)
        try t.drop(file)
        let run = try await t.startTail()
        defer { run.forceStop() }
        #expect(await eventually(120) { run.alertEventIDs().contains(file.probeID ?? "") }, "stderr: \(run.stderr())")

        let other = try t.makeDirectory("other")
        let secondTail = try await t.trailwatch(["tail", other, "--db", t.db, "--rules", t.rules, "--no-progress"], timeout: 15)
        #expect(secondTail.status == .exited(2), "second tail: \(secondTail)")
        #expect(secondTail.stderr.lowercased().contains("in use") || secondTail.stderr.lowercased().contains("lock"),
                "unclear refusal: \(secondTail.stderr)")
        let backfill = try await t.trailwatch(["backfill", other, "--db", t.db, "--rules", t.rules, "--no-progress"], timeout: 15)
        #expect(backfill.status == .exited(2), "backfill: \(backfill)")
        #expect(!backfill.stderr.isEmpty)

        // Readers are not writers: query works meanwhile, and the first tail is unharmed.
        #expect(try await t.accessEventIDs().count == file.eventIDs.count)
        let later = TailLogFile(tag: "lk", index: 1, records: 5, probe: true)
        try t.drop(later)
        #expect(await eventually(120) { run.alertEventIDs().contains(later.probeID ?? "") }, "stderr: \(run.stderr())")
        run.send(SIGTERM)
        #expect(await run.exit(within: 20) == .exited(0), "stderr: \(run.stderr())")
    }

    // MARK: (g) kill -9

    @Test("kill -9 at several moments while files arrive, restart each time: every record exactly once")
    func killNineAndRestart() async throws {
        let t = try TailFixture("kill9")
        defer { t.remove() }
        var random = TailRandom(seed: 0x7A11_5EED)
        let files = (0..<30).map { TailLogFile(tag: "k9", index: $0, records: $0 % 5 == 0 ? 1_000 : 40, probe: $0 % 3 == 0) }
        // Kill after these files land; two more files land while tail is down (catch-up on restart).
        let killAfter: [Int] = [2, 6, 10, 14, 18, 22, 25]
        var runs = [try await t.startTail()]
        defer { runs.forEach { $0.forceStop() } }

        var restartAfter: Int?
        for (index, file) in files.enumerated() {
            try t.drop(file)
            if index == restartAfter {
                runs.append(try await t.startTail(wait: false))   // kills may land during start-up too
                restartAfter = nil
            }
            try await Task.sleep(for: .milliseconds(Int(random.next(upTo: 60)) + 10))
            if killAfter.contains(index) {
                try await Task.sleep(for: .milliseconds(Int(random.next(upTo: 150))))
                let current = runs[runs.count - 1]
                current.send(SIGKILL)
                #expect(await current.exit(within: 10) == .signalled(SIGKILL), "run \(runs.count) ended early: \(current.stderr())")
                restartAfter = index + 2
            }
        }
        if restartAfter != nil { runs.append(try await t.startTail()) }

        let last = runs[runs.count - 1]
        await last.untilWatching()
        let expected = files.flatMap(\.eventIDs).count
        #expect(await eventually(30, every: 0.25) { (try? await t.status())?.events == expected }, "stderr: \(last.stderr())")
        last.send(SIGTERM)
        #expect(await last.exit(within: 20) == .exited(0), "stderr: \(last.stderr())")
        try await t.expectExactlyOnce(files)

        let alerts = try await t.storedAlerts()
        let probes = Set(files.compactMap(\.probeID))
        #expect(alerts.count == Set(alerts.map(\.id)).count, "alert ids are not unique")
        #expect(Set(alerts.map(\.eventID)) == probes)
        // Printed across all runs: an alert may be printed again only when a kill fell between
        // its commit and its print, so at most one file's alerts per kill.
        var printed: [String: Int] = [:]
        for run in runs { for id in run.alertIDs() { printed[id, default: 0] += 1 } }
        let reprinted = printed.filter { $0.value > 1 }
        #expect(reprinted.count <= killAfter.count, "alerts printed again: \(reprinted)")
        #expect(Set(printed.keys).isSubset(of: Set(alerts.map(\.id))), "printed alerts that the store does not hold")
    }

    @Test("alerts committed before a kill -9 are printed after the restart, even when tail was blocked printing them")
    func committedAlertsArePrintedAfterKill() async throws {
        let t = try TailFixture("unprinted")
        defer { t.remove() }
        let files = (0..<10).map { TailLogFile(tag: "up", index: $0, records: 20, probe: false, allProbes: true) }
        for file in files { try t.drop(file) }

        // Nobody reads the pipe: once it is full (64 KiB, about 50 alerts of 1.3 kB) tail blocks while
        // printing alerts it has already committed, and is killed there.
        let pipe = Pipe()
        let blocked = try await t.startTail(stdout: pipe)
        defer { blocked.forceStop() }
        var last = -1
        #expect(await eventually(20, every: 0.3) {
            guard let status = try? await t.status() else { return false }
            defer { last = status.alerts }
            return status.alerts >= 40 && status.alerts == last
        }, "tail did not commit alerts; stderr: \(blocked.stderr())")
        blocked.send(SIGKILL)
        #expect(await blocked.exit(within: 10) == .signalled(SIGKILL))
        let printedBefore = TailJSONLines.objects(blocked.pipedOutput(), completeLinesOnly: true).compactMap { $0["id"] as? String }

        let restart = try await t.startTail()
        defer { restart.forceStop() }
        #expect(await eventually(30, every: 0.25) { (try? await t.status())?.done == files.count }, "stderr: \(restart.stderr())")
        restart.send(SIGTERM)
        #expect(await restart.exit(within: 20) == .exited(0), "stderr: \(restart.stderr())")

        let stored = Set(try await t.storedAlerts().map(\.id))
        #expect(stored.count == files.count * 20)
        let printed = Set(printedBefore + restart.alertIDs())
        #expect(printed.isSubset(of: stored))
        // Committed first, printed second: a crash in between may print an alert again after the
        // restart, but must not lose it.
        #expect(stored.subtracting(printed).isEmpty, "\(stored.subtracting(printed).count) stored alerts were never printed")
    }

    // MARK: (h) bad directories

    @Test("a missing directory is a usage error (exit 2) naming it")
    func missingDirectoryExitsTwo() async throws {
        let t = try TailFixture("missing")
        defer { t.remove() }
        let missing = t.root + "/no-such-dir"
        let alone = try await t.trailwatch(["tail", missing, "--db", t.db, "--rules", t.rules, "--no-progress"], timeout: 15)
        #expect(alone.status == .exited(2), "\(alone)")
        #expect(alone.stderr.contains("no-such-dir"), "stderr: \(alone.stderr)")
        let mixed = try await t.trailwatch(["tail", t.watched, missing, "--db", t.db, "--rules", t.rules, "--no-progress"], timeout: 15)
        #expect(mixed.status == .exited(2), "\(mixed)")
        #expect(mixed.stderr.contains("no-such-dir"), "stderr: \(mixed.stderr)")
    }

    // MARK: generated archive

    @Test("catch-up of a generated archive stores every Secrets Manager record once",
          .enabled(if: GenCloudTrail.isAvailable, GenCloudTrail.unavailableReason))
    func generatedArchiveCatchUp() async throws {
        let t = try TailFixture("generated")
        defer { t.remove() }
        let generator = try #require(TailGenerator.path)
        let jsonl = t.root + "/all.jsonl"
        let generated = try await t.run(generator, ["-o", t.root + "/generated", "-n", "1500", "--days", "0.05", "--seed", "11",
                                                    "--scenarios", "all", "--jsonl", jsonl, "-j", "1", "-q"], timeout: 60)
        try #require(generated.status == .exited(0), "gen-cloudtrail: \(generated)")
        // Only the AWSLogs tree is watched (the generator's manifest stays outside).
        try FileManager.default.moveItem(atPath: t.root + "/generated/AWSLogs", toPath: t.watched + "/AWSLogs")
        let files = try TailGenerator.logFiles(under: t.watched)
        let (secretsManager, kms) = try TailGenerator.secretRelatedIDs(jsonl)
        try #require(!secretsManager.isEmpty)

        let run = try await t.startTail()
        defer { run.forceStop() }
        #expect(await eventually(30, every: 0.25) { (try? await t.status())?.total == files.count }, "stderr: \(run.stderr())")
        run.send(SIGTERM)
        #expect(await run.exit(within: 20) == .exited(0), "stderr: \(run.stderr())")
        let status = try await t.status()
        #expect(status.failed == 0, "status: \(status)")
        let stored = try await t.accessEventIDs()
        #expect(secretsManager.isSubset(of: Set(stored.keys)), "missing: \(secretsManager.subtracting(stored.keys).sorted().prefix(5))")
        #expect(Set(stored.keys).isSubset(of: secretsManager.union(kms)), "stored records that are not secret-related")
    }
}

// MARK: - Fixture

/// A temporary directory with a watched tree, a probe rule and a store path.
private struct TailFixture {
    static let probeEvent = "TrailWatchTestProbe"

    let root: String
    var watched: String { root + "/watched" }
    var rules: String { root + "/rules" }
    var db: String { root + "/trailwatch.db" }

    init(_ name: String) throws {
        root = FileManager.default.temporaryDirectory.path + "/tailservice-\(name)-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root + "/watched", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/rules", withIntermediateDirectories: true)
        let rule = """
            {"name":"tail-probe","title":"Tail probe","severity":"info","description":"Matches the probe record of the tail tests.",\
            "pattern":{"detail":{"eventName":["\(Self.probeEvent)"]}}}
            """
        try Data(rule.utf8).write(to: URL(fileURLWithPath: root + "/rules/tail-probe.json"))
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    func makeDirectory(_ name: String) throws -> String {
        let path = root + "/" + name
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func path(of file: TailLogFile) -> String { watched + "/" + file.relativePath }

    /// Writes `bytes` (default: the whole file) under a temporary dot-name and renames it into place.
    func drop(_ file: TailLogFile, bytes: [UInt8]? = nil) throws {
        let final = path(of: file)
        let directory = (final as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = directory + "/." + file.name + ".part"
        try Data(bytes ?? file.gzip).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, final) == 0 else { throw TailTestError("rename \(temporary): errno \(errno)") }
    }

    /// Creates or truncates the file at its final name and writes `bytes` into it.
    func writeInPlace(_ file: TailLogFile, bytes: [UInt8]) throws {
        let final = path(of: file)
        try FileManager.default.createDirectory(atPath: (final as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: final))   // not atomic: written in place
    }

    func appendInPlace(_ file: TailLogFile, bytes: [UInt8]) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path(of: file)))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(bytes))
        try handle.close()
    }

    /// Starts tail and waits (up to 10 s) until it says it is watching: its signal handlers are
    /// installed by then, so a SIGTERM that follows means "stop gracefully", not "die".
    func startTail(_ extra: [String] = [], stdout pipe: Pipe? = nil, wait: Bool = true) async throws -> TailRun {
        let run = try TailRun(["tail", watched, "--db", db, "--rules", rules, "--no-progress"] + extra, in: root, stdout: pipe)
        if wait { await run.untilWatching() }
        return run
    }

    func trailwatch(_ arguments: [String], timeout: Double) async throws -> TailOutcome {
        try await run(try TailBinary.require(), arguments, timeout: timeout)
    }

    /// Runs a program to completion, its output captured in files (no pipe can fill up).
    func run(_ program: String, _ arguments: [String], timeout: Double) async throws -> TailOutcome {
        let child = try TailRun(program: program, arguments, in: root)
        defer { child.forceStop() }
        guard let status = await child.exit(within: timeout) else {
            throw TailTestError("\(program) \(arguments.joined(separator: " ")) did not finish in \(timeout) s")
        }
        return TailOutcome(status: status, stdout: child.stdout(), stderr: child.stderr())
    }

    /// eventID -> number of rows, from `query access --format json --limit 0` (one row per event and secret).
    func accessEventIDs() async throws -> [String: Int] {
        let out = try await trailwatch(["query", "access", "--db", db, "--limit", "0", "--format", "json"], timeout: 30)
        guard out.status == .exited(0) else { throw TailTestError("query access: \(out)") }
        var counts: [String: Int] = [:]
        for object in TailJSONLines.objects(out.stdout) {
            guard let id = object["eventID"] as? String else { throw TailTestError("access row without eventID: \(object)") }
            counts[id, default: 0] += 1
        }
        return counts
    }

    /// The failed files' paths once `status` counts `count` of them, or nil when it does not
    /// within `seconds`.
    func failedPaths(count: Int, within seconds: Double) async -> [String]? {
        var paths: [String]?
        let reached = await eventually(seconds) {
            guard let status = try? await status(), status.failed == count else { return false }
            paths = status.failedPaths
            return true
        }
        return reached ? paths : nil
    }

    func status() async throws -> TailStatus {
        let out = try await trailwatch(["status", "--db", db, "--format", "json"], timeout: 30)
        guard out.status == .exited(0), let object = TailJSONLines.objects(out.stdout).first else {
            throw TailTestError("status: \(out)")
        }
        return TailStatus(object)
    }

    func storedAlerts() async throws -> [(id: String, eventID: String)] {
        let out = try await trailwatch(["alerts", "--db", db, "--limit", "0", "--format", "json"], timeout: 30)
        guard out.status == .exited(0) else { throw TailTestError("alerts: \(out)") }
        return TailJSONLines.objects(out.stdout).map { ($0["id"] as? String ?? "", $0["eventID"] as? String ?? "") }
    }

    /// Asserts that the store holds every record of `files` once, nothing else, and every file as done.
    func expectExactlyOnce(_ files: [TailLogFile], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let stored = try await accessEventIDs()
        let expected = Set(files.flatMap(\.eventIDs))
        let missing = expected.subtracting(stored.keys), extra = Set(stored.keys).subtracting(expected)
        #expect(missing.isEmpty && extra.isEmpty, "missing \(missing.sorted().prefix(5)), unexpected \(extra.sorted().prefix(5))",
                sourceLocation: sourceLocation)
        let doubled = stored.filter { $0.value > 1 }.keys.sorted()
        #expect(doubled.isEmpty, "stored more than once: \(doubled.prefix(5))", sourceLocation: sourceLocation)
        let status = try await status()
        #expect(status.done == files.count && status.failed == 0 && status.events == expected.count, "status: \(status)",
                sourceLocation: sourceLocation)
    }

    /// Asserts that each file's records are all stored or none are (a file commits as one
    /// transaction), and that the ledger counts exactly the complete files as done.
    func expectWholeFiles(_ files: [TailLogFile], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let stored = try await accessEventIDs()
        var complete = 0
        for file in files {
            let present = file.eventIDs.filter { stored[$0] != nil }.count
            #expect(present == 0 || present == file.eventIDs.count,
                    "\(file.name): \(present) of \(file.eventIDs.count) records stored", sourceLocation: sourceLocation)
            if present == file.eventIDs.count { complete += 1 }
        }
        #expect(stored.values.allSatisfy { $0 == 1 }, "records stored twice", sourceLocation: sourceLocation)
        let status = try await status()
        #expect(status.done == complete && status.failed == 0, "status \(status), \(complete) complete files",
                sourceLocation: sourceLocation)
    }
}

/// One synthetic CloudTrail log file: Secrets Manager reads, optionally one probe record.
private struct TailLogFile {
    static let account = "111122223333"
    let name: String
    let relativePath: String
    let eventIDs: [String]
    let probeID: String?
    let json: [UInt8]
    let gzip: [UInt8]

    /// `index` orders the files: it sets the delivery stamp in the name and the event times.
    /// With `allProbes`, every record is a probe record (one alert each).
    init(tag: String, index: Int, records: Int, probe: Bool, day: Int = 3, allProbes: Bool = false) {
        let account = Self.account
        let hour = index / 60 % 24, minute = index % 60
        let hh = hour < 10 ? "0\(hour)" : "\(hour)", mm = minute < 10 ? "0\(minute)" : "\(minute)"
        let serial = String(index)
        let suffix = String(repeating: "0", count: max(0, 16 - serial.count)) + serial
        name = "\(account)_CloudTrail_us-east-1_2024060\(day)T\(hh)\(mm)Z_\(suffix).json.gz"
        relativePath = "AWSLogs/\(account)/CloudTrail/us-east-1/2024/06/0\(day)/" + name
        var ids: [String] = []
        var texts: [String] = []
        let probeAt = probe ? records / 2 : -1
        for i in 0..<records {
            let id = "\(tag)-\(index)-\(i)"
            ids.append(id)
            texts.append(Self.record(id: id, eventName: allProbes ? TailFixture.probeEvent : "GetSecretValue", secret: "prod/db-\(index % 3)-AbCdEf", time: "2024-06-0\(day)T\(hh):\(mm):\(i % 60 < 10 ? "0" : "")\(i % 60)Z"))
            if i == probeAt {
                let pid = "\(tag)-\(index)-probe"
                ids.append(pid)
                texts.append(Self.record(id: pid, eventName: TailFixture.probeEvent, secret: "prod/probe-PrObEx", time: "2024-06-0\(day)T\(hh):\(mm):30Z"))
            }
        }
        probeID = probe ? "\(tag)-\(index)-probe" : nil
        eventIDs = ids
        json = Array(("{\"Records\":[" + texts.joined(separator: ",") + "]}").utf8)
        gzip = TailGzip.stored(json)
    }

    static func record(id: String, eventName: String, secret: String, time: String) -> String {
        let arn = "arn:aws:secretsmanager:us-east-1:\(account):secret:\(secret)"
        return """
            {"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDATAILSERVICETEST","arn":"arn:aws:iam::\(account):user/app",\
            "accountId":"\(account)","userName":"app"},"eventTime":"\(time)","eventSource":"secretsmanager.amazonaws.com",\
            "eventName":"\(eventName)","awsRegion":"us-east-1","sourceIPAddress":"10.0.0.1","userAgent":"aws-cli/2.15",\
            "requestParameters":{"secretId":"\(arn)"},"responseElements":null,"requestID":"\(id)","eventID":"\(id)",\
            "readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"\(account)","eventCategory":"Management"}
            """
    }
}

// MARK: - Processes

/// How a child process ended.
private enum TailExit: Equatable, CustomStringConvertible {
    case exited(Int32)
    case signalled(Int32)
    var description: String {
        switch self {
        case let .exited(code): return "exit \(code)"
        case let .signalled(signal): return "signal \(signal)"
        }
    }
}

private struct TailOutcome: CustomStringConvertible {
    var status: TailExit
    var stdout: String
    var stderr: String
    var description: String { "\(status); stderr: \(stderr.prefix(2000)); stdout: \(stdout.prefix(500))" }
}

/// A running child (usually `trailwatch tail`), its standard output and error going to files.
private final class TailRun {
    private let process = Process()
    private let stdoutPath: String
    private let stderrPath: String

    convenience init(_ arguments: [String], in directory: String, stdout pipe: Pipe? = nil) throws {
        try self.init(program: try TailBinary.require(), arguments, in: directory, stdout: pipe)
    }

    /// What the process wrote into its standard-output pipe; call once it has ended.
    func pipedOutput() -> String {
        guard let pipe else { return "" }
        try? pipe.fileHandleForWriting.close()   // our copy of the write end, so that reading ends
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    /// Set when standard output goes to a pipe that the test reads only after the process ends.
    private let pipe: Pipe?

    init(program: String, _ arguments: [String], in directory: String, stdout pipe: Pipe? = nil) throws {
        self.pipe = pipe
        let stem = directory + "/run-\(UUID().uuidString.prefix(8))"
        stdoutPath = stem + ".out"
        stderrPath = stem + ".err"
        guard FileManager.default.createFile(atPath: stdoutPath, contents: nil),
              FileManager.default.createFile(atPath: stderrPath, contents: nil) else {
            throw TailTestError("cannot create \(stem).out/.err")
        }
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try pipe ?? FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
    }

    func send(_ signal: Int32) {
        if process.isRunning { _ = kill(process.processIdentifier, signal) }
    }

    /// Waits up to `seconds` for the process to end.
    func exit(within seconds: Double) async -> TailExit? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning { return nil }
        return process.terminationReason == .uncaughtSignal ? .signalled(process.terminationStatus) : .exited(process.terminationStatus)
    }

    /// Kills the process if it is still running (test clean-up).
    func forceStop() {
        guard process.isRunning else { return }
        _ = kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    var isRunning: Bool { process.isRunning }

    /// Waits (up to 10 s) until tail says it is watching, or has ended.
    func untilWatching() async {
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning, !stderr().contains("watching"), Date() < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    func stdout() -> String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    func stderr() -> String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Alert lines printed so far (complete lines only).
    func alerts() -> [[String: Any]] { TailJSONLines.objects(stdout(), completeLinesOnly: true) }
    func alertIDs() -> [String] { alerts().compactMap { $0["id"] as? String } }
    func alertEventIDs() -> [String] { alerts().compactMap { $0["eventID"] as? String } }
}

/// The built `trailwatch`, found by the target's shared harness (`TrailwatchBinary`).
private enum TailBinary {
    static func require() throws -> String { try TrailwatchBinary.url().path }
}

/// `gen-cloudtrail`, when the shared tools sit beside the package (see `GenCloudTrail`).
private enum TailGenerator {
    static var path: String? { GenCloudTrail.isAvailable ? GenCloudTrail.tool?.path : nil }

    /// Every file under root/AWSLogs (log and digest files; tail records both in its ledger).
    static func logFiles(under root: String) throws -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root + "/AWSLogs") else { throw TailTestError("no AWSLogs under \(root)") }
        var files: [String] = []
        while let relative = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/AWSLogs/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(relative)
            }
        }
        return files
    }

    /// eventIDs of Secrets Manager records, and of KMS records that name a secret, in a JSON-lines file.
    static func secretRelatedIDs(_ jsonl: String) throws -> (secretsManager: Set<String>, kms: Set<String>) {
        let text = try String(contentsOfFile: jsonl, encoding: .utf8)
        var sm: Set<String> = [], kms: Set<String> = []
        for line in text.split(separator: "\n") {
            guard let object = TailJSONLines.object(String(line)), let id = object["eventID"] as? String else { continue }
            switch object["eventSource"] as? String {
            case "secretsmanager.amazonaws.com": sm.insert(id)
            case "kms.amazonaws.com" where line.contains("arn:aws:secretsmanager:"): kms.insert(id)
            default: break
            }
        }
        return (sm, kms)
    }
}

// MARK: - Small utilities

private struct TailTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `trailwatch status --format json`, the parts these tests read.
private struct TailStatus: CustomStringConvertible {
    var done = 0, skipped = 0, failed = 0, events = 0, alerts = 0
    var failedPaths: [String] = []
    var total: Int { done + skipped + failed }

    init(_ object: [String: Any]) {
        let files = object["files"] as? [String: Any] ?? [:]
        done = (files["done"] as? NSNumber)?.intValue ?? -1
        skipped = (files["skipped"] as? NSNumber)?.intValue ?? -1
        failed = (files["failed"] as? NSNumber)?.intValue ?? -1
        events = (object["events"] as? NSNumber)?.intValue ?? -1
        alerts = (object["alerts"] as? NSNumber)?.intValue ?? -1
        failedPaths = (object["failedFiles"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
    }

    var description: String { "done \(done), skipped \(skipped), failed \(failed), events \(events) \(failedPaths)" }
}

private enum TailJSONLines {
    static func object(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }

    /// The JSON objects of a JSON-lines text; with `completeLinesOnly`, a last line without its
    /// newline (still being written) is left out.
    static func objects(_ text: String, completeLinesOnly: Bool = false) -> [[String: Any]] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if completeLinesOnly || lines.last == "" { lines.removeLast() }
        return lines.compactMap { $0.isEmpty ? nil : object(String($0)) }
    }
}

/// A tiny deterministic generator (SplitMix64), so the kill schedule is the same every run.
private struct TailRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(upTo bound: UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return (z ^ (z >> 31)) % bound
    }
}

/// gzip with stored (uncompressed) deflate blocks: valid for any reader, and easy to cut short.
private enum TailGzip {
    static func stored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255]
        var offset = 0
        repeat {
            let n = min(65_535, data.count - offset)
            out.append(offset + n == data.count ? 1 : 0)
            out += [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += data[offset..<(offset + n)]
            offset += n
        } while offset < data.count
        let crc = crc32(data), size = UInt32(truncatingIfNeeded: data.count)
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((crc >> UInt32(shift)) & 0xFF)) }
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((size >> UInt32(shift)) & 0xFF)) }
        return out
    }

    private static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
