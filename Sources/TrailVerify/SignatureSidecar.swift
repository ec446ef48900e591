import TrailJSON

/// A digest's signature from S3 object metadata, as `aws s3api head-object` prints it:
/// `{"Metadata":{"signature":"<hex>","signature-algorithm":"SHA256withRSA"},…}`.
public enum SignatureSidecar {
    /// The hex signature in `Metadata.signature`; `path` is used in errors.
    public static func signature(json bytes: [UInt8], path: String) throws(VerifyError) -> String {
        let document: JSONDocument
        do {
            document = try JSONDocument(bytes: bytes, maxDepth: 16)
        } catch {
            throw VerifyError(path: path, code: .invalidJSON, byteOffset: error.offset, reason: error.reasonText)
        }
        guard let signature = document.root["Metadata", "signature"]?.string else {
            throw VerifyError(path: path, code: .badShape, jsonPath: "Metadata.signature", reason: "missing or not a string")
        }
        return signature
    }
}
