import Foundation
import Testing
import TrailTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `tail` workers on a PostgreSQL store over a growing tree (issue 14): three workers with one
/// killed by SIGKILL mid-way, and the database restarted under a running tail. The reference is a
/// single SQLite backfill of the final tree; readiness is polled with deadlines, never slept.
@Suite("PostgreSQL store: tail workers", .serialized)
struct PostgresTailCLITests {
    typealias Failed = PostgresCLI.Failed

    /// A generated tree kept aside (`source`), delivered file by file into `watched`.
    struct GrowingTree {
        let dir: TempDirectory
        let tree: GeneratedTree
        let files: [String]
        let watched: URL

        init(_ generator: [String]) throws {
            dir = try TempDirectory()
            tree = try GenCloudTrail.generate(into: dir.path("source"), generator)
            files = PostgresCLI.logFiles(tree.logs)
            watched = dir.path("watched/AWSLogs")
            try FileManager.default.createDirectory(at: watched, withIntermediateDirectories: true)
        }

        func deliver(_ range: Range<Int>) throws {
            try PostgresCLI.deliver(Array(files[range]), from: tree.logs, to: watched)
        }

        /// The SQLite reference: one backfill of the whole tree.
        func reference() throws -> String {
            let db = dir.path("reference.db").path
            try PostgresCLI.succeed(["backfill", tree.logs.path, "--db", db, "--no-progress"], in: dir.url)
            return db
        }

        func tail(_ db: String, worker: String) throws -> RunningCLI {
            try TrailwatchBinary.launch(["tail", watched.path, "--db", db, "--no-progress", "--poll", "--poll-interval", "0.2",
                                         "--claim-ttl", "3", "--worker-id", worker, "--jobs", "1"], in: dir.url)
        }
    }

    static func untilWatching(_ run: RunningCLI) -> Bool {
        eventually(30, every: 0.05) { !run.isRunning || run.stderrSoFar().contains("watching") } && run.isRunning
    }

