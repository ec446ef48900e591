import Foundation
import Testing
import TrailTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The PostgreSQL store end to end through the binary (issue 14): the same output as SQLite for
/// the same tree, failures that exit 2 without the password, hostile query input, and prune. The
/// tests start the throwaway cluster themselves and fail with the reason when it cannot start.
@Suite("PostgreSQL store through the CLI", .serialized)
struct PostgresCLITests {
    typealias Failed = PostgresCLI.Failed

    /// A generated tree with incidents, loaded into a fresh SQLite file and a fresh PostgreSQL database.
    struct TwoStores {
        let dir: TempDirectory
        let tree: GeneratedTree
        let sqlite: String
        let postgres: String

        init(_ name: String, _ generator: [String]) throws {
            dir = try TempDirectory()
            tree = try GenCloudTrail.generate(into: dir.path("tree"), generator)
            sqlite = dir.path("\(name).db").path
            postgres = try PostgresCLI.database(name)
            for db in [sqlite, postgres] {
                try PostgresCLI.succeed(["backfill", tree.logs.path, "--db", db, "--no-progress"], in: dir.url)
            }
        }

        /// Runs `arguments` + `--db` on both stores: (SQLite result, PostgreSQL result).
        func both(_ arguments: [String]) throws -> (CLIResult, CLIResult) {
            (try TrailwatchBinary.run(arguments + ["--db", sqlite], in: dir.url, timeout: 60),
             try TrailwatchBinary.run(arguments + ["--db", postgres], in: dir.url, timeout: 60))
        }
    }

    static let incidentTree = ["-n", "4000", "--days", "2", "--seed", "14", "--accounts", "2", "--regions", "1",
                               "--scenarios", "all", "--no-digests", "--max-per-file", "200"]

    // MARK: 1. PostgreSQL equals SQLite

    @Test("backfill into PostgreSQL prints the same alerts, status and query output as into SQLite",
          .enabled(if: GenCloudTrail.isAvailable, GenCloudTrail.unavailableReason))
    func backfillEqualsSQLite() throws {
        let stores = try TwoStores("equal", Self.incidentTree)
        let access = PostgresCLI.objects(try PostgresCLI.succeed(
            ["query", "access", "--db", stores.sqlite, "--limit", "0", "--format", "json"]).stdout)
        #expect(access.count > 500, "the tree's access history is too small: \(access.count)")
        let secrets = Array(Set(access.compactMap { $0["secret"] as? String }).sorted().prefix(2))
        let principals = Array(Set(access.compactMap { $0["principal"] as? String }).sorted().prefix(2))
        #expect(secrets.count == 2 && principals.count == 2, "no names to ask about: \(access.first ?? [:])")

        var commands: [[String]] = [
            ["alerts", "--limit", "0", "--format", "json"],
            ["status", "--format", "json"],
            ["query", "access", "--limit", "0", "--format", "json"],
            ["query", "pending-deletions", "--limit", "0", "--format", "json"],
            ["query", "unused", "--days", "1", "--limit", "0", "--format", "json", "--until", "2024-06-05T00:00:00Z"],
        ]
        for secret in secrets {
            commands.append(["query", "callers", "--secret", secret, "--limit", "0", "--format", "json"])
            commands.append(["query", "secret", secret, "--format", "json"])
        }
        for principal in principals {
            commands.append(["query", "secrets", "--principal", principal, "--limit", "0", "--format", "json"])
        }
        for command in commands {
            let (lite, pg) = try stores.both(command)
            #expect(lite.exitCode == 0 && pg.exitCode == 0, "\(lite)\n\(pg)")
            #expect(!lite.stdout.isEmpty, "\(command) printed nothing on SQLite; the comparison would prove nothing")
            #expect(withoutLag(lite.stdout) == withoutLag(pg.stdout), "\(command.joined(separator: " ")) differs:\n\(firstDifference(lite.stdout, pg.stdout))")
        }
        let alerts = PostgresCLI.objects(try stores.both(["alerts", "--limit", "0", "--format", "json"]).1.stdout)
        #expect(alerts.count >= 3, "the planted incidents raised only \(alerts.count) alerts")
        // The backfill into the empty database deferred the indexes of the history (see
        // killDuringFirstLoad) and built all of them at its end.
        #expect(try Self.historyIndexes(stores.postgres).count == 11)
    }

