import Foundation
import TrailModel

/// Parses the `--since`/`--until` forms: ISO 8601 times and relative durations before `now`.
///
/// Accepted: `7d`, `12h`, `30m`, `45s`, `2w` (before `now`); `2024-05-01` (midnight);
/// `2024-05-01T12:00`, `2024-05-01T12:00:00`, with optional fraction, and `Z` or `±HH:MM`.
/// A time without a zone is taken in `zone` (UTC, or the local zone with `--local`), at the offset
/// in force on that date: with `--local` in Berlin, a September time is read at +02:00 and a
/// December one at +01:00, as `--local` prints them.
/// Impossible dates (`2024-02-30`, `2023-02-29`) and out-of-range fields are rejected (nil).
public enum TimeArgument {
    public static func parse(_ text: String, now: EventTime, zone: TimeRendering = .utc) -> EventTime? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let relative = relative(t) { return EventTime(milliseconds: now.milliseconds - relative) }
        return absolute(t, zone: zone)
    }

    /// The instant whose wall-clock time in `zone` is `wall` (milliseconds as if UTC). The offset
    /// is looked up twice, so that a wall time just after a change of offset finds the new one.
    private static func instant(wall: Int64, in zone: TimeRendering) -> EventTime {
        let first = wall - Int64(zone.offsetSeconds(at: EventTime(milliseconds: wall))) * 1000
        return EventTime(milliseconds: wall - Int64(zone.offsetSeconds(at: EventTime(milliseconds: first))) * 1000)
    }

    private static func relative(_ t: String) -> Int64? {
        guard let unit = t.last, let n = Int64(t.dropLast()), n >= 0, n < 1_000_000 else { return nil }
        let scale: Int64
        switch unit {
        case "s": scale = 1000
        case "m": scale = 60_000
        case "h": scale = 3_600_000
        case "d": scale = 86_400_000
        case "w": scale = 7 * 86_400_000
        default: return nil
        }
        return n * scale
    }

    private static func absolute(_ t: String, zone: TimeRendering) -> EventTime? {
        let b = Array(t.utf8)
        var i = 0
        func digits(_ count: Int) -> Int64? {
            guard i + count <= b.count else { return nil }
            var v: Int64 = 0
            for k in 0..<count {
                let c = b[i + k]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            i += count
            return v
        }
        func expect(_ c: Character) -> Bool {
            guard i < b.count, b[i] == c.asciiValue else { return false }
            i += 1
            return true
        }
        guard let y = digits(4), expect("-"), let mo = digits(2), expect("-"), let d = digits(2),
              (1...12).contains(mo), d >= 1, d <= CivilDate.daysIn(month: mo, year: y) else { return nil }
        var seconds = CivilDate.toDays(year: y, month: mo, day: d) * 86400
        var millis: Int64 = 0
        if i == b.count { return instant(wall: seconds * 1000, in: zone) }
        guard expect("T") || expect(" "), let hh = digits(2), expect(":"), let mm = digits(2),
              hh < 24, mm < 60 else { return nil }
        seconds += hh * 3600 + mm * 60
        if expect(":") {
            guard let ss = digits(2), ss < 61 else { return nil }
            seconds += ss
            if expect(".") {
                var scale: Int64 = 100
                var any = false
                while i < b.count, b[i] >= 48, b[i] <= 57 {
                    millis += Int64(b[i] - 48) * scale
                    scale /= 10
                    i += 1
                    any = true
                }
                guard any else { return nil }
            }
        }
        guard i < b.count else { return instant(wall: seconds * 1000 + millis, in: zone) }
        var offset: Int64 = 0
        if expect("Z") || expect("z") {
            offset = 0
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign: Int64 = b[i] == UInt8(ascii: "+") ? 1 : -1
            i += 1
            guard let oh = digits(2) else { return nil }
            _ = expect(":")
            guard let om = digits(2), oh < 24, om < 60 else { return nil }
            offset = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        return EventTime(milliseconds: (seconds - offset) * 1000 + millis)
    }
}
