import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Backfill over archives an attacker shaped (issue 10, items 1, 4, 5, 13, 14): each bad file or
/// directory fails on its own with its path and reason, every good file is still ingested, and a
/// re-run decides from the bytes as stored.
@Suite("backfill hostile archives", .enabled(if: HostileArchive.hasGzip, "needs the gzip tool to make test archives"))
struct BackfillHostileTests {
    static let good = "111111111111_CloudTrail_us-east-1_20240603T1205Z_aaaaaaaaaaaaaaaa.json.gz"

    @Test("a gzip bomb over --max-file-size fails alone, with the limit named")
    func gzipBomb() throws {
        let dir = try TempDirectory()
        try HostileArchive.writeGood(dir, "logs/" + Self.good)
        let bomb = try HostileArchive.gzip(Data(#"{"Records":["#.utf8) + Data(repeating: 0x20, count: 4 << 20) + Data("]}".utf8))
        let bombPath = try dir.write("logs/111111111111_CloudTrail_us-east-1_20240603T1210Z_bbbbbbbbbbbbbbbb.json.gz", bomb)
        let result = try TrailwatchBinary.run(
            ["backfill", dir.path("logs").path, "--db", dir.path("t.db").path, "--max-file-size", "64K"], in: dir.url)
        #expect(result.exitCode == 1, "\(result)")
        let errors = result.stderrLines.filter { $0.contains("error:") }
        #expect(errors.count == 1 && errors[0].contains(bombPath.path) && errors[0].contains("--max-file-size"), "\(result)")
        let summary = try #require(BackfillSummary(stderr: result.stderr), "\(result)")
        #expect(summary.filesDone == 1 && summary.filesFailed == 1 && summary.records == 2, "\(summary)")
    }

    @Test("a record over 16 MiB is counted as invalid, named with its size, and not stored")
    func oversizedRecord() throws {
        let dir = try TempDirectory()
        let huge = String(repeating: "a", count: 17 << 20)
        let text = #"{"Records":[{"eventVersion":"1.08","eventID":"big-1","eventTime":"2024-06-03T12:00:00Z","#
            + #""eventSource":"secretsmanager.amazonaws.com","eventName":"GetSecretValue","awsRegion":"us-east-1","#
            + #""recipientAccountId":"111111111111","userAgent":""# + huge + #""}]}"#
        try dir.write("logs/" + Self.good, try HostileArchive.gzip(Data(text.utf8)))
        let result = try TrailwatchBinary.run(["backfill", dir.path("logs").path, "--db", dir.path("t.db").path], in: dir.url)
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stderr.contains("more than the 16777216 bytes accepted for one record"), "\(result)")
        let summary = try #require(BackfillSummary(stderr: result.stderr), "\(result)")
        #expect(summary.records == 0 && summary.invalidRecords == 1 && summary.eventsStored == 0, "\(summary)")
    }

    @Test("--max-file-size is range-checked")
    func maxFileSizeRange() throws {
        let dir = try TempDirectory()
        for bad in ["0", "12Q", "4G", "-1"] {
            let result = try TrailwatchBinary.run(["backfill", dir.url.path, "--db", dir.path("t.db").path, "--max-file-size", bad], in: dir.url)
            #expect(result.exitCode == 2, "\(result)")
            #expect(result.stderr.contains("--max-file-size"), "\(result)")
        }
    }

    @Test("an entry that cannot be read is reported and counted as failed; the rest is ingested")
    func unreadableEntry() throws {
        let dir = try TempDirectory()
        try HostileArchive.writeGood(dir, "logs/a/" + Self.good)
        try FileManager.default.createDirectory(at: dir.path("logs/b"), withIntermediateDirectories: true)
        // A symlink loop: stat fails with ELOOP even for root (chmod 000 does not stop root).
        #expect(symlink("loop", dir.path("logs/b/loop").path) == 0)
        let db = dir.path("t.db").path
        let result = try TrailwatchBinary.run(["backfill", dir.path("logs").path, "--db", db], in: dir.url)
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stderrLines.contains { $0.contains("error:") && $0.contains("logs/b/loop") && $0.contains("symbolic links") }, "\(result)")
        let summary = try #require(BackfillSummary(stderr: result.stderr), "\(result)")
        #expect(summary.filesDone == 1 && summary.filesFailed == 1 && summary.records == 2, "\(summary)")
        let status = try TrailwatchBinary.run(["status", "--db", db, "--format", "json"], in: dir.url)
        #expect(status.stdout.contains("logs/b/loop") && status.stdout.contains("symbolic links"), "\(status)")

        // Once the entry is a readable directory, a re-run reads it and forgets the failure.
        try FileManager.default.removeItem(atPath: dir.path("logs/b/loop").path)
        try HostileArchive.writeGood(dir, "logs/b/loop/111111111111_CloudTrail_us-east-1_20240603T1210Z_dddddddddddddddd.json.gz")
        let again = try TrailwatchBinary.run(["backfill", dir.path("logs").path, "--db", db], in: dir.url)
        #expect(again.exitCode == 0, "\(again)")
        let after = try TrailwatchBinary.run(["status", "--db", db, "--format", "json"], in: dir.url)
        #expect(!after.stdout.contains("symbolic links"), "\(after)")
    }

