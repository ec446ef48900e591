import Foundation
import Testing

/// `backfill s3://…` against moto's S3 (issue 13): the same history and alerts as `backfill` of
/// the same local tree, for the plain, organization and key-prefix layouts; a re-run performs no
/// GET; `--since/--until` lists only the day prefixes in range; 503 SlowDown every few requests
/// changes nothing; a missing bucket or missing credentials exit 2 saying what to set.
@Suite("backfill s3:// against moto", .enabled(if: GenCloudTrail.isAvailable, GenCloudTrail.unavailableReason), .serialized)
struct BackfillS3Tests {
    static let bucket = "trail-bucket"

    /// What a backfill stored and printed, with file locations written relative to the tree so
    /// that local and S3 runs compare equal.
    struct Outcome: Equatable {
        var alerts: [String]
        var store: [String]
    }

    static func outcome(_ result: CLIResult, db: URL, replacing base: String) throws -> Outcome {
        let snapshot = try StoreSnapshot(db: db)
        func normal(_ lines: [String]) -> [String] {
            lines.map { $0.replacingOccurrences(of: base, with: "<tree>/") }.sorted()
        }
        #expect(normal(snapshot.alerts).count == result.stdoutLines.count, "stored and printed alerts differ\n\(result)")
        return Outcome(alerts: normal(result.stdoutLines), store: normal(snapshot.access) + normal(snapshot.alerts))
    }

    /// Generates a tree; returns it with the directory holding `AWSLogs` and the matching S3 address.
    static func tree(_ dir: TempDirectory, _ arguments: [String], prefix: String?) throws -> (GeneratedTree, URL, String) {
        let tree = try GenCloudTrail.generate(into: dir.path("tree"), arguments + (prefix.map { ["--s3-prefix", $0] } ?? []))
        let logsParent = prefix.map { tree.root.appendingPathComponent($0) } ?? tree.root
        let address = "s3://\(bucket)" + (prefix.map { "/" + $0 } ?? "")
        return (tree, logsParent, address)
    }

    @Test("same history and alerts as the local tree; a re-run does no GET", arguments: ["plain", "org+prefix"])
    func sameAsLocal(layout: String) throws {
        let dir = try TempDirectory()
        let prefix: String? = layout == "plain" ? nil : "trail/x"
        let (tree, logsParent, address) = try Self.tree(dir, [
            "-n", "3000", "--days", "9", "--seed", "5", "--accounts", "2", "--regions", "2", "--scenarios", "all",
        ] + (layout == "plain" ? [] : ["--org"]), prefix: prefix)
        let moto = try MotoS3(scratch: dir, uploads: [(tree.root, Self.bucket)])
        defer { moto.stop() }

        let localDB = dir.path("local.db")
        let local = try TrailwatchBinary.run(["backfill", logsParent.appendingPathComponent("AWSLogs").path, "--db", localDB.path, "--no-progress"])
        #expect(local.exitCode == 0, "\(local)")
        let s3DB = dir.path("s3.db")
        let remote = try TrailwatchBinary.run(["backfill", address, "--db", s3DB.path, "--no-progress"], environment: moto.environment)
        #expect(remote.exitCode == 0, "\(remote)")
        let localOutcome = try Self.outcome(local, db: localDB, replacing: tree.root.path + "/")
        let s3Outcome = try Self.outcome(remote, db: s3DB, replacing: "s3://\(Self.bucket)/")
        #expect(!localOutcome.alerts.isEmpty, "the tree should raise alerts")
        #expect(s3Outcome == localOutcome)
        let localSummary = try #require(BackfillSummary(stderr: local.stderr), "\(local)")
        let s3Summary = try #require(BackfillSummary(stderr: remote.stderr), "\(remote)")
        #expect(s3Summary.records == localSummary.records && s3Summary.eventsStored == localSummary.eventsStored)
        #expect(s3Summary.filesDone == tree.manifest.counts.logFiles, "digests are never listed: \(s3Summary)")
        // Planned listing: never the bucket flat, never a digest prefix.
        #expect(!moto.listPrefixes.contains(""))
        #expect(!moto.listPrefixes.contains { $0.contains("CloudTrail-Digest") })
        #expect(moto.gets.count == tree.manifest.counts.logFiles)

        moto.resetLog()
        let again = try TrailwatchBinary.run(["backfill", address, "--db", s3DB.path, "--no-progress"], environment: moto.environment)
        #expect(again.exitCode == 0, "\(again)")
        #expect(again.stdout.isEmpty)
        #expect(moto.gets.isEmpty, "a re-run fetched \(moto.gets.count) objects")
        #expect(BackfillSummary(stderr: again.stderr)?.filesAlreadyIngested == tree.manifest.counts.logFiles, "\(again)")
    }

