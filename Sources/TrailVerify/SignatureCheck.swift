import Crypto
import _CryptoExtras

/// CloudTrail's digest signature: SHA256withRSA (PKCS#1 v1.5) over the signing string
/// `digestEndTime \n digestS3Bucket/digestS3Object \n hex SHA-256 of the uncompressed digest \n
/// previousDigestSignature` (the literal `null` for the first digest of a chain), as in AWS's
/// "custom implementations of CloudTrail log file integrity validation" and aws-cli.
public enum SignatureCheck {
    /// The string a digest's signature signs.
    public static func signingString(for digest: DigestRecord, sha256Hex: String) -> String {
        digest.digestEndTimeText + "\n" + digest.digestS3Bucket + "/" + digest.digestS3Object + "\n"
            + sha256Hex + "\n" + (digest.previousDigestSignature ?? "null")
    }

    /// True when `signatureHex` is a valid signature of the digest under `key`.
    public static func isValid(
        signatureHex: String, digest: DigestRecord, sha256Hex: String, key: _RSA.Signing.PublicKey
    ) -> Bool {
        guard let bytes = Hex.decode(signatureHex) else { return false }
        let message = Array(signingString(for: digest, sha256Hex: sha256Hex).utf8)
        return key.isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: bytes), for: message, padding: .insecurePKCS1v1_5)
    }
}
