import Foundation
import SwiftASN1
import _CryptoExtras

/// Reads an RSA public key from DER: PKCS#1 `RSAPublicKey` (what `aws cloudtrail list-public-keys`
/// prints) or a `SubjectPublicKeyInfo` wrapping one.
///
/// The structure is parsed here and the key is built from its modulus and exponent. swift-crypto
/// 3.x's own DER initialiser frees its key twice when neither of its two parses succeeds
/// (AddressSanitizer found it on a hostile key file), so malformed bytes never reach it.
enum RSAPublicKeyDER {
    /// Why bytes are not a usable key.
    enum Problem: Error, Equatable {
        case notRSAPublicKey
        case tooShort(bits: Int)
    }

    /// The smallest modulus accepted, as swift-crypto's DER initialiser requires.
    static let minimumBits = 2048

    static func key(_ der: [UInt8]) throws(Problem) -> _RSA.Signing.PublicKey {
        let parts: (modulus: ArraySlice<UInt8>, exponent: ArraySlice<UInt8>)
        do {
            let root = try DER.parse(der)
            parts = try (try? pkcs1(root)) ?? subjectPublicKeyInfo(root)
        } catch {
            throw .notRSAPublicKey
        }
        let modulus = parts.modulus.drop { $0 == 0 }
        let bits = modulus.isEmpty ? 0 : (modulus.count - 1) * 8 + (8 - modulus.first!.leadingZeroBitCount)
        guard bits >= minimumBits else { throw .tooShort(bits: bits) }
        guard !parts.exponent.drop(while: { $0 == 0 }).isEmpty else { throw .notRSAPublicKey }
        do {
            return try _RSA.Signing.PublicKey(n: Array(modulus), e: Array(parts.exponent))
        } catch {
            throw .notRSAPublicKey
        }
    }

    /// `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`.
    private static func pkcs1(_ node: ASN1Node) throws -> (modulus: ArraySlice<UInt8>, exponent: ArraySlice<UInt8>) {
        try DER.sequence(node, identifier: .sequence) { nodes in
            (try ArraySlice<UInt8>(derEncoded: &nodes), try ArraySlice<UInt8>(derEncoded: &nodes))
        }
    }

    /// `SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }`,
    /// the bit string holding an `RSAPublicKey`.
    private static func subjectPublicKeyInfo(_ node: ASN1Node) throws -> (modulus: ArraySlice<UInt8>, exponent: ArraySlice<UInt8>) {
        let inner = try DER.sequence(node, identifier: .sequence) { nodes in
            guard let algorithm = nodes.next(), algorithm.identifier == .sequence else {
                throw ASN1Error.invalidASN1Object(reason: "no AlgorithmIdentifier")
            }
            return try ASN1BitString(derEncoded: &nodes).bytes
        }
        return try pkcs1(try DER.parse(inner))
    }
}