    @Test("--since/--until lists only the day prefixes in range")
    func dayRange() throws {
        let dir = try TempDirectory()
        let (tree, logsParent, address) = try Self.tree(dir, [
            "-n", "1500", "--start", "2024-06-03", "--days", "5", "--seed", "2", "--accounts", "2", "--regions", "2", "--no-digests",
        ], prefix: nil)
        let moto = try MotoS3(scratch: dir, uploads: [(tree.root, Self.bucket)])
        defer { moto.stop() }
        let range = ["--since", "2024-06-04", "--until", "2024-06-05T23:59:59Z"]
        let remote = try TrailwatchBinary.run(["backfill", address, "--db", dir.path("s3.db").path, "--no-progress"] + range,
                                              environment: moto.environment)
        #expect(remote.exitCode == 0, "\(remote)")
        let dayListings = moto.listPrefixes.filter { $0.range(of: #"/\d{4}/\d{2}/\d{2}/$"#, options: .regularExpression) != nil }
        let days = Set(dayListings.map { String($0.suffix(11)) })
        #expect(days == ["2024/06/04/", "2024/06/05/"], "\(moto.listPrefixes)")
        #expect(dayListings.count == 2 * 2 * 2, "accounts × regions × days: \(dayListings)")
        // No year or month listings: the days are enumerated.
        #expect(!moto.listPrefixes.contains { $0.hasSuffix("/2024/") || $0.hasSuffix("/2024/06/") })

        let local = try TrailwatchBinary.run(["backfill", tree.logs.path, "--db", dir.path("local.db").path, "--no-progress"] + range)
        #expect(local.exitCode == 0, "\(local)")
        let s3Outcome = try Self.outcome(remote, db: dir.path("s3.db"), replacing: "s3://\(Self.bucket)/")
        let localOutcome = try Self.outcome(local, db: dir.path("local.db"), replacing: logsParent.path + "/")
        #expect(s3Outcome == localOutcome)
        let summary = try #require(BackfillSummary(stderr: remote.stderr))
        #expect(summary.filesDone > 0 && summary.filesDone < tree.manifest.counts.logFiles)
    }

    @Test("an object listed larger than --max-file-size is refused before any GET, the rest is read")
    func maxFileSize() throws {
        let dir = try TempDirectory()
        let (tree, _, address) = try Self.tree(dir, [
            "-n", "800", "--days", "2", "--seed", "9", "--accounts", "2", "--regions", "1", "--no-digests",
        ], prefix: nil)
        try #require(tree.manifest.counts.uncompressedBytes < 4 << 20, "every generated file must fit the limit")
        let moto = try MotoS3(scratch: dir, uploads: [(tree.root, Self.bucket)])
        defer { moto.stop() }
        // A 5 MB object under a valid day prefix, beside the generated files.
        let sample = try #require(FileManager.default.enumerator(atPath: tree.logs.path)?.compactMap { $0 as? String }
            .first { $0.hasSuffix(".json.gz") })
        let bigKey = "AWSLogs/" + (sample as NSString).deletingLastPathComponent + "/big_CloudTrail_us-east-1.json"
        let big = try dir.write("big.json", Data(("{\"Records\":[]}" + String(repeating: " ", count: 5 << 20)).utf8))
        try moto.put(big, bucket: Self.bucket, key: bigKey)
        moto.resetLog()
        let remote = try TrailwatchBinary.run(["backfill", address, "--db", dir.path("s3.db").path, "--no-progress", "--max-file-size", "4M"],
                                              environment: moto.environment)
        #expect(remote.exitCode == 1, "\(remote)")
        #expect(remote.stderr.contains("s3://\(Self.bucket)/\(bigKey): object is \(try Data(contentsOf: big).count) bytes, more than the limit of 4194304 bytes (--max-file-size)"),
                "\(remote)")
        #expect(!moto.gets.contains { $0.contains("big_CloudTrail") }, "the large object was fetched: \(moto.gets)")
        #expect(moto.gets.count == tree.manifest.counts.logFiles)
        let summary = try #require(BackfillSummary(stderr: remote.stderr), "\(remote)")
        #expect(summary.filesDone == tree.manifest.counts.logFiles && summary.filesFailed == 1, "\(summary)")
    }

