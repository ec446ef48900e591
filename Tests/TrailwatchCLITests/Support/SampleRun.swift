import Foundation

/// One `trailwatch backfill SampleLogs --jobs 2` per test process, shared by the tests that only
/// read its output or query its store (each backfill of SampleLogs costs seconds on a debug build).
///
/// Tests that write must not use this store: copy it with `copyStore(to:)` first.
enum SampleRun {
    struct Run: Sendable {
        /// The backfill's result (alerts on stdout, summary on stderr).
        var result: CLIResult
        /// The store it filled.
        var db: URL
    }

    /// Where the shared run keeps its store; removed when the test process exits.
    static let directory: URL = FileManager.default.temporaryDirectory
        .appendingPathComponent("trailwatch-sample-\(UUID().uuidString)", isDirectory: true)

    private static let shared: Result<Run, any Error> = Result {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: SampleRun.directory) }
        let db = directory.appendingPathComponent("sample.db")
        let result = try TrailwatchBinary.run(
            ["backfill", PackagePaths.sampleLogs.path, "--db", db.path, "--jobs", "2"], in: directory)
        return Run(result: result, db: db)
    }

    /// The shared run (made on first use).
    static func get() throws -> Run { try shared.get() }

    /// Copies the shared store (with its WAL, if any) to `dir/name` and returns the copy's path.
    static func copyStore(to dir: TempDirectory, as name: String) throws -> URL {
        let run = try get()
        let target = dir.path(name)
        for suffix in ["", "-wal"] {
            let source = URL(fileURLWithPath: run.db.path + suffix)
            if FileManager.default.fileExists(atPath: source.path) {
                try FileManager.default.copyItem(at: source, to: URL(fileURLWithPath: target.path + suffix))
            }
        }
        return target
    }
}

/// What a store holds, as the read commands print it: every access row and every alert (JSON lines).
struct StoreSnapshot: Equatable {
    var access: [String]
    var alerts: [String]

    /// Reads `db` with `trailwatch query access --format json --limit 0` and `trailwatch alerts --format json --limit 0`.
    init(db: URL) throws {
        let access = try TrailwatchBinary.run(["query", "access", "--db", db.path, "--format", "json", "--limit", "0"])
        let alerts = try TrailwatchBinary.run(["alerts", "--db", db.path, "--format", "json", "--limit", "0"])
        guard access.exitCode == 0, alerts.exitCode == 0 else {
            throw SnapshotFailed(description: "\(access)\n\(alerts)")
        }
        self.access = access.stdoutLines
        self.alerts = alerts.stdoutLines
    }

    struct SnapshotFailed: Error, CustomStringConvertible { var description: String }
}
