import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `tail s3://…` against moto (issue 13): polling picks up new objects and an object delivered
/// late into an older-sorting key, and a re-poll fetches nothing already done; SQS notifications
/// in every shape are consumed, a message is deleted only once its objects committed; kill -9
/// loses and doubles nothing. Each test compares the history with a local `backfill` of the
/// same files. moto must be installed: a test that cannot start it fails, saying why.
@Suite("tail s3:// against moto", .enabled(if: GenCloudTrail.isAvailable, GenCloudTrail.unavailableReason), .serialized)
struct TailS3Tests {
    @Test("polling: new objects and a late object in an older-sorting key are read; a re-poll does no GET for done objects")
    func polling() throws {
        let t = try S3TailFixture(seed: 11)
        defer { t.stop() }
        try #require(t.logs.count > 20, "the tree should have files")
        // Held back: the newest third, and the oldest-sorting key (delivered late, out of order).
        let late = t.logs[0]
        let cut = t.logs.count * 2 / 3
        let first = Array(t.logs[1..<cut])
        try t.upload(first)
        let run = try t.tail(["--poll-interval", "0.5"])
        defer { run.send(SIGKILL) }
        #expect(eventually(120) { t.filesDone() == first.count }, "first objects: \(t.filesDone()) of \(first.count)\n\(run.stderrSoFar())")

        try t.upload(t.logs[cut...])
        try t.upload([late])
        #expect(eventually(120) { t.filesDone() == t.logs.count }, "all objects: \(t.filesDone()) of \(t.logs.count)\n\(run.stderrSoFar())\n\(t.missing())")

        // Three more polls (each lists the account's region level and two day prefixes) and no GET.
        t.moto.resetLog()
        #expect(eventually(120) { t.moto.listPrefixes.filter { $0.hasSuffix("/") && $0.split(separator: "/").count >= 7 }.count >= 6 },
                "no further polls: \(t.moto.requests)")
        #expect(t.moto.gets.isEmpty, "a re-poll fetched done objects: \(t.moto.gets)")

