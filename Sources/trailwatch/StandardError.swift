import Foundation
import Synchronization
import TrailModel
import TrailStore
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

    /// Writes `text` and a line feed as they are: for text the program wrote itself (usage help).
    static func line(_ text: String) { write(text + "\n") }

    /// `trailwatch: <text>` on one line. Diagnostics quote file names, records, rules and server
    /// answers, which can hold line feeds and escape sequences: those are shown as `\u{…}`
    /// (`TerminalText`), so nothing they hold can forge a line or drive the terminal.
    static func note(_ text: String, limit: Int = .max) { line("trailwatch: " + TerminalText.safe(text, limit: limit)) }
    static func error(_ text: String) { line("trailwatch: error: " + TerminalText.safe(text)) }
    static func warning(_ text: String) { line("trailwatch: warning: " + TerminalText.safe(text)) }

    /// A store's error, then its candidates (names from the store) one per indented line.
    static func storeError(_ error: StoreError) {
        note("\(error.path): \(error.operation): \(error.message)")
        for candidate in error.candidates { line("  " + TerminalText.safe(candidate)) }
    }
}