    /// A forged record that spells NUL characters (`\u0000`, which PostgreSQL's text cannot hold)
    /// in its strings is stored on both engines with U+FFFD in their place: the backfill does not
    /// fail, and both stores answer alike.
    @Test("records holding NUL characters are stored on PostgreSQL as on SQLite")
    func nulCharactersAreStored() throws {
        let dir = try TempDirectory()
        let logs = dir.path("AWSLogs/111111111111/CloudTrail/us-east-1/2024/05/01")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let record = #"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/al\u0000ice","accountId":"111111111111"},"eventTime":"2024-05-01T00:00:00Z","eventSource":"secretsmanager.amazonaws.com","eventName":"GetSecretValue","awsRegion":"us-east-1","sourceIPAddress":"10.0.0.1","userAgent":"evil\u0000agent","requestParameters":{"secretId":"prod/db"},"errorCode":"AccessDenied","errorMessage":"no\u0000pe","eventID":"nul\u0000-1","readOnly":true,"eventType":"AwsApiCall","recipientAccountId":"111111111111"}"#
        try Data("{\"Records\":[\(record)]}".utf8).write(to: logs.appendingPathComponent("111111111111_CloudTrail_us-east-1_20240501T0000Z_nul.json"))
        let sqlite = dir.path("nul.db").path
        let postgres = try PostgresCLI.database("nul")
        for db in [sqlite, postgres] {
            let result = try TrailwatchBinary.run(["backfill", dir.path("AWSLogs").path, "--db", db, "--no-progress"], in: dir.url, timeout: 60)
            #expect(result.exitCode == 0, "\(result)")
        }
        let lite = try PostgresCLI.succeed(["query", "access", "--limit", "0", "--format", "json", "--db", sqlite]).stdout
        let pg = try PostgresCLI.succeed(["query", "access", "--limit", "0", "--format", "json", "--db", postgres]).stdout
        #expect(lite == pg, "\(firstDifference(lite, pg))")
        #expect(pg.contains("evil\u{FFFD}agent") && pg.contains("nul\u{FFFD}-1") && pg.contains("al\u{FFFD}ice"), "\(pg)")
    }

    // MARK: 4. failures that exit 2 without the password

    @Test("wrong password, unreachable host and an unknown URL parameter exit 2; the password is never printed")
    func connectionFailures() throws {
        let url = try PostgresCLI.database("failures")
        let cluster = try PostgresTestCluster.shared()
        let wrong = url.replacingOccurrences(of: ":\(cluster.password)@", with: ":Wr0ngSecret-\(UUID().uuidString.prefix(8))@")
        let secretOfWrong = String(wrong.split(separator: ":")[2].split(separator: "@")[0])
        let closed = "postgres://trailwatch:Cl0sedSecret@127.0.0.1:\(try PostgresCLI.closedPort())/nothing"
        let dir = try TempDirectory()
        let cases: [(url: String, password: String, says: String)] = [
            (wrong, secretOfWrong, "password"),
            (closed, "Cl0sedSecret", "127.0.0.1"),
        ]
        for (target, password, says) in cases {
            for command in [["backfill", dir.url.path, "--no-progress"], ["query", "access"], ["status"], ["alerts"]] {
                let result = try TrailwatchBinary.run(command + ["--db", target], in: dir.url, timeout: 60)
                #expect(result.exitCode == 2, "\(result)")
                #expect(!result.stderr.contains(password) && !result.stdout.contains(password), "the password was printed: \(result)")
                let redacted = target.replacingOccurrences(of: ":\(password)@", with: "@")
                #expect(result.stderr.contains(redacted), "the message does not name \(redacted): \(result)")
                #expect(result.stderr.lowercased().contains(says.lowercased()), "unclear message: \(result)")
                #expect(result.stdout.isEmpty, "\(result)")
                #expect(!result.timedOut)
            }
        }
        // The same through TRAILWATCH_DB.
        let viaEnvironment = try TrailwatchBinary.run(["query", "access"], in: dir.url, environment: ["TRAILWATCH_DB": wrong], timeout: 60)
        #expect(viaEnvironment.exitCode == 2 && !viaEnvironment.stderr.contains(secretOfWrong), "\(viaEnvironment)")

        let unknown = url + "?colour=blue"
        for command in [["backfill", dir.url.path, "--no-progress"], ["query", "access"]] {
            let result = try TrailwatchBinary.run(command + ["--db", unknown], in: dir.url, timeout: 60)
            #expect(result.exitCode == 2, "\(result)")
            #expect(result.stderr.contains("colour"), "the message does not name the parameter: \(result)")
            #expect(!result.stderr.contains(cluster.password), "the password was printed: \(result)")
        }
    }

