import Foundation
import Testing

/// `--db` must name a regular file; a writer tightens a store others can read.
@Suite("store path")
struct StorePathTests {
    static let region = PackagePaths.sampleLogs.appendingPathComponent("AWSLogs/739205118846/CloudTrail/eu-west-1").path

    @Test("--db /dev/full is refused and nothing is created beside it",
          .enabled(if: FileManager.default.fileExists(atPath: "/dev/full"), "no /dev/full on this system"))
    func deviceStore() throws {
        let result = try TrailwatchBinary.run(["backfill", Self.region, "--db", "/dev/full"])
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains("/dev/full: open: not a regular file (a character device)"), "\(result)")
        for suffix in ["-journal", "-wal", "-shm"] {
            #expect(!FileManager.default.fileExists(atPath: "/dev/full" + suffix), "/dev/full\(suffix) created")
        }
    }

    @Test("--db \"\" is refused with exit 2, and nothing is created")
    func emptyStorePath() throws {
        for command in [["backfill", Self.region], ["status"], ["query", "access"]] {
            let dir = try TempDirectory()
            let result = try TrailwatchBinary.run(command + ["--db", ""], in: dir.url)
            #expect(result.exitCode == 2, "\(result)")
            #expect(result.stderr.contains("an empty path names no store"), "\(result)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).isEmpty, "\(command) created files")
        }
    }

    /// Exit 1 means a partial failure; a file that is not a store is unusable, like a missing one.
    @Test("read commands on a file that is not an SQLite database exit 2 and say so",
          arguments: [["status"], ["query", "access"], ["alerts"], ["query", "callers", "--secret", "x"]])
    func notADatabase(_ command: [String]) throws {
        let dir = try TempDirectory()
        let db = try dir.write("s.db", Data(String(repeating: "hello, not sqlite\n", count: 300).utf8)).path
        let result = try TrailwatchBinary.run(command + ["--db", db], in: dir.url)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        #expect(result.stderr.contains("\(db): open: file is not a database") || result.stderr.contains("\(db): check schema: file is not a database"), "\(result)")
    }

    @Test("a store readable by others is set to 0600 with a warning")
    func looseStore() throws {
        let dir = try TempDirectory()
        let db = dir.path("s.db").path
        let first = try TrailwatchBinary.run(["backfill", Self.region, "--db", db], in: dir.url)
        try #require(first.exitCode == 0, "\(first)")
        try #require(chmod(db, 0o644) == 0)
        let second = try TrailwatchBinary.run(["backfill", Self.region, "--db", db], in: dir.url)
        #expect(second.exitCode == 0, "\(second)")
        #expect(second.stderr.contains("trailwatch: warning: \(db) was mode 0644: set to 0600"), "\(second)")
        let mode = try FileManager.default.attributesOfItem(atPath: db)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}
