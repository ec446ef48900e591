import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `Scripts/webhook-test-server.py` on loopback, in its own process: a real socket server that
/// fails, throttles, hangs, trickles, redirects or refuses as asked, and logs every request.
final class WebhookServer {
    /// One request as the server saw it.
    struct Request: Decodable {
        var t: Double
        var path: String
        var key: String?
        var auth: String?
        var status: Int
        var bytes: Int
    }

    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    let port: Int
    private let process = Process()
    private let scratch: TempDirectory
    private let logURL: URL

    /// The base URL, e.g. `http://127.0.0.1:40123`.
    var url: String { "http://127.0.0.1:\(port)" }

    /// Starts the server with `arguments` (`--mode fail --count 3`, ...) and waits until it listens.
    init(_ arguments: [String]) throws {
        scratch = try TempDirectory(prefix: "trailwatch-webhook")
        logURL = scratch.path("requests.jsonl")
        let portURL = scratch.path("port")
        let script = PackagePaths.root.appendingPathComponent("Scripts/webhook-test-server.py").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--port-file", portURL.path, "--log", logURL.path] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw Unavailable(description: "cannot start python3 for the test webhook server: \(error)")
        }
        let deadline = Date().addingTimeInterval(20)
        var found: Int?
        while found == nil && Date() < deadline && process.isRunning {
            found = (try? String(contentsOf: portURL, encoding: .utf8)).flatMap { Int($0) }
            if found == nil { usleep(20_000) }
        }
        guard let found else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            throw Unavailable(description: "the test webhook server did not start (python3 \(script))")
        }
        port = found
    }

    /// The requests logged so far, in arrival order.
    func requests() -> [Request] {
        guard let text = try? String(contentsOf: logURL, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Request.self, from: Data($0.utf8)) }
    }

    /// The bodies of the requests logged so far (parsed JSON objects).
    func bodies() -> [[String: Any]] {
        guard let text = try? String(contentsOf: logURL, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["body"] as? [String: Any]
        }
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}
