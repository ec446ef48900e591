import TrailModel

/// ISO 8601 durations as rules write them: `PT5M`, `PT1H`, `P7D`, `P2W`, `P1DT12H`, `PT0.5S`.
///
/// Years and months are refused: they have no fixed length, and windows run on exact event time.
/// As ISO 8601 says, only the last component may carry a decimal fraction (`PT1.5H`, `PT0.25S`);
/// `.` and `,` both mark it. The arithmetic is exact: the fraction is multiplied out digit by digit
/// and rounded half up to the millisecond once, so whatever `format` prints parses back to the same
/// value.
public enum ISODuration {
    /// The longest duration accepted, in milliseconds (about 285 million years); longer ones are refused.
    public static let maximumMilliseconds: Int64 = 9_000_000_000_000_000_000

    /// The duration `text` denotes, or nil when it is not a valid ISO 8601 duration of fixed length.
    public static func parse(_ text: String) -> EventTime.Duration? {
        var rest = Substring(text).utf8
        guard rest.first == UInt8(ascii: "P") else { return nil }
        rest.removeFirst()
        guard !rest.isEmpty else { return nil }
        var inTime = false
        var total: Int64 = 0
        var sawComponent = false
        var sawFraction = false
        var lastRank = -1   // components must appear in order: W D | H M S
        while let c = rest.first {
            if c == UInt8(ascii: "T") {
                guard !inTime else { return nil }
                inTime = true
                rest.removeFirst()
                continue
            }
            // A component: digits, an optional fraction, then its designator.
            guard !sawFraction, let component = Component.read(&rest) else { return nil }
            let rank: Int
            let unit: Int64
            switch (component.designator, inTime) {
            case (UInt8(ascii: "W"), false): rank = 0; unit = 604_800_000
            case (UInt8(ascii: "D"), false): rank = 1; unit = 86_400_000
            case (UInt8(ascii: "H"), true): rank = 2; unit = 3_600_000
            case (UInt8(ascii: "M"), true): rank = 3; unit = 60_000
            case (UInt8(ascii: "S"), true): rank = 4; unit = 1000
            default: return nil   // Y, month M, or an unknown designator
            }
            guard rank > lastRank, let milliseconds = component.milliseconds(unit: unit) else { return nil }
            let (sum, overflow) = total.addingReportingOverflow(milliseconds)
            guard !overflow, sum <= maximumMilliseconds else { return nil }
            total = sum
            lastRank = rank
            sawComponent = true
            sawFraction = !component.fraction.isEmpty
        }
        // `T` must be followed by an hour, minute or second component.
        guard sawComponent, !inTime || lastRank >= 2 else { return nil }
        return EventTime.Duration(milliseconds: total)
    }

    /// One `<digits>[(.|,)<digits>]<designator>` component, its digits as ASCII values.
    private struct Component {
        var whole: Substring.UTF8View
        var fraction: Substring.UTF8View
        var designator: UInt8

        /// Reads a component from the front of `text`, or returns nil when none is there.
        static func read(_ text: inout Substring.UTF8View) -> Component? {
            let whole = text.prefix(while: isDigit)
            guard !whole.isEmpty else { return nil }
            text = text[whole.endIndex...]
            var fraction = text[text.startIndex..<text.startIndex]
            if let mark = text.first, mark == UInt8(ascii: ".") || mark == UInt8(ascii: ",") {
                text.removeFirst()
                fraction = text.prefix(while: isDigit)
                guard !fraction.isEmpty else { return nil }
                text = text[fraction.endIndex...]
            }
            guard let designator = text.first else { return nil }
            text.removeFirst()
            return Component(whole: whole, fraction: fraction, designator: designator)
        }

        /// The component's length for a designator of `unit` milliseconds, rounded half up to the
        /// millisecond, or nil when it overflows.
        func milliseconds(unit: Int64) -> Int64? {
            var value: Int64 = 0
            for digit in whole {
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.addingReportingOverflow(Int64(digit &- UInt8(ascii: "0")))
                guard !o1, !o2, next <= ISODuration.maximumMilliseconds else { return nil }
                value = next
            }
            let (scaled, overflow) = value.multipliedReportingOverflow(by: unit)
            guard !overflow else { return nil }
            // fraction × unit, exactly: multiply the decimal digits from the last one, carrying
            // left. What carries out of the first digit is whole milliseconds; the first digit of
            // what stays decides the rounding.
            var carry: Int64 = 0
            var firstDigit: Int64 = 0
            for digit in fraction.reversed() {
                let product = Int64(digit &- UInt8(ascii: "0")) * unit + carry
                firstDigit = product % 10
                carry = product / 10
            }
            let fractional = carry + (firstDigit >= 5 ? 1 : 0)
            let (sum, o3) = scaled.addingReportingOverflow(fractional)
            return o3 ? nil : sum
        }

        private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
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
