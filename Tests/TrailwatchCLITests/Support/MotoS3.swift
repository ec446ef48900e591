import Foundation
import Testing

/// moto's S3 server (`Fixtures/moto_s3.py`) on a free loopback port, with trees uploaded and
/// every later request logged: never the real AWS, dummy credentials only.
final class MotoS3 {
    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    let process = Process()
    let stdin = Pipe()
    let log: URL
    let port: Int
    private let replies: FileHandle

    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Environment for `trailwatch` runs against this server.
    var environment: [String: String] {
        ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "", "AWS_REGION": "us-east-1",
         "AWS_PROFILE": "", "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": endpoint]
    }

    /// Starts the server; `uploads` are (directory, "bucket[/prefix]").
    /// `deny`: listings and GETs whose prefix or key contains one of these answer 403 AccessDenied.
    /// `delay`: "TEXT=SECONDS", a GET whose key contains TEXT is answered that late.
    /// `sidecarsAsMetadata`: digests' `.metadata.json` sidecars become their objects' metadata.
    init(scratch: TempDirectory, uploads: [(URL, String)], failEvery: Int = 0, deny: [String] = [], delay: [String] = [],
         sidecarsAsMetadata: Bool = false) throws {
        log = scratch.path("moto-requests-\(UUID().uuidString).log")
        let script = try Fixtures.url("moto_s3.py")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments: [String] = ["python3", script.path, "--log", log.path, "--fail-every", String(failEvery)]
        for (directory, target) in uploads { arguments += ["--upload", "\(directory.path)=\(target)"] }
        for text in deny { arguments += ["--deny", text] }
        for spec in delay { arguments += ["--delay", spec] }
        if sidecarsAsMetadata { arguments.append("--sidecars-as-metadata") }
        process.arguments = arguments
        let stdout = Pipe()
        let stderrURL = scratch.path("moto-stderr-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        var env = ProcessInfo.processInfo.environment
        for key in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"] { env[key] = nil }
        process.environment = env
        try process.run()
        // The first line is `READY <port>` once the uploads are in (or nothing when moto is missing).
        replies = stdout.fileHandleForReading
        let line = Self.readLine(replies)
        guard line.hasPrefix("READY "), let port = Int(line.dropFirst(6)) else {
            process.terminate()
            process.waitUntilExit()
            let err = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
            if err.contains("No module named") {
                throw Unavailable(description: "moto's server mode is needed: pip install 'moto[server]' (\(err.split(separator: "\n").last ?? ""))")
            }
            throw Unavailable(description: "moto_s3.py did not start: \(err.suffix(2000))")
        }
        self.port = port
    }

    /// Requests logged since the last `resetLog()`, as `METHOD PATH?QUERY`.
    var requests: [String] {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// `ListObjectsV2` requests logged, with their decoded `prefix`.
    var listPrefixes: [String] {
        requests.filter { $0.hasPrefix("GET ") && $0.contains("list-type=2") }.map { line in
            let query = line.split(separator: "?", maxSplits: 1).last.map(String.init) ?? ""
            let prefix = query.split(separator: "&").first { $0.hasPrefix("prefix=") }?.dropFirst(7) ?? ""
            return String(prefix).removingPercentEncoding ?? String(prefix)
        }
    }

    /// `GetObject` requests logged.
    var gets: [String] { requests.filter { $0.hasPrefix("GET ") && !$0.contains("list-type=2") } }

    func resetLog() { try? Data().write(to: log) }

    struct CommandFailed: Error, CustomStringConvertible { var description: String }

    /// Sends one command line to the fixture (see `moto_s3.py`) and returns its answer after `OK`.
    @discardableResult
    func command(_ line: String) throws -> String {
        try stdin.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
        let reply = Self.readLine(replies)
        guard reply.hasPrefix("OK") else { throw CommandFailed(description: "\(line): \(reply.isEmpty ? "no answer" : reply)") }
        return String(reply.dropFirst(2)).trimmingCharacters(in: .whitespaces)
    }

    /// Stores `file` as `key` (not a logged request).
    func put(_ file: URL, bucket: String, key: String) throws {
        let encoded = key.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~/"))) ?? key
        try command("PUT \(bucket) \(encoded) \(file.path)")
    }

    /// Creates a queue; returns its URL.
    func createQueue(_ name: String) throws -> String { try command("QUEUE \(name)") }

    /// Sends `body` to queue `name` (through a file in `scratch`); returns the message id.
    @discardableResult
    func send(_ body: String, queue name: String, scratch: TempDirectory) throws -> String {
        let file = scratch.path("message-\(UUID().uuidString).json")
        try Data(body.utf8).write(to: file)
        return try command("SEND \(name) \(file.path)")
    }

    /// Messages not deleted from queue `name`: (visible now, hidden by a receive).
    func queueCount(_ name: String) throws -> (visible: Int, inFlight: Int) {
        let parts = try command("COUNT \(name)").split(separator: " ").compactMap { Int($0) }
        guard parts.count == 2 else { throw CommandFailed(description: "COUNT \(name): \(parts)") }
        return (parts[0], parts[1])
    }

    /// SQS requests logged, by action (`X-Amz-Target` is not logged, so POSTs are counted).
    var posts: [String] { requests.filter { $0.hasPrefix("POST ") } }

    func stop() {
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    private static func readLine(_ handle: FileHandle) -> String {
        var bytes: [UInt8] = []
        while true {
            let chunk = handle.readData(ofLength: 1)
            guard let byte = chunk.first else { break }
            if byte == UInt8(ascii: "\n") { break }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension MotoS3 {
    /// Ids of the messages not deleted from queue `name`.
    func messageIDs(_ name: String) throws -> Set<String> {
        Set(try command("IDS \(name)").split(separator: " ").map(String.init))
    }
}