    @Test("503 SlowDown on every 5th request changes nothing")
    func slowDown() throws {
        let dir = try TempDirectory()
        let (tree, logsParent, address) = try Self.tree(dir, [
            "-n", "800", "--days", "2", "--seed", "9", "--accounts", "2", "--regions", "1", "--no-digests",
        ], prefix: "p")
        let moto = try MotoS3(scratch: dir, uploads: [(tree.root, Self.bucket)], failEvery: 5)
        defer { moto.stop() }
        let remote = try TrailwatchBinary.run(["backfill", address, "--db", dir.path("s3.db").path, "--no-progress", "--downloads", "4"],
                                              environment: moto.environment)
        #expect(remote.exitCode == 0, "\(remote)")
        let local = try TrailwatchBinary.run(["backfill", logsParent.path, "--db", dir.path("local.db").path, "--no-progress"])
        #expect(try Self.outcome(remote, db: dir.path("s3.db"), replacing: "s3://\(Self.bucket)/p/")
                == Self.outcome(local, db: dir.path("local.db"), replacing: logsParent.path + "/"))
        #expect(moto.requests.count > moto.gets.count, "faults were injected")
    }

    @Test("AccessDenied on one account's prefix and on one object: reported, the rest stored, exit 1")
    func accessDenied() throws {
        let dir = try TempDirectory()
        let (tree, logsParent, address) = try Self.tree(dir, [
            "-n", "600", "--days", "1", "--seed", "4", "--accounts", "2", "--regions", "1", "--no-digests",
        ], prefix: nil)
        let accounts = try FileManager.default.contentsOfDirectory(atPath: tree.logs.path).sorted()
        try #require(accounts.count == 2)
        let deniedPrefix = "AWSLogs/\(accounts[0])/CloudTrail/"
        // One object of the other account is denied too.
        let objects = try #require(FileManager.default.enumerator(atPath: tree.logs.appendingPathComponent(accounts[1]).path))
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".json.gz") }.sorted()
        let deniedObject = try #require(objects.first.map { URL(fileURLWithPath: $0).lastPathComponent })
        let moto = try MotoS3(scratch: dir, uploads: [(tree.root, Self.bucket)], deny: [deniedPrefix, deniedObject])
        defer { moto.stop() }
        let remote = try TrailwatchBinary.run(["backfill", address, "--db", dir.path("s3.db").path, "--no-progress"], environment: moto.environment)
        #expect(remote.exitCode == 1, "\(remote)")
        #expect(remote.stderr.contains("s3://\(Self.bucket)/\(deniedPrefix)") && remote.stderr.contains("s3:ListBucket"), "\(remote)")
        #expect(remote.stderr.contains(deniedObject) && remote.stderr.contains("s3:GetObject"), "\(remote)")
        let summary = try #require(BackfillSummary(stderr: remote.stderr), "\(remote)")
        #expect(summary.filesFailed == 1)
        #expect(summary.filesDone == objects.count - 1, "every other object of the allowed account: \(summary)")
        _ = logsParent
    }

    @Test("a missing bucket or missing credentials exit 2 with what to set")
    func setupErrors() throws {
        let dir = try TempDirectory()
        let empty = dir.path("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let moto = try MotoS3(scratch: dir, uploads: [(empty, Self.bucket)])
        defer { moto.stop() }
        let missing = try TrailwatchBinary.run(["backfill", "s3://no-such-bucket", "--db", dir.path("a.db").path], environment: moto.environment)
        #expect(missing.exitCode == 2, "\(missing)")
        #expect(missing.stderr.contains("no-such-bucket does not exist"), "\(missing)")

        var noCredentials = moto.environment
        for key in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] { noCredentials[key] = "" }
        noCredentials["HOME"] = dir.path("home").path
        let anonymous = try TrailwatchBinary.run(["backfill", "s3://\(Self.bucket)", "--db", dir.path("b.db").path], environment: noCredentials)
        #expect(anonymous.exitCode == 2, "\(anonymous)")
        #expect(anonymous.stderr.contains("AWS_ACCESS_KEY_ID") && anonymous.stderr.contains("AWS_PROFILE"), "\(anonymous)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("b.db").path), "no store is created before the sources are known")
    }
}
