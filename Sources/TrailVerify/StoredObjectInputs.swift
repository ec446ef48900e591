import TrailIngest

/// Inputs for ``ChainAnalysis`` from objects already in memory (downloaded from S3) rather
/// than files on disk: the same hashing and parsing as ``TreeVerifier/verify(paths:)``.
extension TreeVerifier {
    /// Largest log file taken in memory once inflated (CloudTrail's are at most tens of MB).
    public static let maxStoredLogBytes = 128 << 20

    /// A log file's input from its bytes as stored (gzip or not), or from why they could not be read.
    public func logInput(path: String, name: TrailObjectName, stored: Result<[UInt8], VerifyError>) -> LogInput {
        LogInput(path: path, name: name, sha256: stored.flatMap { bytes in
            Result { () throws(VerifyError) -> String in Hex.encode(SHA256Digest.of(try Self.content(bytes, path: path, maxBytes: Self.maxStoredLogBytes))) }
        })
    }

    /// A digest's input from its bytes as stored and the signature from its object metadata.
    public func digestInput(path: String, name: TrailObjectName, stored bytes: [UInt8], signature: String?) throws(VerifyError) -> DigestInput {
        let content = try Self.content(bytes, path: path, maxBytes: maxDigestBytes)
        let record = try DigestRecord(json: content, path: path)
        return DigestInput(path: path, name: name, record: record, sha256: Hex.encode(SHA256Digest.of(content)), sidecarSignature: signature)
    }

    /// Runs the chain analysis over inputs made with ``logInput(path:name:stored:)`` and
    /// ``digestInput(path:name:stored:signature:)``; `otherFiles` counts objects left alone.
    public func analyse(logs: [LogInput], digests: [DigestInput], unreadableDigests: [(name: TrailObjectName, error: VerifyError)],
                        otherFiles: Int) -> VerificationReport {
        let result = ChainAnalysis(digests: digests, unreadableDigests: unreadableDigests, logs: logs, keys: keys).run()
        return VerificationReport(findings: result.findings, spans: result.spans, logFiles: logs.count,
                                  digestFiles: digests.count + unreadableDigests.count, sidecarFiles: 0, otherFiles: otherFiles,
                                  logsOutsideChains: result.logsOutsideChains)
    }

    static func content(_ bytes: [UInt8], path: String, maxBytes: Int) throws(VerifyError) -> [UInt8] {
        guard Gunzip.isGzip(bytes) else {
            guard bytes.count <= maxBytes else { throw VerifyError(path: path, code: .unreadable, reason: "larger than \(maxBytes) bytes") }
            return bytes
        }
        do {
            return try Gunzip.inflate(bytes, path: path, maxBytes: maxBytes)
        } catch {
            throw VerifyError(path: path, code: error.code == .tooLarge ? .unreadable : .corruptGzip, byteOffset: error.byteOffset, reason: error.reason)
        }
    }
}
