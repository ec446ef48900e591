import Foundation

/// What one run of the `trailwatch` binary produced.
struct CLIResult: Sendable, CustomStringConvertible {
    /// The arguments the binary ran with (for failure messages).
    var arguments: [String]
    /// Exit status, or 128 + signal number when the process was killed by a signal.
    var exitCode: Int32
    var stdout: String
    var stderr: String
    /// True when the harness had to kill the process because it ran past its time limit.
    var timedOut: Bool

    /// Standard output split into non-empty lines.
    var stdoutLines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
    /// Standard error split into non-empty lines.
    var stderrLines: [String] { stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }

    var description: String {
        let tail = { (s: String) in s.count > 4000 ? "…" + String(s.suffix(4000)) : s }
        return "trailwatch \(arguments.joined(separator: " ")) -> exit \(exitCode)\(timedOut ? " (timed out)" : "")\n"
            + "--- stdout\n\(tail(stdout))\n--- stderr\n\(tail(stderr))"
    }
}