    // MARK: 5. hostile query input

    @Test("hostile names in queries give empty results or clear errors, as on SQLite, and leave the store intact",
          .enabled(if: GenCloudTrail.isAvailable, GenCloudTrail.unavailableReason))
    func hostileQueryInput() throws {
        let stores = try TwoStores("hostile", ["-n", "1500", "--days", "1", "--seed", "21", "--accounts", "1", "--regions", "1",
                                               "--scenarios", "all", "--no-digests"])
        let before = try stores.both(["status", "--format", "json"])
        let accessBefore = try PostgresCLI.accessCounts(stores.postgres)
        let names = [
            "x' OR '1'='1", "'; DROP TABLE events; --", "\"); DELETE FROM files; --", "%", "_", "%%%_", "\\", "\\%",
            "secret%' --", String(repeating: "A", count: 100_000), String(repeating: "%_", count: 5_000),
            "秘密🔑ñ\u{202E}evil", "arn:aws:secretsmanager:us-east-1:%:secret:%", "role/%", "user/_", "$1", "?", ":name",
        ]
        for name in names {
            let shown = String(name.prefix(40))
            let commands: [[String]] = [
                ["query", "callers", "--secret", name, "--format", "json"],
                ["query", "secrets", "--principal", name, "--format", "json"],
                ["query", "secret", name, "--format", "json"],
                ["query", "access", "--secret", name, "--format", "json"],
                ["query", "access", "--principal", name, "--event", name, "--format", "json"],
                ["query", "access", "--account", name, "--region", name, "--format", "json"],
            ]
            for command in commands {
                let (lite, pg) = try stores.both(command)
                #expect(pg.exitCode == 0 || pg.exitCode == 1 || pg.exitCode == 2, "\(shown): \(pg)")
                #expect(pg.stdout.isEmpty, "\(shown) matched rows on PostgreSQL: \(pg)")
                #expect(lite.exitCode == pg.exitCode && lite.stdout == pg.stdout, "\(shown): engines differ\n\(lite)\n\(pg)")
                if pg.exitCode != 0 { #expect(!pg.stderr.isEmpty, "\(shown): failed without a message") }
                #expect(!pg.stderr.contains(try PostgresTestCluster.shared().password))
            }
        }
        let after = try stores.both(["status", "--format", "json"])
        #expect(withoutLag(after.1.stdout) == withoutLag(before.1.stdout) && withoutLag(after.0.stdout) == withoutLag(before.0.stdout),
                "the store changed: \(firstDifference(before.1.stdout, after.1.stdout))")
        #expect(try PostgresCLI.accessCounts(stores.postgres) == accessBefore, "the history changed")
    }

    // MARK: 6. prune

