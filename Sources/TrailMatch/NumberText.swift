#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Number semantics from the raw JSON text.
///
/// A JSON number is matched by value only when its decimal value equals the shortest text that
/// round-trips its nearest `Double` (so `300`, `3.0e2` and `30000e-2` are one value). Other numbers
/// (`9007199254740993`, 20-digit integers, 17 significant digits, `5e-324`) are matched only by
/// identical literal text in events, and rejected as operands of `numeric` and `anything-but`.
enum NumberText {
    /// The number's value when it round-trips (with `-0` read as `0`), or nil when it must be
    /// treated as text only.
    static func value(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        // Fast path: short integers are always exact.
        var i = 0
        var negative = false
        if n > 0, p[0] == UInt8(ascii: "-") { negative = true; i = 1 }
        if n - i > 0, n - i <= 15 {
            var v: Int64 = 0
            var j = i
            while j < n {
                let d = p[j] &- 48
                if d > 9 { break }
                v = v &* 10 &+ Int64(d)
                j += 1
            }
            if j == n {
                if v == 0 { return 0 }
                return Double(negative ? -v : v)
            }
        }
        return slowValue(p, n)
    }

    static func value(_ bytes: [UInt8]) -> Double? {
        bytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress, b.count > 0 else { return nil }
            return value(base, b.count)
        }
    }

    private static func slowValue(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        guard n > 0, n < 4096 else { return nil }
        let d: Double = withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf in
            for k in 0..<n { buf[k] = CChar(bitPattern: p[k]) }
            buf[n] = 0
            guard let base = buf.baseAddress else { return .nan }
            return strtod(base, nil)
        }
        guard d.isFinite else { return nil }
        let text = UnsafeBufferPointer(start: p, count: n)
        guard let original = Decimal10(text) else { return nil }
        let shortest = Array(d.description.utf8)
        guard var canonical = shortest.withUnsafeBufferPointer({ Decimal10($0) }) else { return nil }
        if d != 0, abs(d) < Double.leastNormalMagnitude, canonical.digits.count == 1 {
            canonical = javaTwoDigitForm(d, canonical)
        }
        guard original == canonical else { return nil }
        return d == 0 ? 0 : d
    }

    /// Java prints at least two significant digits, choosing them to be closest to the exact
    /// binary value; for subnormal doubles whose shortest form has one digit this can differ from
    /// `D.0` (`5e-324` prints as `4.9E-324`), and that text is what counts as the number's value.
    private static func javaTwoDigitForm(_ d: Double, _ canonical: Decimal10) -> Decimal10 {
        #if arch(x86_64) || arch(i386)
        // value = 0.D × 10^exponent; two digits T: round(value / 10^(exponent-2)) = 0.T × 10^exponent.
        guard let scale = Float80("1e\(canonical.exponent - 2)") else { return canonical }
        let two = Int((Float80(abs(d)) / scale).rounded())
        guard two >= 10, two <= 99 else { return canonical }
        var out = canonical
        out.digits = [UInt8(48 + two / 10)]
        if two % 10 != 0 { out.digits.append(UInt8(48 + two % 10)) }
        return out
        #else
        return canonical
        #endif
    }
}

/// A decimal number as (sign, significant digits without leading or trailing zeros, exponent),
/// meaning 0.digits × 10^exponent. Zero has no digits and no sign.
struct Decimal10: Equatable {
    var negative: Bool
    var digits: [UInt8]
    var exponent: Int

    init?(_ t: UnsafeBufferPointer<UInt8>) {
        var i = 0
        let n = t.count
        var neg = false
        if i < n, t[i] == UInt8(ascii: "-") { neg = true; i += 1 } else if i < n, t[i] == UInt8(ascii: "+") { i += 1 }
        var digits: [UInt8] = []
        var pointShift = 0
        var sawDigit = false
        var sawPoint = false
        while i < n {
            let c = t[i]
            if c >= 48, c <= 57 {
                sawDigit = true
                if digits.isEmpty, c == 48 {
                    if sawPoint { pointShift -= 1 }
                } else {
                    digits.append(c)
                    if !sawPoint { pointShift += 1 }
                }
            } else if c == UInt8(ascii: "."), !sawPoint {
                sawPoint = true
            } else {
                break
            }
            i += 1
        }
        guard sawDigit else { return nil }
        var exp = 0
        if i < n, t[i] == UInt8(ascii: "e") || t[i] == UInt8(ascii: "E") {
            i += 1
            var eneg = false
            if i < n, t[i] == UInt8(ascii: "-") { eneg = true; i += 1 } else if i < n, t[i] == UInt8(ascii: "+") { i += 1 }
            var any = false
            while i < n, t[i] >= 48, t[i] <= 57 {
                if exp < 100_000 { exp = exp * 10 + Int(t[i] - 48) }
                any = true
                i += 1
            }
            guard any else { return nil }
            if eneg { exp = -exp }
        }
        guard i == n else { return nil }
        while let last = digits.last, last == 48 { digits.removeLast() }
        if digits.isEmpty {
            self.negative = false
            self.digits = []
            self.exponent = 0
        } else {
            self.negative = neg
            self.digits = digits
            self.exponent = pointShift + exp
        }
    }
}
