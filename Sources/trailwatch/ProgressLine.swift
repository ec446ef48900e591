import Foundation
import TrailPipeline

/// A single self-overwriting progress line on a terminal; silent when standard error is not a
/// terminal or when disabled.
final class ProgressLine {
    private let enabled: Bool
    private let total: Int
    private let started = Date()
    private var lastDrawn = Date.distantPast
    private var summary = RunSummary()
    private var drawn = false

    init(enabled: Bool, total: Int) {
        self.enabled = enabled && StandardError.isTerminal
        self.total = total
    }

    func update(_ summary: RunSummary) {
        self.summary = summary
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDrawn) >= 0.2 else { return }
        lastDrawn = now
        let files = summary.filesDone + summary.filesSkipped + summary.filesFailed + summary.filesAlreadyDone
        let seconds = now.timeIntervalSince(started)
        let rate = seconds > 0 ? Int(Double(summary.records) / seconds) : 0
        StandardError.write("\r\u{1B}[K\(files)/\(total) files, \(summary.records) records (\(rate)/s), \(summary.alerts) alerts")
        drawn = true
    }

    /// Clears the line before other output.
    func clear() {
        guard drawn else { return }
        StandardError.write("\r\u{1B}[K")
        drawn = false
    }
}
