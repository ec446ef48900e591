import Foundation
import Testing

/// The test harness itself and the committed sample archive it relies on.
@Suite("harness and SampleLogs")
struct HarnessTests {
    @Test("SampleLogs matches its incident fixture and stays small")
    func sampleLogsLayout() throws {
        let expected = try SampleIncidents.load()
        let dir = PackagePaths.sampleLogs.appendingPathComponent("AWSLogs")
        let walker = try #require(FileManager.default.enumerator(atPath: dir.path))
        var logs = 0, digests = 0, bytes = 0
        let pattern = try NSRegularExpression(pattern:
            #"^(\d{12})/CloudTrail/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/\1_CloudTrail_\2_\3\4\5T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$"#)
        for case let relative as String in walker where relative.hasSuffix(".json.gz") {
            bytes += (try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(relative).path)[.size] as? Int) ?? 0
            if relative.contains("/CloudTrail-Digest/") {
                digests += 1
            } else {
                logs += 1
                let range = NSRange(relative.startIndex..., in: relative)
                #expect(pattern.firstMatch(in: relative, range: range) != nil, "not in the S3 layout: \(relative)")
            }
        }
        #expect(logs == expected.logFiles)
        #expect(digests == expected.digestFiles)
        #expect(bytes < 1_000_000, "SampleLogs grew to \(bytes) bytes")
        #expect(expected.records >= 3000 && expected.records <= 5000)
        #expect(Set(expected.incidents.map(\.kind)).count == expected.incidents.count)
    }

    @Test("fixtures are found and copied into temporary trees")
    func tempTree() throws {
        let dir = try TempDirectory()
        let copy = try dir.copyFixture("sample-incidents.json", to: "nested/incidents.json")
        #expect(FileManager.default.contentsEqual(atPath: copy.path, andPath: try Fixtures.url("sample-incidents.json").path))
        try dir.write("a/b.txt", Data("x".utf8))
        #expect(try dir.files() == ["a/b.txt", "nested/incidents.json"])
    }

    @Test("the binary runs in the given directory and its streams are captured separately")
    func runCapturesStreams() throws {
        let dir = try TempDirectory()
        let ok = try TrailwatchBinary.run(["--help"], in: dir.url)
        #expect(ok.exitCode == 0 && !ok.stdout.isEmpty && ok.stderr.isEmpty, "\(ok)")
        let bad = try TrailwatchBinary.run(["--no-such-option"], in: dir.url, stdin: "ignored\n")
        #expect(bad.exitCode != 0 && bad.stdout.isEmpty && !bad.stderr.isEmpty, "\(bad)")
        #expect(try dir.files().isEmpty, "the run left files in its working directory")
    }

    @Test("gen-cloudtrail trees come with their manifest and truth",
          .enabled(if: GenCloudTrail.isAvailable, GenCloudTrail.unavailableReason))
    func generator() throws {
        let dir = try TempDirectory()
        let tree = try GenCloudTrail.generate(
            into: dir.path("tree"), ["-n", "1000", "--days", "2", "--seed", "2", "--scenarios", "all", "--no-digests"],
            truth: true)
        #expect(tree.manifest.counts.records == 1000)
        #expect(try dir.files(under: "tree/AWSLogs").count == tree.manifest.counts.logFiles)
        #expect(!tree.truth.isEmpty && !tree.incidents.isEmpty)
    }
}
