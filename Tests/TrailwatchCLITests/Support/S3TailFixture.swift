import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A generated tree dated yesterday and today (UTC) and moto with an empty bucket, for
/// `tail s3://…` tests: objects are uploaded while tail runs, queues and messages made through
/// the fixture's command channel. Readiness is read from the store, never guessed from a sleep.
final class S3TailFixture {
    static let bucket = "trail-bucket"
    let dir: TempDirectory
    let tree: GeneratedTree
    let moto: MotoS3
    /// Every log file of the tree (digests excluded), by key.
    let logs: [(key: String, url: URL)]
    let db: URL

    /// `failEvery`: moto answers `503 SlowDown` to every Nth request (S3 and SQS alike).
    /// `scenarios`: plant the generator's incidents (it needs enough records for them, or it loops).
    init(seed: Int, records: Int = 1000, failEvery: Int = 0, delay: [String] = [], scenarios: Bool = true) throws {
        dir = try TempDirectory(prefix: "trailwatch-s3tail")
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let yesterday = calendar.date(byAdding: .day, value: -1, to: calendar.startOfDay(for: Date()))!
        let start = ISO8601DateFormatter.string(from: yesterday, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        let tree = try GenCloudTrail.generate(into: dir.path("tree"), [
            "-n", String(records), "--start", start, "--days", "2", "--seed", String(seed), "--accounts", "1", "--regions", "1",
            "--no-digests",
        ] + (scenarios ? ["--scenarios", "all"] : []), timeout: 120)
        self.tree = tree
        let root = tree.root.path + "/"
        // The generator may deliver the last records just after midnight of the day after: a day
        // tail does not list yet (it lists today and yesterday), so such files are left out.
        let todayPrefix = "/" + ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
            .replacingOccurrences(of: "-", with: "/") + "/"
        let yesterdayPrefix = "/" + start.replacingOccurrences(of: "-", with: "/") + "/"
        logs = (FileManager.default.enumerator(atPath: tree.logs.path)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".json.gz") && ($0.contains(todayPrefix) || $0.contains(yesterdayPrefix)) }
            .map { relative in
                let url = tree.logs.appendingPathComponent(relative)
                return (String(url.path.dropFirst(root.count)), url)
            }
            .sorted { $0.key < $1.key }
        let empty = dir.path("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        moto = try MotoS3(scratch: dir, uploads: [(empty, Self.bucket)], failEvery: failEvery, delay: delay)
        db = dir.path("tail.db")
    }

    func stop() { moto.stop() }

    func upload(_ files: some Sequence<(key: String, url: URL)>) throws {
        for file in files { try moto.put(file.url, bucket: Self.bucket, key: file.key) }
    }

    /// Starts `tail s3://bucket` on the fixture's store.
    func tail(_ extra: [String] = []) throws -> RunningCLI {
        try TrailwatchBinary.launch(["tail", "s3://\(Self.bucket)", "--db", db.path, "--no-progress"] + extra, environment: moto.environment)
    }

    /// Files done in the store's ledger (-1 when it cannot be read yet).
    func filesDone() -> Int {
        guard FileManager.default.fileExists(atPath: db.path),
              let out = try? TrailwatchBinary.run(["status", "--db", db.path, "--format", "json"], timeout: 60), out.exitCode == 0,
              let object = try? JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any],
              let files = object["files"] as? [String: Any] else { return -1 }
        return (files["done"] as? NSNumber)?.intValue ?? -1
    }

    /// The access history of `db` as its rows' event ids, sorted, duplicates kept: what was stored
    /// and how often. (Whole rows may differ by arrival order, which decides when a secret's full
    /// ARN is learned; the events stored may not.)
    func history(_ db: URL) throws -> [String] {
        try Self.eventIDs(StoreSnapshot(db: db).access)
    }

