import TrailModel

/// ISO 8601 durations as rules write them: `PT5M`, `PT1H`, `P7D`, `P2W`, `P1DT12H`, `PT0.5S`.
///
/// Years and months are refused: they have no fixed length, and windows run on exact event time.
public enum ISODuration {
    /// The duration `text` denotes, or nil when it is not a valid ISO 8601 duration of fixed length.
    public static func parse(_ text: String) -> EventTime.Duration? {
        var chars = Array(text.utf8)
        guard chars.first == UInt8(ascii: "P") else { return nil }
        chars.removeFirst()
        guard !chars.isEmpty else { return nil }
        var inTime = false
        var total: Double = 0
        var number = ""
        var sawComponent = false
        var lastRank = -1   // components must appear in order: W D | H M S
        for c in chars {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: ","):
                number.append(c == UInt8(ascii: ",") ? "." : Character(Unicode.Scalar(c)))
            case UInt8(ascii: "T"):
                guard !inTime, number.isEmpty else { return nil }
                inTime = true
            default:
                guard !number.isEmpty, let value = Double(number), value.isFinite, value >= 0 else { return nil }
                let rank: Int
                let seconds: Double
                switch (c, inTime) {
                case (UInt8(ascii: "W"), false): rank = 0; seconds = 7 * 86400
                case (UInt8(ascii: "D"), false): rank = 1; seconds = 86400
                case (UInt8(ascii: "H"), true): rank = 2; seconds = 3600
                case (UInt8(ascii: "M"), true): rank = 3; seconds = 60
                case (UInt8(ascii: "S"), true): rank = 4; seconds = 1
                default: return nil   // Y, month M, or an unknown designator
                }
                guard rank > lastRank else { return nil }
                lastRank = rank
                total += value * seconds
                number = ""
                sawComponent = true
            }
        }
        guard number.isEmpty, sawComponent, total < 9.0e15 else { return nil }
        return EventTime.Duration(milliseconds: Int64((total * 1000).rounded()))
    }

    /// A duration in words for summaries: `5 minutes`, `1 hour`, `7 days`, `90 seconds`.
    public static func words(_ d: EventTime.Duration) -> String {
        let ms = d.milliseconds
        func unit(_ n: Int64, _ name: String) -> String { n == 1 ? "1 \(name)" : "\(n) \(name)s" }
        if ms % 86_400_000 == 0, ms > 0 { return unit(ms / 86_400_000, "day") }
        if ms % 3_600_000 == 0, ms > 0 { return unit(ms / 3_600_000, "hour") }
        if ms % 60_000 == 0, ms > 0 { return unit(ms / 60_000, "minute") }
        if ms % 1000 == 0 { return unit(ms / 1000, "second") }
        return "\(ms) ms"
    }

    /// The canonical ISO 8601 text of a duration (`PT5M`, `P7D`, `P1DT2H`), for evidence.
    public static func format(_ d: EventTime.Duration) -> String {
        var ms = d.milliseconds
        let days = ms / 86_400_000; ms %= 86_400_000
        let hours = ms / 3_600_000; ms %= 3_600_000
        let minutes = ms / 60_000; ms %= 60_000
        let seconds = ms / 1000; ms %= 1000
        var out = "P"
        if days > 0 { out += "\(days)D" }
        if hours > 0 || minutes > 0 || seconds > 0 || ms > 0 || days == 0 {
            out += "T"
            if hours > 0 { out += "\(hours)H" }
            if minutes > 0 { out += "\(minutes)M" }
            if ms > 0 {
                var frac = String(ms)
                while frac.count < 3 { frac = "0" + frac }
                while frac.hasSuffix("0") { frac.removeLast() }
                out += "\(seconds).\(frac)S"
            } else if seconds > 0 || (hours == 0 && minutes == 0) {
                out += "\(seconds)S"
            }
        }
        return out
    }
}
