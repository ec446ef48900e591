import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A `trailwatch serve` child on a free loopback port, and plain HTTP GETs against it.
final class RunningServe {
    let process: RunningCLI
    /// `http://127.0.0.1:PORT`, read from the "serving" line on standard error.
    let base: String

    init(db: URL, extra: [String] = []) async throws {
        process = try TrailwatchBinary.launch(["serve", "--db", db.path, "--listen", "127.0.0.1:0"] + extra)
        var found: String?
        let deadline = Date().addingTimeInterval(120)
        // Look before checking the deadline: a test task starved past the deadline by a loaded
        // machine (a sanitizer run) still finds a line that is there.
        while true {
            if let line = process.stderrSoFar().split(separator: "\n").first(where: { $0.contains("serving http://") }),
               let url = line.components(separatedBy: "serving ").last?.split(separator: "/", maxSplits: 3).prefix(2).joined(separator: "//") {
                found = url
                break
            }
            guard Date() < deadline && process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard let found else {
            let end = try process.wait(timeout: 5)
            throw ServeFailure(message: "serve did not start: \(end)")
        }
        base = found
    }

    struct ServeFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// GET `path` (with its query string): status and body.
    func get(_ path: String, headers: [String: String] = [:]) async throws -> (status: Int, body: String, headers: [String: String]) {
        var request = URLRequest(url: URL(string: base + path)!)
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (k, v) in http.allHeaderFields { fields[String(describing: k).lowercased()] = String(describing: v) }
        return (http.statusCode, String(decoding: data, as: UTF8.self), fields)
    }

    /// SIGTERM, then the exit.
    func stop() throws -> CLIResult {
        process.send(SIGTERM)
        return try process.wait(timeout: 30)
    }
}
