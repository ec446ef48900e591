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

    @Test func tailVerifiesDigestsAsTheyLandAndStatusShowsTheNewestVerified() throws {
        let dir = try TempDirectory(prefix: "verify-tail")
        _ = try GenCloudTrail.generate(into: dir.path("gen"), ["-n", "800", "--days", "0.5", "--accounts", "1", "--regions", "1",
                                                               "--tamper", "alter-log,delete-log", "--seed", "13"])
        let db = dir.path("t.db").path
        let run = try TrailwatchBinary.launch(["tail", dir.path("gen/AWSLogs").path, "--poll", "--db", db,
                                               "--public-keys", dir.path("gen/public-keys.json").path])
        // Wait (bounded) for both alerts: the catch-up reads every digest of the tree.
        let deadline = Date().addingTimeInterval(90)
        while Date() < deadline, run.isRunning,
              !(run.stdoutSoFar().contains("trail-log-altered") && run.stdoutSoFar().contains("trail-log-missing")) {
            usleep(100_000)
        }
        run.send(SIGTERM)
        let result = try run.wait(timeout: 30)
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("\"rule\":\"trail-log-altered\""), "\(result)")
        #expect(result.stdout.contains("\"rule\":\"trail-log-missing\""), "\(result)")

        let altered = try TrailwatchBinary.run(["alerts", "--db", db, "--rule", "trail-log-altered", "--since", "3650d", "--format", "json"])
        #expect(altered.exitCode == 0, "\(altered)")
        #expect(altered.stdoutLines.count == 1, "\(altered)")
        let status = try TrailwatchBinary.run(["status", "--db", db, "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        let verified = object?["verifiedDigests"] as? [[String: Any]] ?? []
        #expect(verified.count == 1, "\(status)")
        #expect((verified.first?["digest"] as? String)?.contains("CloudTrail-Digest") == true, "\(status)")
    }
}
