import CZlib
import Testing

@testable import TrailIngest

@Suite struct CRC32Tests {
    private static let bytes: [UInt8] = {
        var state: UInt32 = 2_463_534_242
        return (0..<70_000).map { _ in
            state ^= state << 13
            state ^= state >> 17
            state ^= state << 5
            return UInt8(truncatingIfNeeded: state)
        }
    }()

    private static func zlib(_ crc: UInt32, _ slice: ArraySlice<UInt8>) -> UInt32 {
        slice.withUnsafeBufferPointer { UInt32(truncatingIfNeeded: crc32_z(UInt(crc), $0.baseAddress, $0.count)) }
    }

    private static func ours(_ crc: UInt32, _ slice: ArraySlice<UInt8>) -> UInt32 {
        slice.withUnsafeBytes { raw in raw.baseAddress.map { CRC32.update(crc, $0, count: raw.count) } ?? crc }
    }

    /// Every length around the 16- and 64-byte block edges, at unaligned starts, from two seeds.
    @Test func agreesWithZlibOnEveryShortLength() {
        var mismatches: [String] = []
        for length in 0...300 {
            for start in 0..<3 {
                for seed: UInt32 in [0, 0xDEAD_BEEF] {
                    let slice = Self.bytes[start..<(start + length)]
                    if Self.ours(seed, slice) != Self.zlib(seed, slice) { mismatches.append("\(length)@\(start)/\(seed)") }
                }
            }
        }
        #expect(mismatches.isEmpty)
    }

    @Test func agreesWithZlibOnLongBuffersAndInPieces() {
        let all = Self.bytes[...]
        #expect(Self.ours(0, all) == Self.zlib(0, all))
        var crc: UInt32 = 0
        var start = 0
        for piece in [1, 63, 64, 65, 1000, 4096, 17, 30_000] {
            let end = min(start + piece, all.count)
            crc = Self.ours(crc, all[start..<end])
            start = end
        }
        crc = Self.ours(crc, all[start...])
        #expect(crc == Self.zlib(0, all))
    }

    @Test func knownValue() {
        #expect(CRC32.update(0, Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.update(0, []) == 0)
    }
}
