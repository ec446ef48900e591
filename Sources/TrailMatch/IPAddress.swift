/// An IPv4 or IPv6 address as 128 bits (IPv4 in the low 32 bits).
struct IPAddress: Hashable, Sendable {
    var hi: UInt64
    var lo: UInt64
    var isV6: Bool

    /// Parses a textual address. IPv4 is a strict dotted quad; `allowLeadingZeros` reads octets such
    /// as `010` as decimal (accepted in rules, where the intent is clear, but not in events, where
    /// such text is ambiguous and not an address). IPv6 accepts every RFC 4291 form, any hex case
    /// and a trailing dotted quad; zone ids (`%eth0`) are not addresses.
    static func parse(_ p: UnsafePointer<UInt8>?, _ n: Int, allowLeadingZeros: Bool) -> IPAddress? {
        guard let p, n >= 2, n <= 45 else { return nil }
        var hasColon = false
        for i in 0..<n where p[i] == UInt8(ascii: ":") { hasColon = true; break }
        if !hasColon {
            guard let v4 = parseV4(p, n, allowLeadingZeros: allowLeadingZeros) else { return nil }
            return IPAddress(hi: 0, lo: UInt64(v4), isV6: false)
        }
        return parseV6(p, n, allowLeadingZeros: allowLeadingZeros)
    }

    static func parse(_ bytes: [UInt8], allowLeadingZeros: Bool) -> IPAddress? {
        bytes.withUnsafeBufferPointer { parse($0.baseAddress, $0.count, allowLeadingZeros: allowLeadingZeros) }
    }

    private static func parseV4(_ p: UnsafePointer<UInt8>, _ n: Int, allowLeadingZeros: Bool) -> UInt32? {
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

    private static func parseV6(_ p: UnsafePointer<UInt8>, _ n: Int, allowLeadingZeros: Bool) -> IPAddress? {
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

    @inline(__always)
    private static func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case 48...57: Int(c - 48)
        case 65...70: Int(c - 55)
        case 97...102: Int(c - 87)
        default: nil
        }
    }
}

/// A CIDR block: the addresses of one family whose first `maskBits` bits equal the network's.
struct CIDRRange: Hashable, Sendable {
    var network: IPAddress
    var maskBits: Int

    /// Parses `a.b.c.d/n` (n 0-32) or `ipv6/n` (n 0-128); host bits are cleared.
    static func parse(_ text: [UInt8]) -> Result<CIDRRange, PatternMessage> {
        let slashes = text.indices.filter { text[$0] == UInt8(ascii: "/") }
        guard slashes.count == 1, let slash = slashes.first else { return .failure("malformed CIDR: exactly one '/' is required") }
        let addrText = Array(text[..<slash])
        let maskText = text[(slash + 1)...]
        guard !maskText.isEmpty, maskText.count <= 4, maskText.allSatisfy({ $0 >= 48 && $0 <= 57 }), let bits = Int(String(decoding: maskText, as: UTF8.self)) else {
            if maskText.first == UInt8(ascii: "-") { return .failure("malformed CIDR: the mask must not be negative") }
            return .failure("malformed CIDR: the mask must be an integer")
        }
        guard let addr = IPAddress.parse(addrText, allowLeadingZeros: true) else {
            return .failure(PatternMessage("malformed CIDR: \"\(String(decoding: addrText, as: UTF8.self))\" is not an IP address"))
        }
        let maxBits = addr.isV6 ? 128 : 32
        guard bits <= maxBits else { return .failure(PatternMessage("\(addr.isV6 ? "IPv6" : "IPv4") mask must be at most \(maxBits) bits")) }
        var r = CIDRRange(network: addr, maskBits: bits)
        r.network = r.masked(addr)
        return .success(r)
    }

    @inline(__always)
    func masked(_ a: IPAddress) -> IPAddress {
        if !network.isV6 {
            let m: UInt64 = maskBits == 0 ? 0 : (0xFFFF_FFFF << UInt64(32 - maskBits)) & 0xFFFF_FFFF
            return IPAddress(hi: 0, lo: a.lo & m, isV6: false)
        }
        let hiMask: UInt64 = maskBits >= 64 ? ~0 : (maskBits == 0 ? 0 : ~0 << UInt64(64 - maskBits))
        let loMask: UInt64 = maskBits <= 64 ? 0 : (maskBits == 128 ? ~0 : ~0 << UInt64(128 - maskBits))
        return IPAddress(hi: a.hi & hiMask, lo: a.lo & loMask, isV6: true)
    }

    @inline(__always)
    func contains(_ a: IPAddress) -> Bool {
        a.isV6 == network.isV6 && masked(a) == network
    }
}

/// An error message without a location (the compiler adds the JSON path).
struct PatternMessage: Error, ExpressibleByStringLiteral, Sendable {
    var text: String
    init(_ text: String) { self.text = text }
    init(stringLiteral value: String) { self.text = value }
}
