import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// SIGHUP reloads `tail`'s rules: invalid rules are refused with the error and the old ones kept;
/// valid ones apply to the files that land afterwards.
@Suite struct RulesReloadCLITests {
    @Test func sighupReloadsValidRulesAndKeepsTheOldOnInvalid() async throws {
        let dir = try TempDirectory()
        let watched = dir.path("watched")
        try FileManager.default.createDirectory(at: watched, withIntermediateDirectories: true)
        let rules = try dir.copy(PackagePaths.root.appendingPathComponent("Rules"), to: "rules")
        let tail = try TrailwatchBinary.launch(["tail", watched.path, "--db", dir.path("t.db").path, "--rules", rules.path, "--no-progress"])
        func said(_ text: String, _ count: Int) -> Bool { tail.stderrSoFar().components(separatedBy: text).count - 1 >= count }
        func waitFor(_ text: String, count: Int = 1) async -> Bool {
            await eventually(60, every: 0.05) { said(text, count) || !tail.isRunning } && said(text, count)
        }
        #expect(await waitFor("watching"), "\(tail.stderrSoFar())")
        try Data(#"{"name":"bad","pattern":{"detail":{"eventName":[{"prefix":1}]}}}"#.utf8).write(to: rules.appendingPathComponent("zz.json"))
        tail.send(SIGHUP)
        #expect(await waitFor("rules not reloaded, the previous rules stay in force: "), "\(tail.stderrSoFar())")
        #expect(tail.stderrSoFar().contains(#"rule "bad": detail.eventName[0]"#))
        try Data(#"{"name":"any-get","severity":"low","pattern":{"detail":{"eventName":["GetSecretValue"]}}}"#.utf8)
            .write(to: rules.appendingPathComponent("zz.json"))
        tail.send(SIGHUP)
        // The shipped rule files, one rule each, plus any-get.
        let shipped = try FileManager.default.contentsOfDirectory(atPath: PackagePaths.root.appendingPathComponent("Rules").path)
            .filter { $0.hasSuffix(".json") }.count
        #expect(await waitFor("rules reloaded: \(shipped + 1) rules"), "\(tail.stderrSoFar())")
        _ = try dir.copy(PackagePaths.sampleLogs.appendingPathComponent("AWSLogs"), to: "watched/AWSLogs")
        _ = await eventually(60) { tail.stdoutSoFar().contains(#""rule":"any-get""#) && tail.stdoutSoFar().contains(#""rule":"secret-read-burst""#) }
        tail.send(SIGTERM)
        let end = try tail.wait(timeout: 60)
        #expect(end.exitCode == 0, "\(end)")
        let alerts = try AlertLine.parse(end.stdout)
        #expect(alerts.contains { $0.rule == "any-get" }, "the reloaded rule applies to later files")
        #expect(alerts.contains { $0.rule == "secret-read-burst" }, "the shipped rules stay in force")
    }
}
