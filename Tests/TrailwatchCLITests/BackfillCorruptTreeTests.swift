import Foundation
import Testing

/// Backfill over a tree with bad files (`gen-cloudtrail --corrupt`): exit 1, each bad file reported on
/// stderr with its path, every good file still ingested.
@Suite("backfill corrupt tree", .disabled("until backfill lands"),
       .enabled(if: GenCloudTrail.isAvailable, GenCloudTrail.unavailableReason))
struct BackfillCorruptTreeTests {
    /// Corrupt kinds that must be reported as failed (an empty file may be skipped instead).
    static let mustFail: Set<String> = ["truncated-gzip", "not-gzip", "invalid-json", "records-not-array", "records-missing"]

    @Test("bad files fail with their path, good files are ingested, exit 1")
    func corruptTree() throws {
        let dir = try TempDirectory()
        let tree = try GenCloudTrail.generate(
            into: dir.path("tree"), ["-n", "3000", "--days", "1", "--seed", "5", "--corrupt", "--huge-mb", "2", "--no-digests"])
        let bad = tree.manifest.corruptFiles.filter { !$0.valid }
        let good = tree.manifest.corruptFiles.filter(\.valid)
        #expect(Set(bad.map(\.kind)).isSuperset(of: Self.mustFail), "generator changed: \(bad.map(\.kind))")

        let result = try TrailwatchBinary.run(["backfill", tree.logs.path, "--db", dir.path("c.db").path], in: dir.url)
        #expect(result.exitCode == 1, "\(result)")
        for file in bad where Self.mustFail.contains(file.kind) {
            let name = URL(fileURLWithPath: file.path).lastPathComponent
            #expect(result.stderrLines.contains { $0.contains(name) }, "\(file.kind) file \(name) not reported\n\(result)")
        }
        for file in good {
            let name = URL(fileURLWithPath: file.path).lastPathComponent
            #expect(!result.stderrLines.contains { $0.contains(name) && $0.localizedCaseInsensitiveContains("fail") },
                    "valid \(file.kind) file reported as failed\n\(result)")
        }
        let summary = try #require(BackfillSummary(stderr: result.stderr), "no summary\n\(result)")
        let mustFailCount = bad.filter { Self.mustFail.contains($0.kind) }.count
        #expect((summary.filesFailed ?? 0) >= mustFailCount && (summary.filesFailed ?? 0) <= bad.count, "\(result)")
        #expect((summary.filesFailed ?? 0) + (summary.filesSkipped ?? 0) >= bad.count, "\(result)")
        #expect(summary.records == tree.manifest.counts.records + good.reduce(0) { $0 + $1.records }, "\(result)")
        #expect(summary.filesDone == tree.manifest.counts.logFiles - bad.count + good.count
                || summary.filesDone == tree.manifest.counts.logFiles + good.count, "\(result)")
    }
}