    @Test("prune --before on both engines: the months before are gone, the ledger is kept",
          .enabled(if: GenCloudTrail.isAvailable, GenCloudTrail.unavailableReason))
    func prune() throws {
        let stores = try TwoStores("prune", ["-n", "3000", "--start", "2024-06-30", "--days", "2", "--seed", "8", "--accounts", "1",
                                             "--regions", "1", "--no-digests", "--max-per-file", "200"])
        let cutoff = "2024-07-01T00:00:00Z"
        let all = try PostgresCLI.accessCounts(stores.sqlite)
        let (liteBefore, pgBefore) = try stores.both(["query", "access", "--limit", "0", "--format", "json", "--until", cutoff])
        let old = PostgresCLI.objects(pgBefore.stdout).count
        #expect(old > 100 && old < all.values.reduce(0, +), "the tree does not span the cutoff: \(old) of \(all.count)")
        #expect(liteBefore.stdout == pgBefore.stdout)
        let (newLite, newPG) = try stores.both(["query", "access", "--limit", "0", "--format", "json", "--since", cutoff])

        let (lite, pg) = try stores.both(["prune", "--before", cutoff])
        #expect(lite.exitCode == 0 && pg.exitCode == 0, "\(lite)\n\(pg)")
        let liteReport = try #require(PostgresCLI.objects(lite.stdout).first, "\(lite)")
        let pgReport = try #require(PostgresCLI.objects(pg.stdout).first, "\(pg)")
        #expect(lite.stdoutLines.count == 1 && pg.stdoutLines.count == 1)
        #expect(liteReport["cutoff"] as? String == "2024-07-01T00:00:00.000Z" || liteReport["cutoff"] as? String == cutoff, "\(lite)")
        #expect(pgReport["cutoff"] as? String == liteReport["cutoff"] as? String, "\(pg)")
        #expect((pgReport["events"] as? NSNumber)?.intValue == (liteReport["events"] as? NSNumber)?.intValue, "\(lite)\n\(pg)")
        #expect((pgReport["accessRows"] as? NSNumber)?.intValue == (liteReport["accessRows"] as? NSNumber)?.intValue, "\(lite)\n\(pg)")
        // `query access` shows one row per event and secret (events naming no secret too), so it
        // bounds the events removed rather than equalling them.
        let removed = (pgReport["events"] as? NSNumber)?.intValue ?? 0
        #expect(removed > 0 && removed <= old, "\(old) access rows were before the cutoff\n\(pg)")
        #expect((pgReport["partitions"] as? [String])?.isEmpty == false, "no partition dropped: \(pg)")
        #expect((liteReport["partitions"] as? [String]) == [], "\(lite)")

        let (goneLite, gonePG) = try stores.both(["query", "access", "--limit", "0", "--format", "json", "--until", cutoff])
        #expect(goneLite.exitCode == 0 && gonePG.exitCode == 0 && goneLite.stdout.isEmpty && gonePG.stdout.isEmpty, "\(goneLite)\n\(gonePG)")
        let (keptLite, keptPG) = try stores.both(["query", "access", "--limit", "0", "--format", "json", "--since", cutoff])
        #expect(keptLite.stdout == newLite.stdout && keptPG.stdout == newPG.stdout && !keptPG.stdout.isEmpty, "events after the cutoff changed")

        // The ledger is kept: a second backfill reads nothing and the history stays pruned.
        for db in [stores.sqlite, stores.postgres] {
            let again = try PostgresCLI.succeed(["backfill", stores.tree.logs.path, "--db", db, "--no-progress"], in: stores.dir.url)
            let files = try PostgresCLI.status(db)["files"] as? [String: Any]
            #expect(files?["done"] as? NSNumber != nil, "\(again)")
            let history = try TrailwatchBinary.run(["query", "access", "--limit", "0", "--format", "json", "--until", cutoff, "--db", db])
            #expect(history.stdout.isEmpty, "a pruned file was read again into \(db.hasPrefix("postgres") ? "PostgreSQL" : "SQLite"): \(again)")
        }
        let (statusLite, statusPG) = try stores.both(["status", "--format", "json"])
        #expect(withoutLag(statusLite.stdout) == withoutLag(statusPG.stdout), firstDifference(statusLite.stdout, statusPG.stdout))
    }

