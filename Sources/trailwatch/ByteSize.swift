import ArgumentParser

/// A size given on the command line: bytes, or a number with a binary suffix (`K`, `M`, `G`,
/// also written `KiB`, `MiB`, `GiB`): `128M` is 134,217,728 bytes.
struct ByteSize: ExpressibleByArgument, Sendable, Equatable, CustomStringConvertible {
    var bytes: Int

    init(bytes: Int) { self.bytes = bytes }

    init?(argument: String) {
        let units: [(String, Int)] = [("KiB", 10), ("MiB", 20), ("GiB", 30), ("K", 10), ("M", 20), ("G", 30), ("B", 0)]
        var digits = Substring(argument)
        var shift = 0
        for (suffix, s) in units where digits.uppercased().hasSuffix(suffix.uppercased()) {
            digits = digits.dropLast(suffix.count)
            shift = s
            break
        }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), digits.count <= 12,
              let value = Int(digits), value <= (Int.max >> shift)
        else { return nil }
        bytes = value << shift
    }

    var description: String {
        if bytes > 0, bytes % (1 << 30) == 0 { return "\(bytes >> 30)G" }
        if bytes > 0, bytes % (1 << 20) == 0 { return "\(bytes >> 20)M" }
        if bytes > 0, bytes % (1 << 10) == 0 { return "\(bytes >> 10)K" }
        return "\(bytes)"
    }

    var defaultValueDescription: String { description }
}
