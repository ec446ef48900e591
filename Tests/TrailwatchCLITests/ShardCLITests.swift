import Foundation
import Testing

/// `--shard K/N`: over K = 1…N every file is read by exactly one worker; `--shard`, `--worker-id`
/// and `--claim-ttl` are validated (exit 2).
@Suite("several workers: shards and claims", .serialized)
struct ShardCLITests {
    /// The ledger's rows (path → status), read with Python's sqlite3 in read-only mode.
    static func ledger(_ db: URL, table: String = "files", columns: String = "path, status") throws -> [String: String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let script = "import json,sqlite3,sys; c=sqlite3.connect('file:'+sys.argv[1]+'?mode=ro', uri=True); "
            + "print(json.dumps(dict(c.execute('SELECT \(columns) FROM \(table)'))))"
        process.arguments = ["python3", "-c", script, db.path]
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString).json")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out) }
        process.standardOutput = try FileHandle(forWritingTo: out)
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let rows = try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: String] else {
            throw Failed(description: "reading \(table) of \(db.path) failed")
        }
        return rows
    }

    struct Failed: Error, CustomStringConvertible { var description: String }

    @Test("K = 1…3 over an organisation tree: every file read once, by one shard",
          .enabled(if: GenCloudTrail.isAvailable, GenCloudTrail.unavailableReason))
    func shardsCoverTheTreeOnce() throws {
        let dir = try TempDirectory()
        let tree = try GenCloudTrail.generate(
            into: dir.path("tree"), ["-n", "3000", "--days", "1", "--accounts", "6", "--regions", "2", "--org", "--seed", "3"])
        let whole = dir.path("whole.db")
        let all = try TrailwatchBinary.run(["backfill", tree.logs.path, "--db", whole.path, "--no-progress"], in: dir.url)
        #expect(all.exitCode == 0, "\(all)")
        let everything = try Self.ledger(whole)
        #expect(everything.count > 20)

        var seen: [String: Int] = [:]
        for k in 1...3 {
            let db = dir.path("shard-\(k).db")
            let run = try TrailwatchBinary.run(
                ["backfill", tree.logs.path, "--db", db.path, "--no-progress", "--shard", "\(k)/3", "--claims", "--worker-id", "shard-\(k)"],
                in: dir.url)
            #expect(run.exitCode == 0, "\(run)")
            let mine = try Self.ledger(db)
            for path in mine.keys { seen[path, default: 0] += 1 }
            #expect(run.stderr.contains("\(everything.count - mine.count) outside this shard") || mine.count == everything.count, "\(run)")
            #expect(run.stderr.contains("worker shard-\(k) claims each file"), "\(run)")
            #expect(try Self.ledger(db, table: "claims", columns: "path, worker").isEmpty, "claims left behind")
        }
        #expect(Set(seen.keys) == Set(everything.keys), "the shards together did not read the whole tree")
        #expect(seen.values.allSatisfy { $0 == 1 }, "files read by two shards: \(seen.filter { $0.value > 1 }.keys.sorted().prefix(5))")
    }

    @Test("backfill --claims leaves a file a live worker keeps holding, after twice the lease, says so, and counts it apart")
    func heldFileIsLeft() throws {
        let (dir, logs, db, heldPath) = try Self.sampleStoreWithOneFileClaimed(expires: "4102444800000")   // the year 2100

        // The shortest lease (3 s): backfill looks again for 6 s, then leaves the file.
        let run = try TrailwatchBinary.run(["backfill", logs.path, "--db", db.path, "--no-progress", "--claims", "--claim-ttl", "3"], in: dir.url)
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stderr.contains("\(heldPath): claimed by another worker (other:1:beef, lease until 2100-01-01T00:00:00"), "\(run)")
        #expect(run.stderr.contains("still held after waiting twice the lease, not read"), "\(run)")
        #expect(run.stderr.contains(", 1 claimed by another worker;"), "\(run)")
        let ledger = try Self.ledger(db)
        #expect(ledger[heldPath] == nil, "the held file was read")
        #expect(ledger.count > 100)
        #expect(try Self.ledger(db, table: "claims", columns: "path, worker") == [heldPath: "other:1:beef"])
    }

    @Test("backfill --claims takes over a file whose holder died once its lease runs out, and reads it")
    func deadHoldersFileIsTakenOver() throws {
        // A claim that runs out 1.5 s from now, which its holder will never renew.
        let expires = "int(__import__('time').time() * 1000) + 1500"
        let (dir, logs, db, heldPath) = try Self.sampleStoreWithOneFileClaimed(expires: expires)

        let run = try TrailwatchBinary.run(["backfill", logs.path, "--db", db.path, "--no-progress", "--claims", "--claim-ttl", "3"], in: dir.url)
        #expect(run.exitCode == 0, "\(run)")
        #expect(!run.stderr.contains("claimed by another worker"), "\(run)")
        let ledger = try Self.ledger(db)
        #expect(ledger[heldPath] == "done", "the dead worker's file was not taken over")
        #expect(try Self.ledger(db, table: "claims", columns: "path, worker").isEmpty)
    }

    /// A store that has seen the sample logs' README only, and another worker's claim on the
    /// first CloudTrail log file of a copy of the sample logs, expiring at `expires` (a Python
    /// expression, in milliseconds since 1970).
    static func sampleStoreWithOneFileClaimed(expires: String) throws -> (TempDirectory, URL, URL, String) {
        let dir = try TempDirectory()
        let logs = try dir.copy(PackagePaths.sampleLogs, to: "logs")
        let db = dir.path("t.db")
        let empty = try TrailwatchBinary.run(["backfill", dir.path("logs/README.md").path, "--db", db.path, "--no-progress"], in: dir.url)
        #expect(empty.exitCode == 0, "\(empty)")
        let held = try #require(FileManager.default.enumerator(atPath: logs.path)?.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".json.gz") && $0.contains("/CloudTrail/") }.sorted().first)
        let heldPath = logs.appendingPathComponent(held).path
        let insert = Process()
        insert.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        insert.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
            + "c.execute('INSERT INTO claims (path, worker, expires) VALUES (?, ?, ?)', (sys.argv[2], 'other:1:beef', \(expires))); c.commit()",
            db.path, heldPath]
        try insert.run()
        insert.waitUntilExit()
        #expect(insert.terminationStatus == 0)
        return (dir, logs, db, heldPath)
    }

    @Test("--shard, --worker-id and --claim-ttl are validated", arguments: [
        (["--shard", "0/3"], "K must be between 1 and N"),
        (["--shard", "4/3"], "K must be between 1 and N"),
        (["--shard", "1/2000"], "N must be between 1 and 1024"),
        (["--shard", "two"], "--shard must be K/N"),
        (["--worker-id", "a b"], "--worker-id must be"),
        (["--worker-id", ""], "--worker-id must be"),
        (["--claim-ttl", "1"], "--claim-ttl must be between"),
    ])
    func validation(arguments: [String], message: String) throws {
        let dir = try TempDirectory()
        for command in ["backfill", "tail"] {
            let result = try TrailwatchBinary.run([command, dir.url.path, "--db", dir.path("t.db").path] + arguments, in: dir.url)
            #expect(result.exitCode == 2, "\(result)")
            #expect(result.stdout.isEmpty, "\(result)")
            #expect(result.stderr.contains(message), "\(result)")
            #expect(!FileManager.default.fileExists(atPath: dir.path("t.db").path), "a store was created")
        }
    }
}
