import TrailModel

/// Parses CloudTrail's `eventTime` exactly: `YYYY-MM-DDTHH:MM:SS`, optional fraction (kept to
/// the millisecond, further digits truncated), then `Z` or an offset (`+HH:MM`, `+HHMM`, `+HH`).
///
/// A time without a zone, or with an out-of-range field (month 13, February 30, hour 24), is
/// rejected rather than guessed.
public enum EventTimeParser {
    /// Parses `text`; nil when it is not such a time.
    public static func parse(_ text: String) -> EventTime? {
        var t = text
        return t.withUTF8 { parse($0) }
    }

    /// Parses UTF-8 bytes; nil when they are not such a time.
    public static func parse<C: Collection>(bytes: C) -> EventTime? where C.Element == UInt8 {
        if let r = bytes.withContiguousStorageIfAvailable({ parse($0) }) { return r }
        return Array(bytes).withUnsafeBufferPointer { parse($0) }
    }

    /// Parses UTF-8 bytes; nil when they are not such a time.
    public static func parse(_ b: UnsafeBufferPointer<UInt8>) -> EventTime? {
        let n = b.count
        guard n >= 20, let p = b.baseAddress else { return nil }
        @inline(__always) func digits(_ at: Int, _ count: Int) -> Int64? {
            var v: Int64 = 0
            for k in at..<(at + count) {
                let d = p[k] &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                v = v * 10 + Int64(d)
            }
            return v
        }
        guard let year = digits(0, 4), p[4] == UInt8(ascii: "-"),
              let month = digits(5, 2), p[7] == UInt8(ascii: "-"),
              let day = digits(8, 2),
              p[10] == UInt8(ascii: "T") || p[10] == UInt8(ascii: "t") || p[10] == UInt8(ascii: " "),
              let hour = digits(11, 2), p[13] == UInt8(ascii: ":"),
              let minute = digits(14, 2), p[16] == UInt8(ascii: ":"),
              let second = digits(17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 60 else { return nil }
        var i = 19
        var millis: Int64 = 0
        if p[i] == UInt8(ascii: ".") || p[i] == UInt8(ascii: ",") {
            i += 1
            let fracStart = i
            var scale: Int64 = 100
            while i < n, p[i] &- UInt8(ascii: "0") < 10 {
                millis += Int64(p[i] &- UInt8(ascii: "0")) * scale
                scale /= 10
                i += 1
            }
            guard i > fracStart, i < n else { return nil }
        }
        var offsetSeconds: Int64 = 0
        switch p[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign: Int64 = p[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard i + 2 <= n, let oh = digits(i, 2) else { return nil }
            i += 2
            var om: Int64 = 0
            if i < n {
                if p[i] == UInt8(ascii: ":") { i += 1 }
                guard i + 2 <= n, let m = digits(i, 2) else { return nil }
                om = m
                i += 2
            }
            guard oh <= 23, om <= 59 else { return nil }
            offsetSeconds = sign * (oh * 3600 + om * 60)
        default:
            return nil
        }
        guard i == n else { return nil }
        let days = CivilDate.toDays(year: year, month: month, day: day)
        let seconds = days * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return EventTime(milliseconds: seconds * 1000 + millis)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
