import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `trailwatch serve` as a process: the API answers exactly what the CLI prints with
/// `--format json`, it refuses to listen beyond loopback without a token, it serves while `tail`
/// writes, and SIGTERM stops it cleanly.
@Suite struct ServeCLITests {
    static let paymentsARN = "arn:aws:secretsmanager:us-east-1:428471960213:secret:prod/payments/db-password-PWmi2J"

    static func encoded(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))!
    }

    /// (API path, the CLI arguments printing the same JSON).
    static let pairs: [(String, [String])] = [
        ("/api/alerts?limit=1000", ["alerts", "--limit", "1000"]),
        ("/api/alerts?severity=high&since=2025-09-05&until=2025-09-09", ["alerts", "--severity", "high", "--since", "2025-09-05", "--until", "2025-09-09"]),
        ("/api/query/callers?secret=\(encoded(paymentsARN))", ["query", "callers", "--secret", paymentsARN]),
        ("/api/query/secrets?principal=role%2Fvendor-sync", ["query", "secrets", "--principal", "role/vendor-sync"]),
        ("/api/query/secret?name=\(encoded(paymentsARN))", ["query", "secret", paymentsARN]),
        ("/api/query/access?secret=\(encoded(paymentsARN))&limit=40&account=428471960213", ["query", "access", "--secret", paymentsARN, "--limit", "40", "--account", "428471960213"]),
        ("/api/query/access?principal=user%2Fci-legacy", ["query", "access", "--principal", "user/ci-legacy"]),
        ("/api/query/pending-deletions", ["query", "pending-deletions"]),
    ]

    @Test func apiAnswersWhatTheCLIPrints() async throws {
        let db = try SampleRun.get().db
        let serve = try await RunningServe(db: db)
        for (path, arguments) in Self.pairs {
            let cli = try TrailwatchBinary.run(arguments + ["--db", db.path, "--format", "json"])
            #expect(cli.exitCode == 0, "\(cli)")
            let api = try await serve.get(path)
            #expect(api.status == 200, "\(path): \(api.body)")
            #expect(!api.body.isEmpty, "\(path)")
            if path.hasPrefix("/api/alerts") {
                // The console redacts records (README, Redaction); the CLI prints them whole.
                let apiLines = api.body.split(separator: "\n"), cliLines = cli.stdout.split(separator: "\n")
                #expect(apiLines.count == cliLines.count, "\(path)")
                for (a, c) in zip(apiLines, cliLines) {
                    let aj = try JSONSerialization.jsonObject(with: Data(a.utf8)), cj = try JSONSerialization.jsonObject(with: Data(c.utf8))
                    #expect(Self.equalButRedacted(aj, cj), "\(path) differs from \(arguments.joined(separator: " ")) beyond redaction: \(a)")
                }
            } else {
                #expect(api.body == cli.stdout, "\(path) differs from \(arguments.joined(separator: " "))")
            }
        }
        // status: equal but for the lags, which move with the clock between the two calls.
        let cli = try TrailwatchBinary.run(["status", "--db", db.path, "--format", "json"])
        let api = try await serve.get("/api/status")
        #expect(try Self.withoutLags(api.body) == Self.withoutLags(cli.stdout))
        let end = try serve.stop()
        #expect(end.exitCode == 0, "\(end)")
        #expect(end.stdout.isEmpty, "results only on stdout; the server prints none")
        #expect(end.stderr.contains("trailwatch: stopped"), "\(end)")
    }

    /// `api` equals `cli` but where `api` holds `"(redacted)"`.
    static func equalButRedacted(_ api: Any, _ cli: Any) -> Bool {
        if let s = api as? String, s == "(redacted)" { return true }
        switch (api, cli) {
        case let (a as [String: Any], c as [String: Any]):
            return a.count == c.count && a.allSatisfy { key, value in c[key].map { equalButRedacted(value, $0) } ?? false }
        case let (a as [Any], c as [Any]):
            return a.count == c.count && zip(a, c).allSatisfy { equalButRedacted($0, $1) }
        default:
            return (api as? NSObject) == (cli as? NSObject)
        }
    }

    static func withoutLags(_ text: String) throws -> NSDictionary {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        var copy = object
        for key in ["places", "outbox"] {
            copy[key] = (object[key] as? [[String: Any]])?.map { row in
                row.filter { !["lag", "lagSeconds", "oldestPendingAge"].contains($0.key) }
            }
        }
        return copy as NSDictionary
    }

    @Test func beyondLoopbackWithoutATokenIsRefused() throws {
        let db = try SampleRun.get().db
        let result = try TrailwatchBinary.run(["serve", "--db", db.path, "--listen", "0.0.0.0:0"], timeout: 60)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains("--auth-token-file"), "\(result)")
        #expect(!result.stderr.contains("serving"), "\(result)")
    }

    @Test func aTokenGuardsEveryPage() async throws {
        let dir = try TempDirectory()
        let token = "f00dfeedf00dfeedf00dfeedf00dfeed"
        let file = try dir.write("token", Data((token + "\n").utf8))
        // A token file others may read is refused.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        let open = try TrailwatchBinary.run(["serve", "--db", try SampleRun.get().db.path, "--auth-token-file", file.path])
        #expect(open.exitCode == 2 && open.stderr.contains("chmod 600"), "\(open)")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        let serve = try await RunningServe(db: try SampleRun.get().db, extra: ["--auth-token-file", file.path])
        #expect(try await serve.get("/").status == 401)
        #expect(try await serve.get("/api/status").status == 401)
        #expect(try await serve.get("/api/status", headers: ["Authorization": "Bearer \(token)"]).status == 200)
        _ = try serve.stop()
    }

    @Test func aMissingStoreIsAUsageError() throws {
        let dir = try TempDirectory()
        let result = try TrailwatchBinary.run(["serve", "--db", dir.path("none.db").path], timeout: 60)
        #expect(result.exitCode == 2, "\(result)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("none.db").path), "serve never creates a store")
    }

    @Test func servesWhileTailWrites() async throws {
        let dir = try TempDirectory()
        let watched = try dir.copy(PackagePaths.sampleLogs, to: "watched")
        let db = dir.path("t.db")
        let tail = try TrailwatchBinary.launch(["tail", watched.path, "--db", db.path, "--no-progress", "--sink", "file:" + dir.path("a.jsonl").path])
        var serve: RunningServe?
        var done = 0
        var seen: Set<Int> = []
        _ = try await eventually(120) {
            if serve == nil, FileManager.default.fileExists(atPath: db.path) {
                serve = try? await RunningServe(db: db)
            }
            if let serve, let status = try? await serve.get("/api/status"), status.status == 200,
               let object = try? JSONSerialization.jsonObject(with: Data(status.body.utf8)) as? [String: Any],
               let files = object["files"] as? [String: Any], let n = files["done"] as? Int {
                done = n
                seen.insert(n)
                let page = try await serve.get("/")
                #expect(page.status == 200)
            }
            return done >= 221 || !tail.isRunning
        }
        tail.send(SIGTERM)
        _ = try tail.wait(timeout: 60)
        let end = try serve?.stop()
        #expect(done == 221, "the console saw \(seen.sorted()) files done")
        #expect(end?.exitCode == 0, "\(String(describing: end))")
    }
}
