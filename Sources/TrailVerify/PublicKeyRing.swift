import Crypto
import Foundation
import TrailDecode
import TrailJSON
import TrailModel
import _CryptoExtras

/// CloudTrail's digest-signing public keys, by fingerprint, read from the JSON that
/// `aws cloudtrail list-public-keys` prints (`{"PublicKeyList":[{"Value","Fingerprint",…}]}`).
///
/// `Value` is base64 of a DER RSA public key. AWS documents PKCS#1 `RSAPublicKey`; SPKI is
/// accepted too. swift-crypto's `_RSA.Signing.PublicKey(derRepresentation:)` takes both on Linux
/// (BoringSSL tries SPKI, then PKCS#1), so no re-wrapping is needed. The fingerprint is the hex
/// MD5 of the DER bytes; a stated fingerprint that disagrees with them is refused.
public struct PublicKeyRing: Sendable {
    /// One key and the time it was valid for signing.
    public struct Key: Sendable {
        public var fingerprint: String
        public var key: _RSA.Signing.PublicKey
        public var validFrom: EventTime?
        public var validUntil: EventTime?
    }

    /// Keys by lower-case hex fingerprint.
    public private(set) var keys: [String: Key] = [:]

    public init() {}

    /// Reads keys from `list-public-keys` JSON; `path` is used in errors.
    public init(json bytes: [UInt8], path: String) throws(VerifyError) {
        let document: JSONDocument
        do {
            document = try JSONDocument(bytes: bytes, maxDepth: 16)
        } catch {
            throw VerifyError(path: path, code: .invalidJSON, byteOffset: error.offset, reason: error.reasonText)
        }
        let list: JSONValue
        var listPath = "PublicKeyList"
        if document.root.isArray {
            list = document.root
            listPath = ""
        } else if let l = document.root["PublicKeyList"], l.isArray {
            list = l
        } else {
            throw VerifyError(path: path, code: .badShape, jsonPath: "PublicKeyList", reason: "missing or not an array")
        }
        for (i, item) in list.elements.enumerated() {
            let at = "\(listPath)[\(i)]"
            guard let value = item["Value"]?.string else {
                throw VerifyError(path: path, code: .badShape, jsonPath: at + ".Value", reason: "missing or not a string")
            }
            guard let der = Data(base64Encoded: value) else {
                throw VerifyError(path: path, code: .badKey, jsonPath: at + ".Value", reason: "not base64")
            }
            let computed = Hex.encode(Insecure.MD5.hash(data: der))
            if let stated = item["Fingerprint"]?.string, stated.lowercased() != computed {
                throw VerifyError(
                    path: path, code: .badKey, jsonPath: at + ".Fingerprint",
                    reason: "fingerprint \(stated) is not the MD5 of the key (\(computed))")
            }
            let key: _RSA.Signing.PublicKey
            do {
                key = try RSAPublicKeyDER.key(Array(der))
            } catch .tooShort(let bits) {
                throw VerifyError(path: path, code: .badKey, jsonPath: at + ".Value", reason: "an RSA key of \(bits) bits; at least \(RSAPublicKeyDER.minimumBits) are needed")
            } catch {
                throw VerifyError(path: path, code: .badKey, jsonPath: at + ".Value", reason: "not a DER RSA public key of 2048 bits or more")
            }
            keys[computed] = Key(
                fingerprint: computed, key: key,
                validFrom: item["ValidityStartTime"]?.string.flatMap(EventTimeParser.parse),
                validUntil: item["ValidityEndTime"]?.string.flatMap(EventTimeParser.parse))
        }
    }

    /// Adds or replaces a key (tests, and merging several files).
    public mutating func insert(_ key: Key) { keys[key.fingerprint] = key }

    /// The key with this fingerprint (either case).
    public func key(fingerprint: String) -> Key? { keys[fingerprint.lowercased()] }
}