    /// Compares the PostgreSQL store with the SQLite reference: the history exactly (every row of
    /// `query access --limit 0`), the alerts as a set with unique ids, every file done.
    static func expectSameAsReference(_ postgres: String, _ reference: String, files: Int, resolvesLikeOneWorker: Bool = true,
                                      sourceLocation: SourceLocation = #_sourceLocation) throws {
        let access = try TrailwatchBinary.run(["query", "access", "--limit", "0", "--format", "json", "--db", postgres])
        let expected = try TrailwatchBinary.run(["query", "access", "--limit", "0", "--format", "json", "--db", reference])
        #expect(access.exitCode == 0 && expected.exitCode == 0, "\(access)\n\(expected)", sourceLocation: sourceLocation)
        // Exact history: the same (eventID, principal, event name, time) rows, as many of each.
        // The secret's name is compared only when workers resolve like one (see below).
        let fields = resolvesLikeOneWorker ? ["eventID", "secret", "principal", "eventName", "time"] : ["eventID", "principal", "eventName", "time"]
        let rowKey = { (o: [String: Any]) in fields.map { "\(o[$0] ?? "-")" }.joined(separator: "|") }
        let rows = PostgresCLI.objects(access.stdout).map(rowKey).sorted(), referenceRows = PostgresCLI.objects(expected.stdout).map(rowKey).sorted()
        #expect(rows == referenceRows, "the history differs from the reference: \(firstDifference(referenceRows.joined(separator: "\n"), rows.joined(separator: "\n")))",
                sourceLocation: sourceLocation)
        if !resolvesLikeOneWorker {
            // Known limit: a worker resolves names and partial ARNs with the full ARNs it has seen
            // and those other workers have committed; one learned from a file another worker has
            // not committed yet is not seen, so `secretArn`, even `secret` (a partial ARN ending
            // in `-client` read as a full one with that suffix), and the secret rows may differ
            // from a single in-order run.
            withKnownIssue("a full ARN learned from a file another worker has not committed yet is not seen", isIntermittent: true) {
                #expect(access.stdout == expected.stdout, "\(firstDifference(expected.stdout, access.stdout))", sourceLocation: sourceLocation)
            }
        } else {
            #expect(access.stdout == expected.stdout, "the history differs from the reference: \(firstDifference(expected.stdout, access.stdout))",
                    sourceLocation: sourceLocation)
        }
        let counts = try PostgresCLI.accessCounts(postgres)
        #expect(counts.values.reduce(0, +) == PostgresCLI.objects(expected.stdout).count, sourceLocation: sourceLocation)

        let alerts = PostgresCLI.objects(try PostgresCLI.succeed(["alerts", "--limit", "0", "--format", "json", "--db", postgres]).stdout)
        let referenceAlerts = PostgresCLI.objects(try PostgresCLI.succeed(["alerts", "--limit", "0", "--format", "json", "--db", reference]).stdout)
        let ids = alerts.compactMap { $0["id"] as? String }
        #expect(ids.count == alerts.count && Set(ids).count == ids.count, "alert ids doubled or missing: \(ids.sorted())", sourceLocation: sourceLocation)
        let keys = { (list: [[String: Any]]) in Set(list.map { "\($0["rule"] ?? "")|\($0["eventID"] ?? "")" }) }
        let differ = { (found: Set<String>, expected: Set<String>) in
            "alerts differ: only on PostgreSQL \(found.subtracting(expected).sorted()), only in the reference \(expected.subtracting(found).sorted())"
        }
        if resolvesLikeOneWorker {
            #expect(keys(alerts) == keys(referenceAlerts), "\(differ(keys(alerts), keys(referenceAlerts)))", sourceLocation: sourceLocation)
        } else {
            // Rules that decide on one event alone raise the same alerts however the files were
            // shared. Those whose state spans files (bursts, first sightings, deletion schedules,
            // key links, trail history) see only the files their worker read: without shards a
            // burst split across workers may be missed or raised by each (README, "Several workers").
            let spansFiles: Set<String> = [
                "secret-batch-retrieval-regions", "secret-batch-retrieval-volume", "secret-read-burst", "secret-read-denied-burst",
                "secret-read-by-new-principal", "secret-read-pending-deletion", "kms-key-disabled-or-deleted", "organization-left",
                "trail-deleted", "trail-event-selectors-narrowed", "trail-logging-stopped", "trail-weakened",
            ]
            let perEvent = { (list: [[String: Any]]) in keys(list.filter { !spansFiles.contains($0["rule"] as? String ?? "") }) }
            #expect(perEvent(alerts) == perEvent(referenceAlerts), "\(differ(perEvent(alerts), perEvent(referenceAlerts)))", sourceLocation: sourceLocation)
            #expect(!perEvent(referenceAlerts).isEmpty, "the tree raised no per-event alert: the comparison proves nothing", sourceLocation: sourceLocation)
            withKnownIssue("without shards, detections whose state spans files see only the files their worker read", isIntermittent: true) {
                #expect(keys(alerts) == keys(referenceAlerts), "\(differ(keys(alerts), keys(referenceAlerts)))", sourceLocation: sourceLocation)
            }
        }

        let status = try PostgresCLI.status(postgres), referenceStatus = try PostgresCLI.status(reference)
        let filesState = status["files"] as? [String: Any] ?? [:]
        #expect((filesState["done"] as? NSNumber)?.intValue == files && (filesState["failed"] as? NSNumber)?.intValue == 0,
                "not every file is done: \(status)", sourceLocation: sourceLocation)
        #expect((status["events"] as? NSNumber) == (referenceStatus["events"] as? NSNumber), "events: \(status) vs \(referenceStatus)",
                sourceLocation: sourceLocation)
    }

    // MARK: 2. three workers, one killed

    @Test("three tail workers over a growing tree, one killed by SIGKILL: exact history, no doubled alert, its files taken over",
          .enabled(if: GenCloudTrail.isAvailable, GenCloudTrail.unavailableReason))
    func threeWorkersOneKilled() throws {
        let grow = try GrowingTree(["-n", "2000", "--days", "1", "--seed", "33", "--accounts", "1", "--regions", "1",
                                    "--scenarios", "all", "--no-digests", "--max-per-file", "60"])
        let count = grow.files.count
        #expect(count >= 40, "too few files to share: \(count)")
        let reference = try grow.reference()
        let postgres = try PostgresCLI.database("three")

        try grow.deliver(0..<(count / 3))
        var workers = try (1...3).map { try grow.tail(postgres, worker: "w\($0)") }
        defer { for worker in workers { worker.send(SIGKILL) } }
        for worker in workers { #expect(Self.untilWatching(worker), "\(worker.arguments): \(worker.stderrSoFar())") }

        // Kill worker 2 once it has started committing (its claims are then live), while files keep arriving.
        let victim = workers[1]
        #expect(eventually(60) { (PostgresCLI.doneAndEvents(postgres)?.done ?? 0) > 2 }, "no file committed: \(victim.stderrSoFar())")
        try grow.deliver((count / 3)..<(2 * count / 3))
        // Kill it while it holds claims on files it has not committed, so that only a takeover can
        // complete them: freeze it (SIGSTOP) so its claims cannot change while they are read, then
        // kill it, or let it go on (SIGCONT) and look again.
        let database = PostgresCLI.databaseName(postgres)
        var orphaned: [String] = []
        let holding = eventually(20, every: 0.01) {
            guard victim.isRunning else { return true }
            victim.send(SIGSTOP)
            let held = (try? PostgresCLI.rows("SELECT path FROM claims WHERE worker LIKE 'w2%'", database: database)) ?? []
            let done = Set((try? PostgresCLI.rows("SELECT path FROM files WHERE status = 'done'", database: database)) ?? [])
            orphaned = held.filter { !done.contains($0) }
            if orphaned.isEmpty { victim.send(SIGCONT) } else { victim.send(SIGKILL) }
            return !orphaned.isEmpty
        }
        if !holding || orphaned.isEmpty {
            // Under load one worker can claim every file before the others look, so worker 2 may
            // never hold one. Leave what a crash leaves instead: worker 2 killed, and its live claim
            // on a file that has not arrived yet, which the survivors may take only once it expires.
            victim.send(SIGKILL)
            let path = grow.watched.appendingPathComponent(grow.files[2 * count / 3]).path
            _ = try PostgresCLI.rows("""
                INSERT INTO claims (path, worker, expires) VALUES ('\(path)', 'w2', (extract(epoch FROM clock_timestamp()) * 1000)::bigint + 3000)
                """, database: database)
            orphaned = [path]
        }
        #expect(!orphaned.isEmpty, "worker 2 left no claim: \(victim.stderrSoFar())")
        let killed = try victim.wait(timeout: 10)
        #expect(killed.exitCode == 128 + SIGKILL, "\(killed)")
        try grow.deliver((2 * count / 3)..<count)

        // The survivors finish the tree, taking the dead worker's claims over after their leases expire.
        let finished = eventually(90, every: 0.5) { PostgresCLI.doneAndEvents(postgres)?.done == count }
        #expect(finished, "the survivors did not finish: \(String(describing: PostgresCLI.doneAndEvents(postgres))) of \(count) files\n\(workers[0].stderrSoFar().suffix(2000))")
        for index in [0, 2] {
            workers[index].send(SIGTERM)
            let result = try workers[index].wait(timeout: 30)
            #expect(result.exitCode == 0, "\(result)")
        }
        workers = []
        // The dead worker's files were taken over: all done in the ledger, no claim left behind.
        let done = Set(try PostgresCLI.rows("SELECT path FROM files WHERE status = 'done'", database: database))
        let missing = orphaned.filter { !done.contains($0) }
        #expect(missing.isEmpty, "files orphaned by the killed worker are not done: \(missing)")
        #expect(try PostgresCLI.rows("SELECT path, worker FROM claims", database: database).isEmpty, "claims left behind")
        try Self.expectSameAsReference(postgres, reference, files: count, resolvesLikeOneWorker: false)
    }

    // MARK: 2b. a file changed at the same size

    /// A file `tail` committed, then rewritten at the same size with one record replaced: its
    /// fingerprint differs, so the tail reads it again and stores the new record (its own ledger
    /// row from earlier in the run must not vouch for the new content).
    @Test("a file rewritten at the same size under a running tail on PostgreSQL is read again")
    func sameSizeRewriteUnderTail() throws {
        let dir = try TempDirectory()
        let db = try PostgresCLI.database("tail-rewrite")
        let day = dir.path("watched/AWSLogs/111111111111/CloudTrail/us-east-1/2024/05/01")
        try FileManager.default.createDirectory(at: day, withIntermediateDirectories: true)
        let file = day.appendingPathComponent("111111111111_CloudTrail_us-east-1_20240501T0000Z_rewrite.json")
        func records(_ ids: [String]) -> String {
            let list = ids.map { id in
                """
                {"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/alice","accountId":"111111111111"},\
                "eventTime":"2024-05-01T00:00:00Z","eventSource":"secretsmanager.amazonaws.com","eventName":"GetSecretValue",\
                "awsRegion":"us-east-1","sourceIPAddress":"10.0.0.1","userAgent":"aws-cli/2","requestParameters":{"secretId":"prod/db"},\
                "eventID":"\(id)","eventType":"AwsApiCall","recipientAccountId":"111111111111","readOnly":true}
                """
            }
            return "{\"Records\":[" + list.joined(separator: ",") + "]}"
        }
        let first = records(["rewrite-0", "rewrite-1"]), second = records(["rewrite-0", "rewrite-2"])
        #expect(first.utf8.count == second.utf8.count)
        try Data(first.utf8).write(to: file)
        let tail = try TrailwatchBinary.launch(["tail", dir.path("watched").path, "--db", db, "--no-progress", "--jobs", "1"], in: dir.url)
        defer { tail.send(SIGKILL) }
        #expect(eventually(60) { PostgresCLI.doneAndEvents(db)?.events == 2 }, "\(tail.stderrSoFar())")
        try Data(second.utf8).write(to: file)
        #expect(eventually(60) { PostgresCLI.doneAndEvents(db)?.events == 3 },
                "the rewritten file was not read again: \(String(describing: PostgresCLI.doneAndEvents(db))) \(tail.stderrSoFar())")
        tail.send(SIGTERM)
        let ended = try tail.wait(timeout: 30)
        #expect(ended.exitCode == 0, "\(ended)")
    }

    // MARK: 3. the database restarted under tail

    @Test("the database stopped and started again under a running tail: it waits and says so; nothing lost, nothing doubled",
          .enabled(if: GenCloudTrail.isAvailable, GenCloudTrail.unavailableReason))
    func restartUnderTail() throws {
        let cluster: PostgresTestCluster
        do { cluster = try PostgresTestCluster.startPrivate(tls: false) } catch {
            throw Failed(description: "no PostgreSQL server for the test: \(error)")
        }
        defer { cluster.stop() }
        try cluster.psql("CREATE DATABASE restart")
        let postgres = cluster.url(database: "restart")

        let grow = try GrowingTree(["-n", "1500", "--days", "1", "--seed", "34", "--accounts", "1", "--regions", "1",
                                    "--scenarios", "all", "--no-digests", "--max-per-file", "60"])
        let count = grow.files.count
        let reference = try grow.reference()
        try grow.deliver(0..<(count / 2))
        let tail = try TrailwatchBinary.launch(["tail", grow.watched.path, "--db", postgres, "--no-progress", "--poll",
                                                "--poll-interval", "0.2", "--jobs", "1"], in: grow.dir.url)
        defer { tail.send(SIGKILL) }
        #expect(Self.untilWatching(tail), "\(tail.stderrSoFar())")
        #expect(eventually(60) { (PostgresCLI.doneAndEvents(postgres)?.done ?? 0) > 2 }, "no file committed: \(tail.stderrSoFar())")

        // Files keep arriving while the server is away and after it is back; tail says that it
        // waits, and when it has the server again.
        try cluster.stopServer()
        try grow.deliver((count / 2)..<(3 * count / 4))
        #expect(eventually(60, every: 0.2) { tail.stderrSoFar().contains("runs again in") },
                "tail said nothing while the database was away: \(tail.stderrSoFar().suffix(3000))")
        try cluster.startServer()
        try grow.deliver((3 * count / 4)..<count)

        let finished = eventually(90, every: 0.5) { PostgresCLI.doneAndEvents(postgres)?.done == count }
        #expect(finished, "tail did not finish after the restart: \(String(describing: PostgresCLI.doneAndEvents(postgres))) of \(count)\n\(tail.stderrSoFar().suffix(3000))")
        #expect(tail.isRunning, "tail exited after the restart: \(tail.stderrSoFar().suffix(3000))")
        #expect(tail.stderrSoFar().contains("the database answered again after"), "\(tail.stderrSoFar().suffix(3000))")
        tail.send(SIGTERM)
        let result = try tail.wait(timeout: 30)
        #expect(result.exitCode == 0, "\(result)")
        #expect(!result.stderr.contains(cluster.password))
        try Self.expectSameAsReference(postgres, reference, files: count)
    }
}