    // MARK: 7. first load

    /// The indexes of `events` and `access` (on the partitioned tables): `name|definition`, sorted.
    static func historyIndexes(_ db: String) throws -> [String] {
        try PostgresCLI.rows("""
            SELECT indexname || '|' || indexdef FROM pg_indexes
            WHERE schemaname = current_schema() AND tablename IN ('events', 'access') ORDER BY indexname
            """, database: PostgresCLI.databaseName(db))
    }

    /// A generated tree (`generator` plus small files and no digests) backfilled into a fresh
    /// database `prefix`, and that database's history indexes: the two primary keys and the nine
    /// deferred ones, built at the end of the load.
    static func loaded(_ prefix: String, _ generator: [String]) throws -> (dir: TempDirectory, tree: GeneratedTree, db: String, indexes: [String]) {
        let dir = try TempDirectory()
        let tree = try GenCloudTrail.generate(into: dir.path("tree"), generator + ["--max-per-file", "50", "--no-digests"])
        let db = try PostgresCLI.database(prefix)
        try PostgresCLI.succeed(["backfill", tree.logs.path, "--db", db, "--no-progress", "--jobs", "1"], in: dir.url)
        let indexes = try historyIndexes(db)
        #expect(indexes.count == 11, "\(indexes)")
        return (dir, tree, db, indexes)
    }

    @Test("kill -9 during a first load into PostgreSQL leaves the deferred indexes missing; the next backfill builds them, every row once",
          .enabled(if: GenCloudTrail.isAvailable, GenCloudTrail.unavailableReason))
    func killDuringFirstLoad() throws {
        let (dir, tree, clean, all) = try Self.loaded("firstload-clean", ["-n", "20000", "--days", "2", "--seed", "5", "--accounts", "2", "--regions", "2"])

        let db = try PostgresCLI.database("firstload-killed")
        // One worker id for both runs: the second takes over the claims the killed one left
        // (another id would skip those files until their leases expire).
        let run = try TrailwatchBinary.launch(["backfill", tree.logs.path, "--db", db, "--jobs", "1", "--no-progress", "--worker-id", "w1"],
                                              in: dir.url)
        // Kill once some groups are committed (the ledger has rows), without guessing a time.
        let committed = eventually(120, every: 0.01) {
            ((try? PostgresCLI.rows("SELECT count(*) FROM files", database: PostgresCLI.databaseName(db)))?.first).flatMap { Int($0) } ?? 0 > 0
        }
        run.send(SIGKILL)
        let killed = try run.wait()
        guard committed, killed.exitCode == 128 + SIGKILL else {
            Issue.record("the backfill was not killed during its load: \(killed)")
            return
        }
        #expect(try Self.historyIndexes(db).map { String($0.prefix { $0 != "|" }) } == ["access_pkey", "events_pkey"])

        let rerun = try PostgresCLI.succeed(["backfill", tree.logs.path, "--db", db, "--no-progress", "--jobs", "1", "--worker-id", "w1"],
                                            in: dir.url)
        #expect(try Self.historyIndexes(db) == all, "\(rerun)")
        #expect(try PostgresCLI.accessCounts(db) == PostgresCLI.accessCounts(clean), "\(rerun)")
        let (a, b) = (try PostgresCLI.status(db), try PostgresCLI.status(clean))
        #expect(a["events"] as? NSNumber == b["events"] as? NSNumber && a["events"] != nil)
    }

