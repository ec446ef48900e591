import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A started `trailwatch` process. Standard output and error go to files in a private temporary
/// directory (no pipe can fill up and block the child); `wait` collects them.
final class RunningCLI {
    let arguments: [String]
    private let process = Process()
    private let scratch: TempDirectory
    private let stdoutURL: URL
    private let stderrURL: URL

    init(executable: URL, arguments: [String], directory: URL?, stdin: String, environment: [String: String]) throws {
        self.arguments = arguments
        scratch = try TempDirectory(prefix: "trailwatch-run")
        stdoutURL = scratch.url.appendingPathComponent("stdout")
        stderrURL = scratch.url.appendingPathComponent("stderr")
        let stdinURL = scratch.url.appendingPathComponent("stdin")
        try Data(stdin.utf8).write(to: stdinURL)
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)

        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? scratch.url
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardInput = try FileHandle(forReadingFrom: stdinURL)
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
    }

    /// The child's process id.
    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// Sends `signal` (e.g. `SIGTERM`, `SIGINT`, `SIGKILL`) to the child.
    func send(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// What the child has written to standard error so far.
    func stderrSoFar() -> String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }
    /// What the child has written to standard output so far.
    func stdoutSoFar() -> String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }

    /// Waits for the child to exit; after `timeout` seconds it is sent SIGKILL and `timedOut` is set.
    func wait(timeout: TimeInterval = 300) throws -> CLIResult {
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(5_000)
        }
        process.waitUntilExit()
        let code = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return CLIResult(
            arguments: arguments,
            exitCode: code,
            stdout: (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "",
            timedOut: timedOut
        )
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
