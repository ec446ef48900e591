import Foundation
import Testing

/// Backfill over a tree with bad files (`gen-cloudtrail --corrupt`): exit 1; each truly bad file
/// named on stderr with a byte offset; files that are odd but readable ingested or skipped; every
/// good file still ingested.
@Suite("backfill corrupt tree", .enabled(if: GenCloudTrail.isAvailable, GenCloudTrail.unavailableReason))
struct BackfillCorruptTreeTests {
    /// Kinds that cannot be read: the file fails. (A zero-byte file under a CloudTrail log file
    /// name is a lost delivery, and `{"Items":[...]}` under one a damaged or replaced delivery:
    /// they fail too, without a byte offset.)
    static let failing: Set<String> = ["truncated-gzip", "invalid-json", "records-not-array", "empty-file", "records-missing"]
    /// A CloudTrail log with no records (`{"Records":[]}`): skipped.
    static let skipped: Set<String> = ["empty-records"]
    /// Kinds that are read: a plain-JSON log under a .json.gz name (detected by content), one 2 MiB record,
    /// a multi-member gzip.
    static let ingested: Set<String> = ["not-gzip", "huge-record", "multi-member-gzip"]

    @Test("bad files fail with path and byte offset, the rest is ingested or skipped, exit 1")
    func corruptTree() throws {
        let dir = try TempDirectory()
        let tree = try GenCloudTrail.generate(
            into: dir.path("tree"),
            ["-n", "3000", "--days", "1", "--seed", "5", "--accounts", "1", "--regions", "1",
             "--corrupt", "--huge-mb", "2", "--no-digests"])
        let corrupt = tree.manifest.corruptFiles
        #expect(Set(corrupt.map(\.kind)) == Self.failing.union(Self.skipped).union(Self.ingested),
                "generator changed: \(corrupt.map(\.kind))")

        let result = try TrailwatchBinary.run(["backfill", tree.logs.path, "--db", dir.path("c.db").path], in: dir.url)
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")

        let errors = result.stderrLines.filter { $0.hasPrefix("trailwatch: error: ") }
        #expect(errors.count == Self.failing.count, "\(result)")
        let offset = try NSRegularExpression(pattern: #": byte (\d+): "#)
        for file in corrupt {
            let path = tree.root.appendingPathComponent(file.path).path
            let reported = errors.filter { $0.contains(path) }
            if Self.failing.contains(file.kind) {
                #expect(reported.count == 1, "\(file.kind) file not reported once\n\(result)")
                if file.kind == "empty-file" {
                    #expect(reported.first?.contains("lost or unfinished delivery") == true, "\(reported)")
                    continue
                }
                if file.kind == "records-missing" {
                    #expect(reported.first?.contains("a CloudTrail log file name, but not CloudTrail") == true, "\(reported)")
                    #expect(reported.first?.contains("damaged or replaced delivery") == true, "\(reported)")
                    continue
                }
                guard let line = reported.first,
                      let match = offset.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)),
                      let range = Range(match.range(at: 1), in: line), let byte = Int(line[range])
                else {
                    Issue.record("\(file.kind): no byte offset in \(reported)")
                    continue
                }
                // A truncated gzip ends at its last byte; the JSON errors point inside the file.
                if file.kind == "truncated-gzip" { #expect(byte == file.bytes, "\(line)") }
                #expect(byte > 0, "\(line)")
            } else {
                #expect(reported.isEmpty, "\(file.kind) file reported as failed\n\(result)")
            }
        }

        // The not-gzip file is a plain {"Records":[...]} log that the manifest does not count.
        let notGzip = try #require(corrupt.first { $0.kind == "not-gzip" })
        let plain = try JSONSerialization.jsonObject(with: Data(contentsOf: tree.root.appendingPathComponent(notGzip.path)))
        let plainRecords = try #require((plain as? [String: Any])?["Records"] as? [Any]).count
        let ingestedRecords = corrupt.filter { Self.ingested.contains($0.kind) }.reduce(0) { $0 + $1.records }

        let summary = try #require(BackfillSummary(stderr: result.stderr), "no summary\n\(result)")
        #expect(summary.filesDone == tree.manifest.counts.logFiles + Self.ingested.count, "\(summary)")
        #expect(summary.filesSkipped == Self.skipped.count, "\(summary)")
        #expect(summary.filesFailed == Self.failing.count, "\(summary)")
        #expect(summary.records == tree.manifest.counts.records + ingestedRecords + plainRecords, "\(summary)")
        #expect(summary.alerts == 0, "\(summary)")
    }
}
