import Foundation
import Testing

/// Runs the shared synthetic-corpus generator (`shared/tools/gen-cloudtrail`), which CI places beside
/// the clone. Tests that need it are enabled only when `isAvailable`.
enum GenCloudTrail {
    struct Failed: Error, CustomStringConvertible {
        var arguments: [String]
        var status: Int32
        var stderr: String
        var description: String { "gen-cloudtrail \(arguments.joined(separator: " ")) exited \(status):\n\(stderr)" }
    }

    /// The generator's path, when a `shared/` directory with it exists above the package root.
    static var tool: URL? { PackagePaths.shared?.appendingPathComponent("tools/gen-cloudtrail") }

    /// True when the generator and a `python3` to run it are present.
    static var isAvailable: Bool {
        guard tool != nil else { return false }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/python3") }
    }

    /// Why generator-based tests are skipped, for `.enabled(if:_:)`.
    static let unavailableReason: Comment = "needs ../shared/tools/gen-cloudtrail and python3 (present in CI beside the clone)"

    /// Generates a tree into `directory` with the given arguments (`-o directory` and `-q` are added;
    /// `-j 1` unless `arguments` sets `-j`) and returns it with its manifest and ground truth.
    /// The generator loops when asked for scenarios with `--days` too short to place them after the
    /// learning period; `timeout` (seconds) bounds every run.
    static func generate(into directory: URL, _ arguments: [String], truth: Bool = false,
                         timeout: TimeInterval = 180) throws -> GeneratedTree {
        guard let tool else { throw Failed(arguments: arguments, status: -1, stderr: unavailableReason.description) }
        var args = ["-o", directory.path, "-q"] + arguments
        if !arguments.contains("-j") && !arguments.contains("--jobs") { args += ["-j", "1"] }
        let truthURL = directory.appendingPathComponent("truth.jsonl")
        if truth { args += ["--truth", truthURL.path] }

        let process = Process()
        process.executableURL = tool
        process.arguments = args
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("gen-cloudtrail-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                process.terminate()
                process.waitUntilExit()
                throw Failed(arguments: args, status: -1, stderr: "killed after \(Int(timeout)) s")
            }
            usleep(10_000)
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failed(arguments: args, status: process.terminationStatus,
                         stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
        }
        return try GeneratedTree(root: directory, truthURL: truth ? truthURL : nil)
    }
}
