import TrailDecode
import TrailJSON
import TrailModel

/// One CloudTrail digest file, as parsed from its uncompressed JSON (AWS "CloudTrail digest file
/// structure"); times parsed, hashes and signatures kept as the hex text the file holds.
public struct DigestRecord: Sendable {
    /// One `logFiles[]` entry.
    public struct LogEntry: Sendable, Hashable {
        public var s3Bucket: String
        /// The key as written; compare with ``TrailObjectName/keyFromAWSLogs(_:)``.
        public var s3Object: String
        /// `hashValue`: the SHA-256 of the uncompressed log file, hex.
        public var sha256: String
        public var oldestEventTime: EventTime?
        public var newestEventTime: EventTime?
    }

    public var awsAccountId: String
    public var digestStartTime: EventTime
    public var digestEndTime: EventTime
    /// `digestEndTime` exactly as written: it is part of the signing string.
    public var digestEndTimeText: String
    public var digestS3Bucket: String
    public var digestS3Object: String
    public var digestPublicKeyFingerprint: String
    public var digestSignatureAlgorithm: String
    public var previousDigestS3Bucket: String?
    public var previousDigestS3Object: String?
    public var previousDigestHashValue: String?
    public var previousDigestSignature: String?
    public var logFiles: [LogEntry]

    /// True for the first digest of a chain (all `previous*` fields null), as after a trail is
    /// created or logging is started again.
    public var startsChain: Bool { previousDigestS3Object == nil }

    /// Parses digest JSON; `path` is used in errors only.
    public init(json bytes: [UInt8], path: String) throws(VerifyError) {
        let document: JSONDocument
        do {
            document = try JSONDocument(bytes: bytes, maxDepth: 16)
        } catch {
            throw VerifyError(path: path, code: .invalidJSON, byteOffset: error.offset, reason: error.reasonText)
        }
        let root = document.root
        guard root.isObject else { throw VerifyError(path: path, code: .badShape, jsonPath: "$", reason: "a digest is a JSON object") }
        func text(_ key: String, _ value: JSONValue? = nil, at prefix: String = "") throws(VerifyError) -> String {
            guard let v = (value ?? root)[key], let s = v.string else {
                throw VerifyError(path: path, code: .badShape, jsonPath: prefix + key, reason: "missing or not a string")
            }
            return s
        }
        func optionalText(_ key: String) throws(VerifyError) -> String? {
            guard let v = root[key], !v.isNull else { return nil }
            guard let s = v.string else {
                throw VerifyError(path: path, code: .badShape, jsonPath: key, reason: "not a string or null")
            }
            return s
        }
        func time(_ key: String) throws(VerifyError) -> EventTime {
            let s = try text(key)
            guard let t = EventTimeParser.parse(s) else {
                throw VerifyError(path: path, code: .badShape, jsonPath: key, reason: "not an ISO 8601 time")
            }
            return t
        }
        awsAccountId = try text("awsAccountId")
        digestStartTime = try time("digestStartTime")
        digestEndTime = try time("digestEndTime")
        digestEndTimeText = try text("digestEndTime")
        digestS3Bucket = try text("digestS3Bucket")
        digestS3Object = try text("digestS3Object")
        digestPublicKeyFingerprint = try text("digestPublicKeyFingerprint")
        digestSignatureAlgorithm = try text("digestSignatureAlgorithm")
        previousDigestS3Bucket = try optionalText("previousDigestS3Bucket")
        previousDigestS3Object = try optionalText("previousDigestS3Object")
        previousDigestHashValue = try optionalText("previousDigestHashValue")
        previousDigestSignature = try optionalText("previousDigestSignature")
        guard let list = root["logFiles"], list.isArray else {
            throw VerifyError(path: path, code: .badShape, jsonPath: "logFiles", reason: "missing or not an array")
        }
        var entries: [LogEntry] = []
        entries.reserveCapacity(list.count)
        for (i, item) in list.elements.enumerated() {
            let at = "logFiles[\(i)]."
            guard item.isObject else {
                throw VerifyError(path: path, code: .badShape, jsonPath: "logFiles[\(i)]", reason: "not an object")
            }
            entries.append(LogEntry(
                s3Bucket: try text("s3Bucket", item, at: at),
                s3Object: try text("s3Object", item, at: at),
                sha256: try text("hashValue", item, at: at),
                oldestEventTime: item["oldestEventTime"]?.string.flatMap(EventTimeParser.parse),
                newestEventTime: item["newestEventTime"]?.string.flatMap(EventTimeParser.parse)))
        }
        logFiles = entries
    }
}
