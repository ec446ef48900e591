/// A point in event time: milliseconds since the Unix epoch, UTC.
///
/// TrailWatch never reads the wall clock inside its core; every window, learning period and
/// burst is computed on `eventTime` values of this type.
public struct EventTime: Sendable, Hashable, Comparable, Codable {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }
    public init(seconds: Int64) { self.milliseconds = seconds &* 1000 }

    public static func < (lhs: EventTime, rhs: EventTime) -> Bool { lhs.milliseconds < rhs.milliseconds }

    public func adding(_ duration: Duration) -> EventTime {
        EventTime(milliseconds: milliseconds &+ duration.milliseconds)
    }

    public func distance(to other: EventTime) -> Duration {
        Duration(milliseconds: other.milliseconds &- milliseconds)
    }

    /// A span of event time in milliseconds (ISO 8601 durations are parsed into this).
    public struct Duration: Sendable, Hashable, Comparable, Codable {
        public var milliseconds: Int64
        public init(milliseconds: Int64) { self.milliseconds = milliseconds }
        public static func seconds(_ s: Int64) -> Duration { Duration(milliseconds: s &* 1000) }
        public static func minutes(_ m: Int64) -> Duration { .seconds(m &* 60) }
        public static func hours(_ h: Int64) -> Duration { .seconds(h &* 3600) }
        public static func days(_ d: Int64) -> Duration { .seconds(d &* 86400) }
        public static func < (lhs: Duration, rhs: Duration) -> Bool { lhs.milliseconds < rhs.milliseconds }
    }
}

extension EventTime: CustomStringConvertible {
    /// UTC ISO 8601 with millisecond precision when the time has a fraction: `2024-05-01T12:00:00Z`.
    public var description: String { iso8601 }

    /// UTC ISO 8601, `YYYY-MM-DDTHH:MM:SSZ`, or `YYYY-MM-DDTHH:MM:SS.mmmZ` when milliseconds are non-zero.
    public var iso8601: String {
        let ms = milliseconds
        var secs = ms / 1000
        var frac = ms % 1000
        if frac < 0 { frac += 1000; secs -= 1 }
        var days = secs / 86400
        var rem = secs % 86400
        if rem < 0 { rem += 86400; days -= 1 }
        let (y, m, d) = CivilDate.fromDays(days)
        let hh = rem / 3600, mm = (rem % 3600) / 60, ss = rem % 60
        var out = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T" + pad(hh, 2) + ":" + pad(mm, 2) + ":" + pad(ss, 2)
        if frac != 0 { out += "." + pad(frac, 3) }
        return out + "Z"
    }

    /// The calendar date, `YYYY-MM-DD`.
    public var dateString: String { String(iso8601.prefix(10)) }

    private func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

/// Proleptic Gregorian conversions between civil dates and days since the epoch (Howard Hinnant's algorithm).
public enum CivilDate {
    /// Days since 1970-01-01 for a civil date; month 1...12, day 1...31.
    public static func toDays(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The civil date (year, month, day) of a count of days since 1970-01-01.
    public static func fromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
