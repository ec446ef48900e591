import Foundation
import Synchronization
import TrailSync

/// Writes progress, diagnostics and summaries to standard error (standard output carries alerts
/// and query results only, so it pipes cleanly into `jq`).
enum StandardError {
    private static let lock = Mutex(())

    /// Whether standard error is a terminal (progress lines are shown only then).
    static let isTerminal = isatty(STDERR_FILENO) == 1

    static func write(_ text: String) {
        lock.locked { _ in FileHandle.standardError.write(Data(text.utf8)) }
    }

    static func line(_ text: String) { write(text + "\n") }
    static func error(_ text: String) { line("trailwatch: error: " + text) }
    static func warning(_ text: String) { line("trailwatch: warning: " + text) }
}
