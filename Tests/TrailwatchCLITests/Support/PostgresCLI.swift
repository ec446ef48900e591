import Foundation
import Testing
import TrailTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Helpers for the CLI tests that run `trailwatch` against PostgreSQL: a database on the shared
/// throwaway cluster, running a command on two stores, reading JSON lines.
enum PostgresCLI {
    struct Failed: Error, CustomStringConvertible { var description: String }

    /// A fresh database on the process's throwaway cluster; throws (so the test fails with the
    /// reason) when no server can be started.
    static func database(_ prefix: String) throws -> String {
        do {
            return try PostgresTestCluster.shared().makeDatabase(prefix: prefix).url
        } catch {
            throw Failed(description: "no PostgreSQL server for the test: \(error)")
        }
    }

    /// The rows (`|`-separated columns) of `query` in `database` on the shared cluster, read with
    /// `psql` over its socket; throws when psql fails.
    static func rows(_ query: String, database: String) throws -> [String] {
        let cluster = try PostgresTestCluster.shared()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: cluster.binDirectory + "/psql")
        process.arguments = ["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", cluster.socketDirectory, "-p", String(cluster.port),
                             "-U", PostgresTestCluster.user, "-d", database, "-c", query]
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("psql-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out) }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: out)
        try process.run()
        process.waitUntilExit()
        let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else { throw Failed(description: "psql \(query): \(text)") }
        return text.split(separator: "\n").map(String.init)
    }

    /// A `psql` session running `sql` in `database` on the shared cluster, left running (the
    /// caller terminates it): for a lock held by a session that then dies.
    static func session(_ sql: String, database: String) throws -> Process {
        let cluster = try PostgresTestCluster.shared()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: cluster.binDirectory + "/psql")
        process.arguments = ["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", cluster.socketDirectory, "-p", String(cluster.port),
                             "-U", PostgresTestCluster.user, "-d", database, "-c", sql]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// The database name at the end of a `postgres://` URL.
    static func databaseName(_ url: String) -> String { String(url.split(separator: "/").last ?? "") }

    /// Runs `trailwatch` and requires exit 0.
    @discardableResult
    static func succeed(_ arguments: [String], in directory: URL? = nil, timeout: TimeInterval = 120,
                        sourceLocation: SourceLocation = #_sourceLocation) throws -> CLIResult {
        let result = try TrailwatchBinary.run(arguments, in: directory, timeout: timeout)
        guard result.exitCode == 0 else {
            throw Failed(description: "\(result)")
        }
        return result
    }

    /// The objects of JSON-lines output.
    static func objects(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }

    /// eventID → rows in `query access --limit 0 --format json`.
    static func accessCounts(_ db: String) throws -> [String: Int] {
        let out = try succeed(["query", "access", "--db", db, "--limit", "0", "--format", "json"])
        var counts: [String: Int] = [:]
        for object in objects(out.stdout) { counts[object["eventID"] as? String ?? "?", default: 0] += 1 }
        return counts
    }

    /// The `status --format json` object.
    static func status(_ db: String) throws -> [String: Any] {
        let out = try succeed(["status", "--db", db, "--format", "json"])
        guard let object = objects(out.stdout).first else { throw Failed(description: "status printed no JSON: \(out)") }
        return object
    }

    /// `files.done` and `events` of the status, or nil when status fails (e.g. while the server restarts).
    static func doneAndEvents(_ db: String) -> (done: Int, events: Int)? {
        guard let result = try? TrailwatchBinary.run(["status", "--db", db, "--format", "json"], timeout: 30),
              result.exitCode == 0, let object = objects(result.stdout).first else { return nil }
        let files = object["files"] as? [String: Any] ?? [:]
        return ((files["done"] as? NSNumber)?.intValue ?? -1, (object["events"] as? NSNumber)?.intValue ?? -1)
    }

    /// A loopback TCP port nothing listens on (bound, then closed).
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failed(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        guard bound == 0 else { throw Failed(description: "bind: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Moves the `.json.gz` log files of `files` from `source` into `target` (same relative paths),
    /// each written under a dot-name and renamed into place, as a delivery would.
    static func deliver(_ files: [String], from source: URL, to target: URL) throws {
        for relative in files {
            let final = target.appendingPathComponent(relative)
            let directory = final.deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let temporary = directory.appendingPathComponent("." + final.lastPathComponent + ".part")
            try FileManager.default.copyItem(at: source.appendingPathComponent(relative), to: temporary)
            guard rename(temporary.path, final.path) == 0 else { throw Failed(description: "rename \(temporary.path): errno \(errno)") }
        }
    }

    /// The CloudTrail log files under `logs` (relative paths), digests left out, in delivery order
    /// (by the time in the file name, `ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_ID.json.gz`).
    static func logFiles(_ logs: URL) -> [String] {
        let files = (FileManager.default.enumerator(atPath: logs.path)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".json.gz") && $0.contains("/CloudTrail/") }
        func key(_ path: String) -> String {
            let parts = (path as NSString).lastPathComponent.split(separator: "_")
            return (parts.count > 3 ? String(parts[3]) : "") + path
        }
        return files.sorted { key($0) < key($1) }
    }
}
