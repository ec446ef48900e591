import Foundation
import Testing

/// `verify s3://…` against moto: the same findings and spans as `verify` of the same tree on
/// disk, digests' signatures taken from their object metadata, digest prefixes listed.
@Suite("verify s3:// against moto", .enabled(if: GenCloudTrail.isAvailable, GenCloudTrail.unavailableReason))
struct VerifyS3Tests {
    @Test("a tampered tree: the same findings and spans as the local verify, exit 1")
    func sameAsLocal() throws {
        let dir = try TempDirectory(prefix: "verify-s3")
        let tree = dir.path("tree")
        _ = try GenCloudTrail.generate(into: tree, ["-n", "1500", "--days", "1", "--accounts", "2", "--regions", "1",
                                                    "--tamper", "alter-log,delete-digest", "--seed", "21", "--s3-prefix", "p"])
        let moto = try MotoS3(scratch: dir, uploads: [(tree, "trail-bucket")], sidecarsAsMetadata: true)
        defer { moto.stop() }
        let keys = tree.appendingPathComponent("public-keys.json").path
        let local = try TrailwatchBinary.run(["verify", "--public-keys", keys, "--format", "json", tree.appendingPathComponent("p").path])
        let remote = try TrailwatchBinary.run(["verify", "--public-keys", keys, "--format", "json", "s3://trail-bucket/p", "--downloads", "8"],
                                              environment: moto.environment)
        #expect(local.exitCode == 1, "\(local)")
        #expect(remote.exitCode == 1, "\(remote)")
        func normal(_ result: CLIResult, _ base: String) -> [String] {
            result.stdoutLines.map { $0.replacingOccurrences(of: base, with: "<tree>/") }.sorted()
        }
        let localLines = normal(local, tree.appendingPathComponent("p").path + "/")
        #expect(localLines.contains { $0.contains("log-altered") } && localLines.contains { $0.contains("digest-missing") }, "\(local)")
        #expect(normal(remote, "s3://trail-bucket/p/") == localLines)
        #expect(moto.listPrefixes.contains { $0.contains("/CloudTrail-Digest/") }, "digest prefixes are listed for verify")
        #expect(!remote.stderr.contains("not signature-checked"), "signatures come from object metadata: \(remote)")
    }

    @Test("local paths and s3:// are not mixed; S3 filters need s3://")
    func usage() throws {
        let mixed = try TrailwatchBinary.run(["verify", "--public-keys", "k.json", "s3://trail-bucket", "/tmp"])
        #expect(mixed.exitCode == 2 && mixed.stderr.contains("not both"), "\(mixed)")
        let filter = try TrailwatchBinary.run(["verify", "--public-keys", "k.json", "/tmp", "--since", "2024-06-01"])
        #expect(filter.exitCode == 2 && filter.stderr.contains("s3:// addresses only"), "\(filter)")
    }
}
