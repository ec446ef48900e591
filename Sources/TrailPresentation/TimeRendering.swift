import Foundation
import TrailModel

/// How times print: UTC ISO 8601 (`2024-05-01T12:00:00Z`, the default) or in a time zone with its
/// offset (`2024-05-01T14:00:00+02:00`, for `--local`).
public struct TimeRendering: Sendable {
    private let zone: TimeZone?

    /// UTC with a `Z`.
    public static let utc = TimeRendering(zone: nil)
    /// The process's local time zone.
    public static var local: TimeRendering { TimeRendering(zone: TimeZone.current) }
    /// A given time zone (tests use a fixed offset).
    public static func zone(_ zone: TimeZone) -> TimeRendering { TimeRendering(zone: zone) }

    /// Seconds east of UTC at `t` (0 for UTC).
    public func offsetSeconds(at t: EventTime) -> Int {
        guard let zone else { return 0 }
        return zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t.milliseconds) / 1000))
    }

    public func render(_ t: EventTime) -> String {
        guard zone != nil else { return t.iso8601 }
        let offset = offsetSeconds(at: t)
        let shifted = EventTime(milliseconds: t.milliseconds + Int64(offset) * 1000).iso8601.dropLast()
        let sign = offset < 0 ? "-" : "+"
        let magnitude = abs(offset) / 60
        let hh = magnitude / 60, mm = magnitude % 60
        return shifted + sign + (hh < 10 ? "0" : "") + String(hh) + ":" + (mm < 10 ? "0" : "") + String(mm)
    }
}
