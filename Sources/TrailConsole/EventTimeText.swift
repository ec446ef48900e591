import TrailModel
import TrailStore

/// Times on pages: UTC ISO 8601, as the CLI prints them by default.
enum EventTimeText {
    static func iso(_ milliseconds: Int64) -> String { EventTime(milliseconds: milliseconds).iso8601 }

    /// `in 3d 4h` before `t`, `2d 1h ago` after it (the lag wording of `trailwatch status`).
    static func countdown(to t: EventTime, now: EventTime) -> String {
        let ms = t.milliseconds - now.milliseconds
        let text = StatusReport.lagText(abs(ms))
        return ms >= 0 ? "in " + text : text + " ago"
    }
}