    @Test("a tail started while a loader holds the loaders' lock builds the deferred indexes once that loader dies without building them",
          .enabled(if: GenCloudTrail.isAvailable, GenCloudTrail.unavailableReason))
    func tailBuildsTheIndexesADeadLoaderLeft() throws {
        let (dir, _, db, all) = try Self.loaded("firstload-tail", ["-n", "2000", "--days", "1", "--seed", "6", "--accounts", "1", "--regions", "1"])
        // What a loader killed during its first load leaves, while it is still alive: the deferred
        // indexes missing, and its share of the loaders' advisory lock held on a session of its
        // own (the key is PostgresBackend.loadLock, "TrailLoa").
        let name = PostgresCLI.databaseName(db)
        for index in all.map({ String($0.prefix { $0 != "|" }) }) where !index.hasSuffix("_pkey") {
            _ = try PostgresCLI.rows("DROP INDEX \(index)", database: name)
        }
        let loader = try PostgresCLI.session("SELECT pg_advisory_lock_shared(6085033151947370337); SELECT pg_sleep(600)", database: name)
        defer { if loader.isRunning { kill(loader.processIdentifier, SIGKILL) } }
        #expect(eventually(30, every: 0.05) {
            (try? PostgresCLI.rows("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted", database: name))?.first == "1"
        }, "the stand-in loader did not take its lock")

        let watched = dir.url.appendingPathComponent("watched")
        try FileManager.default.createDirectory(at: watched, withIntermediateDirectories: true)
        let tail = try TrailwatchBinary.launch(["tail", watched.path, "--db", db, "--no-progress", "--poll", "--poll-interval", "0.2",
                                                "--index-retry-interval", "0.2"], in: dir.url)
        defer { tail.send(SIGKILL) }
        #expect(PostgresTailCLITests.untilWatching(tail), "\(tail.stderrSoFar())")
        #expect(tail.stderrSoFar().contains("not built now: another worker is still loading"), "\(tail.stderrSoFar())")
        #expect(try Self.historyIndexes(db).count == 2, "built while the loader was alive")
        // The loader dies: its session ends, and with it its share of the lock (the server ends
        // the session here, as it does when it sees the connection of a dead process close).
        _ = try PostgresCLI.rows(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_advisory_lock_shared%' AND pid <> pg_backend_pid()",
            database: name)
        kill(loader.processIdentifier, SIGKILL)
        loader.waitUntilExit()
        #expect(eventually(60, every: 0.1) { (try? Self.historyIndexes(db)) == all },
                "the tail did not build the indexes: \(tail.stderrSoFar())")
        #expect(tail.stderrSoFar().contains("no loader is left: building the indexes of events and access"), "\(tail.stderrSoFar())")
        #expect(tail.stderrSoFar().contains("built 9 indexes of events and access that no loader was left to build"), "\(tail.stderrSoFar())")
        tail.send(SIGTERM)
        let ended = try tail.wait()
        #expect(ended.exitCode == 0, "\(ended)")
    }
}

/// `status` JSON without the fields measured against the wall clock (`lag`, `lagSeconds`), which
/// may tick between two runs; other output is returned as it is.
func withoutLag(_ text: String) -> String {
    text.replacingOccurrences(of: #""lag":"[^"]*","lagSeconds":-?[0-9]+"#, with: #""lag":"…""#, options: .regularExpression)
}

/// The first line where two outputs differ, for failure messages.
func firstDifference(_ a: String, _ b: String) -> Comment {
    let left = a.split(separator: "\n", omittingEmptySubsequences: false), right = b.split(separator: "\n", omittingEmptySubsequences: false)
    for index in 0..<max(left.count, right.count) {
        let l = index < left.count ? String(left[index]) : "<end>", r = index < right.count ? String(right[index]) : "<end>"
        if l != r {
            let same = zip(l, r).prefix { $0 == $1 }.count, from = max(0, same - 100)
            return "line \(index + 1) of \(left.count)/\(right.count), from character \(from):\n  sqlite:   \(l.dropFirst(from).prefix(600))\n  postgres: \(r.dropFirst(from).prefix(600))"
        }
    }
    return "no difference"
}
