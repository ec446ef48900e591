import Foundation
import Testing

/// `trailwatch verify` end to end: exit status, JSON lines on standard output, the summary on
/// standard error, usage errors.
@Suite("verify", .enabled(if: GenCloudTrail.isAvailable, GenCloudTrail.unavailableReason))
struct VerifyCLITests {
    @Test func untamperedTreeExitsZeroWithSpansOnly() throws {
        let dir = try TempDirectory(prefix: "verify-cli")
        _ = try GenCloudTrail.generate(into: dir.url, ["-n", "2000", "--days", "1", "--accounts", "1", "--regions", "2", "--sign", "--seed", "11"])
        let result = try TrailwatchBinary.run(["verify", "--public-keys", dir.path("public-keys.json").path, "--format", "json", dir.url.path])
        #expect(result.exitCode == 0, "\(result)")
        let lines = try result.stdoutLines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
        #expect(lines.count == 2, "\(result)")
        #expect(lines.allSatisfy { $0["kind"] as? String == "verified-span" })
        #expect(result.stderr.contains("all valid"), "\(result)")
    }

    @Test func tamperedTreeExitsOneWithOneFindingPerLine() throws {
        let dir = try TempDirectory(prefix: "verify-cli")
        _ = try GenCloudTrail.generate(into: dir.url, ["-n", "2000", "--days", "1", "--accounts", "2", "--regions", "2", "--tamper", "alter-log,delete-digest", "--seed", "12"])
        let result = try TrailwatchBinary.run(["verify", "--public-keys", dir.path("public-keys.json").path, "--format", "json", dir.url.path])
        #expect(result.exitCode == 1, "\(result)")
        let kinds = try result.stdoutLines.compactMap { line -> String? in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?["problem"] as? Bool == true ? object?["kind"] as? String : nil
        }
        #expect(kinds.contains("log-altered"), "\(result)")
        #expect(kinds.contains("digest-missing"), "\(result)")
        #expect(result.stderr.contains("problems"), "\(result)")
    }

    @Test func usageErrorsExitTwo() throws {
        let dir = try TempDirectory(prefix: "verify-cli")
        let noKeys = try TrailwatchBinary.run(["verify", dir.url.path])
        #expect(noKeys.exitCode == 2, "\(noKeys)")
        try dir.write("keys.json", Data("{\"PublicKeyList\":[{\"Value\":\"***\"}]}".utf8))
        let badKeys = try TrailwatchBinary.run(["verify", "--public-keys", dir.path("keys.json").path, dir.url.path])
        #expect(badKeys.exitCode == 2, "\(badKeys)")
        #expect(badKeys.stderr.contains("PublicKeyList[0].Value"), "\(badKeys)")
        let missing = try TrailwatchBinary.run(["verify", "--public-keys", dir.path("keys.json").path, dir.path("nope").path])
        #expect(missing.exitCode == 2, "\(missing)")
    }
}
