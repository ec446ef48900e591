import Foundation
import Testing
import _CryptoExtras
@testable import TrailVerify

/// Key bytes are parsed before swift-crypto sees them (its DER initialiser double-frees on bytes
/// it cannot read): PKCS#1 and SPKI keys load and verify alike; anything else is a clear problem.
@Suite struct RSAPublicKeyDERTests {
    static let privateKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

    @Test func pkcs1AndSubjectPublicKeyInfoGiveTheSameKey() throws {
        let message = Data("digest signing string".utf8)
        let signature = try Self.privateKey.signature(for: message, padding: .insecurePKCS1v1_5)
        for der in [Self.privateKey.publicKey.pkcs1DERRepresentation, Self.privateKey.publicKey.derRepresentation] {
            let key = try RSAPublicKeyDER.key(Array(der))
            #expect(key.isValidSignature(signature, for: message, padding: .insecurePKCS1v1_5))
            #expect(key.pkcs1DERRepresentation == Self.privateKey.publicKey.pkcs1DERRepresentation)
        }
    }

    @Test func malformedBytesAreAProblemNotACrash() {
        let pkcs1 = Array(Self.privateKey.publicKey.pkcs1DERRepresentation)
        let cases: [[UInt8]] = [[], [0x00], [0x30, 0x00], [0x30, 0x03, 0x02, 0x01, 0x00], Array(pkcs1.dropLast(7)),
                                pkcs1 + [0x00], [0x04, 0x02, 0x30, 0x00], Array(repeating: 0xFF, count: 300)]
        for bytes in cases {
            #expect(throws: RSAPublicKeyDER.Problem.notRSAPublicKey, "\(bytes.prefix(8))") { try RSAPublicKeyDER.key(bytes) }
        }
    }

    @Test func keysUnder2048BitsAreRefusedWithTheirSize() throws {
        // SEQUENCE { INTEGER (1024-bit modulus), INTEGER 65537 }
        let modulus: [UInt8] = [0x00, 0xC0] + Array(repeating: 0x01, count: 127)
        let body: [UInt8] = [0x02, 0x81, UInt8(modulus.count)] + modulus + [0x02, 0x03, 0x01, 0x00, 0x01]
        let der: [UInt8] = [0x30, 0x81, UInt8(body.count)] + body
        #expect(throws: RSAPublicKeyDER.Problem.tooShort(bits: 1024)) { try RSAPublicKeyDER.key(der) }
    }
}