    static func eventIDs(_ rows: [String]) throws -> [String] {
        try rows.map { row in
            guard let object = try JSONSerialization.jsonObject(with: Data(row.utf8)) as? [String: Any], let id = object["eventID"] as? String else {
                throw MotoS3.CommandFailed(description: "an access row without eventID: \(row)")
            }
            return id
        }.sorted()
    }

    /// The history a local `backfill` of `files` (copied into a fresh tree) stores.
    func localHistory(of files: [(key: String, url: URL)]) throws -> [String] {
        let copy = dir.path("local-\(UUID().uuidString)")
        for file in files {
            let target = copy.appendingPathComponent(file.key)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: file.url, to: target)
        }
        let localDB = dir.path("local-\(UUID().uuidString).db")
        let run = try TrailwatchBinary.run(["backfill", copy.path, "--db", localDB.path, "--no-progress"])
        guard run.exitCode == 0 else { throw MotoS3.CommandFailed(description: "local backfill: \(run)") }
        return try Self.eventIDs(StoreSnapshot(db: localDB).access)
    }
}

extension S3TailFixture {
    /// The ledger's rows (path → status), read with Python's sqlite3 in read-only mode.
    func ledger() throws -> [String: String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let script = "import json,sqlite3,sys; c=sqlite3.connect('file:'+sys.argv[1]+'?mode=ro', uri=True); "
            + "print(json.dumps(dict(c.execute('SELECT path, status FROM files'))))"
        process.arguments = ["python3", "-c", script, db.path]
        let out = dir.path("ledger-\(UUID().uuidString).json")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let rows = try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: String] else {
            throw MotoS3.CommandFailed(description: "reading the ledger of \(db.path) failed")
        }
        return rows
    }

    /// `ETag` (md5 of the bytes, as S3 computes it for a single-part upload) and size of a file.
    static func identity(_ url: URL) throws -> (size: Int, etag: String) {
        let data = try Data(contentsOf: url)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["md5sum", url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (data.count, String(text.prefix(32)))
    }

    /// A raw S3 event notification for `files`, keys URL-encoded as S3 does (`+` for a space).
    static func s3Notification(_ files: [(key: String, url: URL)], bucket: String = S3TailFixture.bucket) throws -> String {
        var records: [[String: Any]] = []
        for file in files {
            let (size, etag) = try identity(file.url)
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~/ ")
            let encoded = (file.key.addingPercentEncoding(withAllowedCharacters: allowed) ?? file.key).replacingOccurrences(of: " ", with: "+")
            records.append(["eventVersion": "2.1", "eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                            "s3": ["bucket": ["name": bucket], "object": ["key": encoded, "size": size, "eTag": etag]]])
        }
        return try json(["Records": records])
    }

    /// An SNS envelope around `message`.
    static func sns(_ message: String) throws -> String {
        try json(["Type": "Notification", "MessageId": UUID().uuidString, "TopicArn": "arn:aws:sns:us-east-1:123456789012:trail",
                  "Message": message])
    }

    /// CloudTrail's own notification: bucket and keys as they are.
    static func cloudTrailNotification(_ keys: [String], bucket: String = S3TailFixture.bucket) throws -> String {
        try json(["s3Bucket": bucket, "s3ObjectKey": keys])
    }

    static func json(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }
}

extension S3TailFixture {
    /// Keys of the tree the ledger does not hold as done, with their ledger status (for failure messages).
    func missing() -> String {
        guard let ledger = try? ledger() else { return "(ledger unreadable)" }
        let rows = logs.map(\.key).filter { ledger["s3://\(Self.bucket)/\($0)"] != "done" }
            .map { "\($0): \(ledger["s3://\(Self.bucket)/\($0)"] ?? "absent")" }
        return "not done: " + rows.joined(separator: ", ") + "; ledger rows: \(ledger.count)"
    }
}

extension S3TailFixture {
    /// The body of an http:// URL on loopback (Python's urllib: no HTTP client in the test target).
    static func fetch(_ url: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=30).read().decode())", url]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let body = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw MotoS3.CommandFailed(description: "GET \(url) failed") }
        return body
    }
}
