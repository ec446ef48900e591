/// An IPv4 or IPv6 address as 128 bits (IPv4 in the low 32 bits).
public struct IPAddress: Hashable, Sendable {
    /// The high 64 bits of an IPv6 address; 0 for IPv4.
    public var hi: UInt64
    /// The low 64 bits of an IPv6 address, or the IPv4 address in the low 32 bits.
    public var lo: UInt64
    /// Whether this is an IPv6 address.
    public var isV6: Bool

    /// An address from its bits.
    @inlinable
    public init(hi: UInt64, lo: UInt64, isV6: Bool) {
        self.hi = hi
        self.lo = lo
        self.isV6 = isV6
    }

    /// Parses a textual address. IPv4 is a strict dotted quad; `allowLeadingZeros` reads octets such
    /// as `010` as decimal (accepted in rules, where the intent is clear, but not in events, where
    /// such text is ambiguous and not an address). IPv6 accepts every RFC 4291 form, any hex case
    /// and a trailing dotted quad; zone ids (`%eth0`) are not addresses.
    @inlinable
    public static func parse(_ p: UnsafePointer<UInt8>?, _ n: Int, allowLeadingZeros: Bool) -> IPAddress? {
        guard let p, n >= 2, n <= 45 else { return nil }
        var hasColon = false
        for i in 0..<n where p[i] == UInt8(ascii: ":") { hasColon = true; break }
        if !hasColon {
            guard let v4 = parseV4(p, n, allowLeadingZeros: allowLeadingZeros) else { return nil }
            return IPAddress(hi: 0, lo: UInt64(v4), isV6: false)
        }
        return parseV6(p, n, allowLeadingZeros: allowLeadingZeros)
    }

    /// Parses the address in `bytes`; see `parse(_:_:allowLeadingZeros:)`.
    @inlinable
    public static func parse(_ bytes: [UInt8], allowLeadingZeros: Bool) -> IPAddress? {
        bytes.withUnsafeBufferPointer { parse($0.baseAddress, $0.count, allowLeadingZeros: allowLeadingZeros) }
    }

    @usableFromInline
    static func parseV4(_ p: UnsafePointer<UInt8>, _ n: Int, allowLeadingZeros: Bool) -> UInt32? {
        var parts = 0
        var value: UInt32 = 0
        var i = 0
        while true {
            var octet = 0
            var digits = 0
            let start = i
            while i < n, p[i] >= 48, p[i] <= 57 {
                octet = octet * 10 + Int(p[i] - 48)
                digits += 1
                i += 1
                if digits > 3 { return nil }
            }
            if digits == 0 || octet > 255 { return nil }
            if !allowLeadingZeros, digits > 1, p[start] == 48 { return nil }
            value = value << 8 | UInt32(octet)
            parts += 1
            if parts == 4 { return i == n ? value : nil }
            guard i < n, p[i] == UInt8(ascii: ".") else { return nil }
            i += 1
        }
    }

    @usableFromInline
    static func parseV6(_ p: UnsafePointer<UInt8>, _ n: Int, allowLeadingZeros: Bool) -> IPAddress? {
        var groups: [UInt16] = []
        groups.reserveCapacity(8)
        var gapAt = -1
        var i = 0
        if n >= 2, p[0] == UInt8(ascii: ":") {
            guard p[1] == UInt8(ascii: ":") else { return nil }
            gapAt = 0
            i = 2
            if i == n { return IPAddress(hi: 0, lo: 0, isV6: true) }
        }
        while i < n {
            // One group, or a trailing dotted quad.
            var j = i
            var v = 0
            while j < n, j - i < 5, let h = hexValue(p[j]) {
                v = v << 4 | h
                j += 1
            }
            if j < n, p[j] == UInt8(ascii: ".") {
                guard groups.count <= 6, let v4 = parseV4(p + i, n - i, allowLeadingZeros: allowLeadingZeros) else { return nil }
                groups.append(UInt16(v4 >> 16))
                groups.append(UInt16(v4 & 0xFFFF))
                i = n
                break
            }
            let len = j - i
            guard len >= 1, len <= 4 else { return nil }
            groups.append(UInt16(v))
            if groups.count > 8 { return nil }
            i = j
            if i == n { break }
            guard p[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            if i < n, p[i] == UInt8(ascii: ":") {
                guard gapAt < 0 else { return nil }
                gapAt = groups.count
                i += 1
                if i == n { break }
            } else if i == n {
                return nil
            }
        }
        if gapAt >= 0 {
            guard groups.count < 8 else { return nil }
            let fill = [UInt16](repeating: 0, count: 8 - groups.count)
            groups.insert(contentsOf: fill, at: gapAt)
        } else if groups.count != 8 {
            return nil
        }
        var hi: UInt64 = 0, lo: UInt64 = 0
        for k in 0..<4 { hi = hi << 16 | UInt64(groups[k]) }
        for k in 4..<8 { lo = lo << 16 | UInt64(groups[k]) }
        return IPAddress(hi: hi, lo: lo, isV6: true)
    }

    @inlinable @inline(__always)
    static func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case 48...57: Int(c - 48)
        case 65...70: Int(c - 55)
        case 97...102: Int(c - 87)
        default: nil
        }
    }
}