        run.send(SIGTERM)
        let result = try run.wait(timeout: 60)
        #expect(result.exitCode == 0, "\(result)")
        #expect(!result.stdoutLines.isEmpty, "the tree's incidents should alert")
        #expect(result.stderr.contains("polling s3://\(S3TailFixture.bucket) every 0.50 s"), "\(result)")
        let history = try t.history(t.db), local = try t.localHistory(of: t.logs)
        #expect(history == local, "\(history.count) rows, local \(local.count); only in tail: \(Set(history).subtracting(local).sorted().prefix(3)); only local: \(Set(local).subtracting(history).sorted().prefix(3))")
    }

    @Test("SQS: raw, SNS-wrapped and CloudTrail notifications, URL-encoded keys, test events, digest and unknown keys, hostile bodies, a failed object keeps its message")
    func sqs() throws {
        let t = try S3TailFixture(seed: 12)
        defer { t.stop() }
        try #require(t.logs.count > 30)
        let queueURL = try t.moto.createQueue("trail-q")
        let half = t.logs.count / 2
        let first = Array(t.logs[..<half])
        try t.upload(first)
        // A key with a space and a plus (S3 notifications encode them as `+` and `%2B`).
        var rest = Array(t.logs[half...])
        rest[0].key = rest[0].key.replacingOccurrences(of: ".json.gz", with: " copy+1.json.gz")
        try t.upload(rest)
        let groups = [Array(rest[0..<5]), Array(rest[5..<10]), Array(rest[10...])]
        // A message naming a good object and one that cannot be read (cut-off gzip).
        let good = t.logs[0]
        let brokenKey = (good.key as NSString).deletingLastPathComponent + "/broken.json.gz"
        let brokenFile = t.dir.path("broken.json.gz")
        let bytes = try Data(contentsOf: rest[1].url)
        try bytes.prefix(bytes.count / 2).write(to: brokenFile)
        try t.moto.put(brokenFile, bucket: S3TailFixture.bucket, key: brokenKey)

        let run = try t.tail(["--poll-interval", "3600", "--sqs-queue-url", queueURL, "--sqs-visibility-timeout", "10", "--metrics", "127.0.0.1:0"])
        defer { run.send(SIGKILL) }
        #expect(eventually(120) { t.filesDone() == first.count + rest.count }, "the start-up poll: \(t.filesDone())\n\(run.stderrSoFar())")

        // The start-up poll read everything listed so far; what follows arrives only by SQS.
        var extra: [(key: String, url: URL)] = []
        for (index, group) in groups.enumerated() {
            extra += group.map { (key: $0.key.replacingOccurrences(of: ".json.gz", with: "-sqs\(index).json.gz"), url: $0.url) }
        }
        try t.upload(extra)
        let raw = Array(extra[0..<5]), wrapped = Array(extra[5..<10]), trail = Array(extra[10...])
        try t.moto.send(try S3TailFixture.s3Notification(raw), queue: "trail-q", scratch: t.dir)
        try t.moto.send(try S3TailFixture.sns(try S3TailFixture.s3Notification(wrapped)), queue: "trail-q", scratch: t.dir)
        try t.moto.send(try S3TailFixture.sns(try S3TailFixture.cloudTrailNotification(trail.map(\.key))), queue: "trail-q", scratch: t.dir)
        try t.moto.send(#"{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2024-06-03T12:00:00Z","Bucket":"trail-bucket"}"#,
                        queue: "trail-q", scratch: t.dir)
        let account = good.key.split(separator: "/")[1]
        let digestKey = "AWSLogs/\(account)/CloudTrail-Digest/us-east-1/2024/06/03/\(account)_CloudTrail-Digest_us-east-1_x_20240603T1200Z.json.gz"
        try t.moto.send(try S3TailFixture.sns(try S3TailFixture.cloudTrailNotification([digestKey])), queue: "trail-q", scratch: t.dir)
        try t.moto.send(try S3TailFixture.s3Notification([good], bucket: "other-bucket"), queue: "trail-q", scratch: t.dir)
        let notJSON = try t.moto.send("this is not JSON {", queue: "trail-q", scratch: t.dir)
        let wrongShape = try t.moto.send(#"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":7}}}]}"#, queue: "trail-q", scratch: t.dir)
        let halfFailed = try t.moto.send(try S3TailFixture.cloudTrailNotification([good.key, brokenKey]), queue: "trail-q", scratch: t.dir)

        let all = t.logs.count + extra.count
        #expect(eventually(120) { t.filesDone() == all }, "by SQS: \(t.filesDone()) of \(all)\n\(run.stderrSoFar())")
        // Only the two unreadable bodies and the message with the failed object stay.
        #expect(eventually(120) { (try? t.moto.messageIDs("trail-q")) == [notJSON, wrongShape, halfFailed] },
                "left on the queue: \((try? t.moto.messageIDs("trail-q")) ?? [])\n\(run.stderrSoFar())")
        let metricsURL = try #require(run.stderrSoFar().split(separator: "\n").first { $0.contains("metrics on http://") }?
            .components(separatedBy: "metrics on ").last)
        let metrics = try S3TailFixture.fetch(metricsURL)
        for line in [#"trailwatch_sqs_messages_total{outcome="test_event"} 1"#, #"trailwatch_sqs_keys_total{kind="digest"} 1"#,
                     #"trailwatch_sqs_keys_total{kind="unknown"} 1"#] {
            #expect(metrics.contains(line + "\n"), "\(metrics)")
        }
        run.send(SIGTERM)
        let result = try run.wait(timeout: 60)
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stderr.contains("SQS message \(notJSON): the body is not JSON"), "\(result)")
        #expect(result.stderr.contains("SQS message \(wrongShape): $.Records[0].s3.bucket.name is not a non-empty string"), "\(result)")
        #expect(result.stderr.contains("SQS message \(halfFailed) not deleted") && result.stderr.contains("broken.json.gz"), "\(result)")
        let summary = try #require(result.stderrLines.last { $0.contains("sqs: ") })
        #expect(summary.contains("1 test events, 1 digest keys, 1 unknown keys"), "\(summary)")
        #expect(try t.ledger()["s3://\(S3TailFixture.bucket)/\(brokenKey)"] == "failed")
        #expect(try t.history(t.db) == t.localHistory(of: t.logs.filter { $0.key != t.logs[half].key } + [rest[0]] + extra))
    }

    @Test("kill -9 during a polling tail, then restart: nothing lost or doubled")
    func killNinePolling() throws {
        let t = try S3TailFixture(seed: 13, records: 1500, scenarios: false)
        defer { t.stop() }
        try t.upload(t.logs)
        let first = try t.tail(["--poll-interval", "0.5"])
        defer { first.send(SIGKILL) }
        #expect(eventually(120) { t.filesDone() > 0 }, "\(first.stderrSoFar())")
        first.send(SIGKILL)
        let killed = try first.wait(timeout: 30)
        #expect(killed.exitCode == 128 + SIGKILL, "\(killed)")
        let doneAtKill = t.filesDone()

        let second = try t.tail(["--poll-interval", "0.5"])
        defer { second.send(SIGKILL) }
        #expect(eventually(120) { t.filesDone() == t.logs.count }, "after restart: \(t.filesDone()) of \(t.logs.count)\n\(second.stderrSoFar())")
        second.send(SIGTERM)
        let result = try second.wait(timeout: 60)
        #expect(result.exitCode == 0, "\(result)")
        #expect(doneAtKill < t.logs.count, "the kill should come before the end (\(doneAtKill) of \(t.logs.count) done)")
        #expect(try t.history(t.db) == t.localHistory(of: t.logs))
    }

    @Test("kill -9 during an SQS tail: no message deleted before its objects committed; after restart nothing lost or doubled")
    func killNineSQS() throws {
        let t = try S3TailFixture(seed: 14, records: 1500, scenarios: false)
        defer { t.stop() }
        let queueURL = try t.moto.createQueue("trail-q")
        let arguments = ["--poll-interval", "3600", "--sqs-queue-url", queueURL, "--sqs-visibility-timeout", "10"]
        let first = try t.tail(arguments)
        defer { first.send(SIGKILL) }
        // The start-up poll finds an empty bucket; everything then arrives by SQS, 10 objects a message.
        #expect(eventually(120) { first.stderrSoFar().contains("polling s3://") }, "\(first.stderrSoFar())")
        try t.upload(t.logs)
        var named: [String: [String]] = [:]
        for start in stride(from: 0, to: t.logs.count, by: 10) {
            let group = Array(t.logs[start..<min(t.logs.count, start + 10)])
            let id = try t.moto.send(try S3TailFixture.s3Notification(group), queue: "trail-q", scratch: t.dir)
            named[id] = group.map { "s3://\(S3TailFixture.bucket)/\($0.key)" }
        }
        #expect(eventually(120) { t.filesDone() > 0 }, "\(first.stderrSoFar())")
        first.send(SIGKILL)
        _ = try first.wait(timeout: 30)
        let remaining = try t.moto.messageIDs("trail-q")
        let ledger = try t.ledger()
        for (id, paths) in named where !remaining.contains(id) {
            #expect(paths.allSatisfy { ledger[$0] == "done" }, "message \(id) was deleted before its objects committed")
        }
        #expect(!remaining.isEmpty && ledger.count < t.logs.count, "the kill should come before the end (\(ledger.count) of \(t.logs.count) in the ledger)")

        // The messages left return after their visibility timeout; the ledger makes the done objects free.
        let second = try t.tail(arguments)
        defer { second.send(SIGKILL) }
        #expect(eventually(120) { t.filesDone() == t.logs.count && (try? t.moto.messageIDs("trail-q"))?.isEmpty == true },
                "after restart: \(t.filesDone()) of \(t.logs.count)\n\(second.stderrSoFar())")
        second.send(SIGTERM)
        let result = try second.wait(timeout: 60)
        #expect(result.exitCode == 0, "\(result)")
        #expect(try t.history(t.db) == t.localHistory(of: t.logs))
    }

    @Test("503 SlowDown on every 4th S3 and SQS request: every object read once, every message deleted")
    func sqsFaults() throws {
        let t = try S3TailFixture(seed: 15, records: 600, failEvery: 4, scenarios: false)
        defer { t.stop() }
        let queueURL = try t.moto.createQueue("trail-q")
        let run = try t.tail(["--poll-interval", "3600", "--sqs-queue-url", queueURL, "--sqs-visibility-timeout", "10"])
        defer { run.send(SIGKILL) }
        #expect(eventually(120) { run.stderrSoFar().contains("polling s3://") }, "\(run.stderrSoFar())")
        try t.upload(t.logs)
        for start in stride(from: 0, to: t.logs.count, by: 7) {
            let group = Array(t.logs[start..<min(t.logs.count, start + 7)])
            try t.moto.send(start % 14 == 0 ? try S3TailFixture.s3Notification(group)
                                            : try S3TailFixture.sns(try S3TailFixture.cloudTrailNotification(group.map(\.key))),
                            queue: "trail-q", scratch: t.dir)
        }
        #expect(eventually(120) { t.filesDone() == t.logs.count && (try? t.moto.messageIDs("trail-q"))?.isEmpty == true },
                "\(t.filesDone()) of \(t.logs.count)\n\(run.stderrSoFar())")
        run.send(SIGTERM)
        let result = try run.wait(timeout: 60)
        #expect(result.exitCode == 0, "\(result)")
        // Every 4th request was answered 503: with this many, SQS calls and GETs were among them.
        #expect(t.moto.posts.count >= 8 && t.moto.gets.count >= 8, "requests: \(t.moto.requests.count)")
        #expect(try t.history(t.db) == t.localHistory(of: t.logs))
        #expect(!result.stderr.contains("could not be deleted"), "\(result)")
    }

    @Test("an object slower to download than the visibility timeout: the message's visibility is extended, it is received once and deleted after the commit")
    func visibilityExtended() throws {
        let t = try S3TailFixture(seed: 16, records: 400, delay: ["slow-object=25"], scenarios: false)
        defer { t.stop() }
        let queueURL = try t.moto.createQueue("trail-q")
        let run = try t.tail(["--poll-interval", "3600", "--sqs-queue-url", queueURL, "--sqs-visibility-timeout", "10"])
        defer { run.send(SIGKILL) }
        #expect(eventually(120) { run.stderrSoFar().contains("polling s3://") }, "\(run.stderrSoFar())")
        let slow = (key: t.logs[0].key.replacingOccurrences(of: ".json.gz", with: "-slow-object.json.gz"), url: t.logs[0].url)
        let objects = [slow, t.logs[1]]
        try t.upload(objects)
        let id = try t.moto.send(try S3TailFixture.s3Notification(objects), queue: "trail-q", scratch: t.dir)
        // The download takes 25 s, two and a half visibility timeouts.
        #expect(eventually(120) { t.filesDone() == 2 && (try? t.moto.messageIDs("trail-q"))?.isEmpty == true },
                "\(t.filesDone()) done; queue \((try? t.moto.messageIDs("trail-q")) ?? [])\n\(run.stderrSoFar())")
        run.send(SIGTERM)
        let result = try run.wait(timeout: 60)
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stderr.contains("sqs: 1 messages, 1 deleted"), "message \(id) was received again while in hand: \(result)")
    }

    @Test("a queue that does not exist, or a missing bucket, exits 2 saying what to check")
    func setupErrors() throws {
        let t = try S3TailFixture(seed: 17, records: 400, scenarios: false)
        defer { t.stop() }
        let queue = try t.tail(["--sqs-queue-url", "\(t.moto.endpoint)/123456789012/no-such-queue"])
        let result = try queue.wait(timeout: 90)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains("the queue does not exist"), "\(result)")
        let bucket = try TrailwatchBinary.run(["tail", "s3://no-such-bucket", "--db", t.dir.path("b.db").path], environment: t.moto.environment)
        #expect(bucket.exitCode == 2, "\(bucket)")
        #expect(bucket.stderr.contains("no-such-bucket does not exist"), "\(bucket)")
        let noS3 = try TrailwatchBinary.run(["tail", t.dir.url.path, "--sqs-queue-url", "https://sqs.us-east-1.amazonaws.com/1/q", "--db", t.dir.path("c.db").path])
        #expect(noS3.exitCode == 2 && noS3.stderr.contains("needs an s3://"), "\(noS3)")
    }
}
