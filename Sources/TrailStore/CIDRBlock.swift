#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 network (`10.0.0.0/8`, `2001:db8::/32`) or a single address.
///
/// `sourceIPAddress` is not always an address (service names, `AWS Internal`): those never match.
struct CIDRBlock: Sendable, Equatable {
    let network: [UInt8]
    let prefix: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = CIDRBlock.parse(String(parts[0])) else { return nil }
        let bits = address.count * 8
        var prefix = bits
        if parts.count == 2 {
            guard let p = Int(parts[1]), p >= 0, p <= bits else { return nil }
            prefix = p
        }
        self.network = address
        self.prefix = prefix
    }

    /// The 4 or 16 bytes of an address, nil when `text` is not one.
    static func parse(_ text: String) -> [UInt8]? {
        if text.contains(":") {
            var a = in6_addr()
            guard inet_pton(AF_INET6, text, &a) == 1 else { return nil }
            return withUnsafeBytes(of: &a) { Array($0) }
        }
        var a = in_addr()
        guard inet_pton(AF_INET, text, &a) == 1 else { return nil }
        return withUnsafeBytes(of: &a) { Array($0) }
    }

    func contains(_ text: String) -> Bool {
        guard let address = CIDRBlock.parse(text), address.count == network.count else { return false }
        var remaining = prefix
        for i in 0..<address.count where remaining > 0 {
            let take = min(8, remaining)
            let mask: UInt8 = take == 8 ? 0xFF : UInt8(0xFF << (8 - take) & 0xFF)
            if address[i] & mask != network[i] & mask { return false }
            remaining -= take
        }
        return true
    }
}