    @Test("file and directory names that are not UTF-8 are read and reported escaped")
    func nonUTF8Names() throws {
        let dir = try TempDirectory()
        let logs = Array(dir.path("logs").path.utf8)
        let sub = logs + Array("/r".utf8) + [0xFF]  // ".../logs/r\xFF"
        #expect(mkdir(logs.cString, 0o755) == 0)
        #expect(mkdir(sub.cString, 0o755) == 0)
        let file = sub + Array("/x".utf8) + [0xFE] + Array(".json.gz".utf8)
        let fd = open(file.cString, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        let content = try HostileArchive.good()
        content.withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
        close(fd)
        defer {
            unlink(file.cString)
            rmdir(sub.cString)
        }
        let result = try TrailwatchBinary.run(["backfill", dir.path("logs").path, "--db", dir.path("t.db").path], in: dir.url)
        #expect(result.exitCode == 0, "\(result)")
        let summary = try #require(BackfillSummary(stderr: result.stderr), "\(result)")
        #expect(summary.filesDone == 1 && summary.records == 2, "\(summary)")
        let status = try TrailwatchBinary.run(["status", "--db", dir.path("t.db").path, "--format", "json"], in: dir.url)
        #expect(status.exitCode == 0, "\(status)")
    }

    @Test("a file name holding a line feed and ESC cannot forge a line or an escape sequence on stderr")
    func controlCharactersInNames() throws {
        let dir = try TempDirectory()
        let name = "x.json.gz\ntrailwatch: files: 999 done, 0 skipped, 0 failed; records: 0\n\u{1B}[31mFAKE"
        try dir.write("logs/" + name, Data([0x1F, 0x8B, 0x08, 0x00, 0x67, 0x61, 0x72, 0x62]))
        let result = try TrailwatchBinary.run(["backfill", dir.path("logs").path, "--db", dir.path("t.db").path, "--no-progress"], in: dir.url)
        #expect(result.exitCode == 1, "\(result)")
        #expect(!result.stderr.contains("\u{1B}"), "ESC reached stderr raw\n\(result)")
        #expect(!result.stderrLines.contains { $0.hasPrefix("trailwatch: files: 999") }, "a forged line\n\(result)")
        #expect(result.stderrLines.contains { $0.hasPrefix("trailwatch: error: ") && $0.contains("x.json.gz\\u{a}trailwatch: files: 999")
            && $0.contains("\\u{1b}[31mFAKE") }, "\(result)")
    }

    @Test("a 0-byte file with a CloudTrail log name is a lost delivery: failed, named, in status")
    func emptyCloudTrailFile() throws {
        let dir = try TempDirectory()
        try HostileArchive.writeGood(dir, "logs/" + Self.good)
        let empty = try dir.write("logs/111111111111_CloudTrail_us-east-1_20240603T1215Z_cccccccccccccccc.json.gz", Data())
        try dir.write("logs/placeholder.json", Data())  // not a CloudTrail name: still skipped
        let db = dir.path("t.db").path
        let result = try TrailwatchBinary.run(["backfill", dir.path("logs").path, "--db", db], in: dir.url)
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stderrLines.contains { $0.contains("error:") && $0.contains(empty.path) && $0.contains("empty") }, "\(result)")
        let summary = try #require(BackfillSummary(stderr: result.stderr), "\(result)")
        #expect(summary.filesDone == 1 && summary.filesFailed == 1 && summary.filesSkipped == 1, "\(summary)")
        let status = try TrailwatchBinary.run(["status", "--db", db, "--format", "json"], in: dir.url)
        #expect(status.stdout.contains(empty.lastPathComponent) && status.stdout.contains("lost or unfinished delivery"), "\(status)")
    }

    /// The ledger check comes before inflating: a second run with a limit the files' inflated
    /// size exceeds (but not their stored size) finds them already ingested instead of failing
    /// them, which it could only do by deciding from the bytes as stored.
    @Test("a re-run decides from the stored bytes, before inflating; a changed file is read again")
    func rerunDoesNotInflate() throws {
        let dir = try TempDirectory()
        let padded = try HostileArchive.good(padding: 200_000)
        #expect(padded.count < 4096)
        let file = try dir.write("logs/" + Self.good, padded)
        let db = dir.path("t.db").path
        let first = try TrailwatchBinary.run(["backfill", dir.path("logs").path, "--db", db], in: dir.url)
        #expect(first.exitCode == 0, "\(first)")
        let again = try TrailwatchBinary.run(["backfill", dir.path("logs").path, "--db", db, "--max-file-size", "4K"], in: dir.url)
        #expect(again.exitCode == 0, "\(again)")
        #expect(BackfillSummary(stderr: again.stderr)?.filesAlreadyIngested == 1, "\(again)")
        // Same size, different bytes: read again (and now refused by the small limit).
        var changed = padded
        changed[changed.count - 9] ^= 0xFF
        try changed.write(to: file)
        let third = try TrailwatchBinary.run(["backfill", dir.path("logs").path, "--db", db, "--max-file-size", "4K"], in: dir.url)
        #expect(third.exitCode == 1, "\(third)")
    }
}

