import Testing

@testable import TrailIngest

@Suite struct ContentFingerprintTests {
    /// Reference values from the XXH64 reference implementation (seed 0).
    @Test func matchesXXH64ReferenceValues() {
        #expect(ContentFingerprint.hex([]) == "ef46db3751d8e999")
        #expect(ContentFingerprint.hex(Array("a".utf8)) == "d24ec4f1a98c6e5b")
        #expect(ContentFingerprint.hex(Array("abc".utf8)) == "44bc2cf5ad770999")
        #expect(ContentFingerprint.hex([UInt8](repeating: UInt8(ascii: "x"), count: 31)) == "60dd0d01083b99f0")
        #expect(ContentFingerprint.hex([UInt8](repeating: UInt8(ascii: "x"), count: 32)) == "e2df261fc2ec30eb")
        #expect(ContentFingerprint.hex(Array(String(repeating: "0123456789", count: 7).utf8)) == "4916a0f3f0e1c781")
        let bytes = (0..<768).map { UInt8($0 % 256) }
        #expect(ContentFingerprint.hex(bytes) == "8e03c838c596036f")
    }

    @Test func differsOnOneByte() {
        var bytes = sampleText(10_000)
        let before = ContentFingerprint.hex(bytes)
        bytes[5000] ^= 1
        #expect(ContentFingerprint.hex(bytes) != before)
    }
}
