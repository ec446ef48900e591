/// A CIDR block: the addresses of one family whose first `maskBits` bits equal the network's.
///
/// The one CIDR type: rules' `cidr` patterns, `query access --source-ip` and the OCSF alert format
/// all use it and `IPAddress`. `sourceIPAddress` is not always an address (service names,
/// `AWS Internal`): such text is in no block.
public struct CIDRRange: Hashable, Sendable {
    /// The network, with its host bits cleared.
    public var network: IPAddress
    /// How many leading bits an address must share with `network`: 0-32 for IPv4, 0-128 for IPv6.
    public var maskBits: Int

    /// Parses `a.b.c.d/n` (n 0-32) or `ipv6/n` (n 0-128); host bits are cleared. Octets with
    /// leading zeros (`010`) are read as decimal, since a written block's intent is clear.
    public static func parse(_ text: [UInt8]) -> Result<CIDRRange, CIDRSyntaxError> {
        guard let slash = text.firstIndex(of: UInt8(ascii: "/")), !text[(slash + 1)...].contains(UInt8(ascii: "/")) else {
            return .failure(.slashCount)
        }
        let addrText = Array(text[..<slash])
        let maskText = text[(slash + 1)...]
        guard !maskText.isEmpty, maskText.count <= 4, maskText.allSatisfy({ $0 >= 48 && $0 <= 57 }), let bits = Int(String(decoding: maskText, as: UTF8.self)) else {
            return .failure(maskText.first == UInt8(ascii: "-") ? .negativeMask : .maskNotAnInteger)
        }
        guard let addr = IPAddress.parse(addrText, allowLeadingZeros: true) else {
            return .failure(.notAnAddress(String(decoding: addrText, as: UTF8.self)))
        }
        let maxBits = addr.isV6 ? 128 : 32
        guard bits <= maxBits else { return .failure(.maskTooLong(isV6: addr.isV6, maximum: maxBits)) }
        var r = CIDRRange(network: addr, maskBits: bits)
        r.network = r.masked(addr)
        return .success(r)
    }

    /// A block written as a CIDR (`10.0.0.0/8`) or as one address (`10.1.2.3`, a block of one),
    /// or nil when `text` is neither.
    public init?(blockOrAddress text: String) {
        let bytes = Array(text.utf8)
        if bytes.contains(UInt8(ascii: "/")) {
            guard case let .success(range) = CIDRRange.parse(bytes) else { return nil }
            self = range
        } else {
            guard let address = IPAddress.parse(bytes, allowLeadingZeros: true) else { return nil }
            self.init(network: address, maskBits: address.isV6 ? 128 : 32)
        }
    }

    /// A block from its network and mask length, taken as given.
    @inlinable
    public init(network: IPAddress, maskBits: Int) {
        self.network = network
        self.maskBits = maskBits
    }

    /// `a` with the bits beyond the mask cleared.
    @inlinable @inline(__always)
    public func masked(_ a: IPAddress) -> IPAddress {
        if !network.isV6 {
            let m: UInt64 = maskBits == 0 ? 0 : (0xFFFF_FFFF << UInt64(32 - maskBits)) & 0xFFFF_FFFF
            return IPAddress(hi: 0, lo: a.lo & m, isV6: false)
        }
        let hiMask: UInt64 = maskBits >= 64 ? ~0 : (maskBits == 0 ? 0 : ~0 << UInt64(64 - maskBits))
        let loMask: UInt64 = maskBits <= 64 ? 0 : (maskBits == 128 ? ~0 : ~0 << UInt64(128 - maskBits))
        return IPAddress(hi: a.hi & hiMask, lo: a.lo & loMask, isV6: true)
    }

    /// Whether `a` is an address of this block (of the same family).
    @inlinable @inline(__always)
    public func contains(_ a: IPAddress) -> Bool {
        a.isV6 == network.isV6 && masked(a) == network
    }

    /// Whether `text`, as an event's `sourceIPAddress`, is an address of this block. Octets with
    /// leading zeros are not addresses there (the text is ambiguous), so they are in no block.
    public func contains(_ text: String) -> Bool {
        guard let address = IPAddress.parse(Array(text.utf8), allowLeadingZeros: false) else { return false }
        return contains(address)
    }
}

/// Why a CIDR block's text could not be read.
public enum CIDRSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// There is no `/`, or more than one.
    case slashCount
    /// The mask starts with `-`.
    case negativeMask
    /// The mask is not a short run of decimal digits.
    case maskNotAnInteger
    /// The part before `/` is not an IPv4 or IPv6 address.
    case notAnAddress(String)
    /// The mask is longer than the family's address.
    case maskTooLong(isV6: Bool, maximum: Int)

    public var description: String {
        switch self {
        case .slashCount: "malformed CIDR: exactly one '/' is required"
        case .negativeMask: "malformed CIDR: the mask must not be negative"
        case .maskNotAnInteger: "malformed CIDR: the mask must be an integer"
        case let .notAnAddress(text): "malformed CIDR: \"\(text)\" is not an IP address"
        case let .maskTooLong(isV6, maximum): "\(isV6 ? "IPv6" : "IPv4") mask must be at most \(maximum) bits"
        }
    }
}