/// Small CloudTrail files for these tests, gzipped with the system's gzip.
enum HostileArchive {
    static let hasGzip = ["/usr/bin/gzip", "/bin/gzip"].contains { FileManager.default.isExecutableFile(atPath: $0) }

    static func gzip(_ data: Data) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: FileManager.default.isExecutableFile(atPath: "/usr/bin/gzip") ? "/usr/bin/gzip" : "/bin/gzip")
        process.arguments = ["-c", "-9"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let writer = Thread { input.fileHandleForWriting.write(data); try? input.fileHandleForWriting.close() }
        writer.start()
        let result = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return result
    }

    /// Two GetSecretValue records, with `padding` spaces before the closing bracket.
    static func good(padding: Int = 0) throws -> Data {
        let records = (1...2).map { n in
            #"{"eventVersion":"1.08","eventID":"00000000-0000-4000-8000-00000000000\#(n)","eventTime":"2024-06-03T12:0\#(n):00Z","#
                + #""eventSource":"secretsmanager.amazonaws.com","eventName":"GetSecretValue","awsRegion":"us-east-1","#
                + #""recipientAccountId":"111111111111","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/u","accountId":"111111111111"},"#
                + #""requestParameters":{"secretId":"prod/db"}}"#
        }
        let text = #"{"Records":["# + records.joined(separator: ",") + String(repeating: " ", count: padding) + "]}"
        return try gzip(Data(text.utf8))
    }

    static func writeGood(_ dir: TempDirectory, _ relative: String) throws {
        try dir.write(relative, try good())
    }
}

private extension Array where Element == UInt8 {
    /// The bytes as a NUL-terminated C string.
    var cString: [CChar] { map { CChar(bitPattern: $0) } + [0] }
}
