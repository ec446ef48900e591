import Crypto
import Foundation

/// AWS Signature Version 4 for requests signed in the `Authorization` header.
///
/// The canonical URI is the path encoded once (S3's rule; the paths this tool signs for STS are
/// `/`, where both rules agree), the canonical query is sorted by encoded name then value, header
/// names are lower-cased and sorted, values trimmed with inner runs of spaces collapsed.
public struct SigV4: Sendable {
    /// SHA-256 of the empty string.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public var region: String
    public var service: String
    /// Adds and signs `x-amz-content-sha256` (S3 requires it; the generic test suite has none).
    public var signsContentHash: Bool

    public init(region: String, service: String, signsContentHash: Bool? = nil) {
        self.region = region
        self.service = service
        self.signsContentHash = signsContentHash ?? (service == "s3")
    }

    /// What signing produced: the headers to send (host excluded: the HTTP client sets it) and
    /// the intermediate strings, for tests.
    public struct Signed: Sendable {
        /// Headers to add to the request, `authorization` among them.
        public var headers: [(name: String, value: String)]
        public var canonicalRequest: String
        public var stringToSign: String
        public var authorization: String
    }

    /// Signs `request` with `credentials` at `date`.
    public func sign(_ request: SignableRequest, credentials: AWSCredentials, date: Date) -> Signed {
        let stamp = Self.amzDate(date)
        let day = String(stamp.prefix(8))
        var headers: [(name: String, value: String)] = [("host", request.host)]
        var added: [(name: String, value: String)] = [("X-Amz-Date", stamp)]
        if signsContentHash { added.append(("X-Amz-Content-Sha256", request.payloadHash)) }
        if let token = credentials.sessionToken { added.append(("X-Amz-Security-Token", token)) }
        headers += request.headers
        headers += added

        // Lower-case names; values of repeated names joined with commas in the order given.
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            merged[name.lowercased(), default: []].append(Self.trimmed(value))
        }
        let names = merged.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let canonicalRequest = [
            request.method, request.encodedPath, request.canonicalQuery,
            canonicalHeaders, signedHeaders, request.payloadHash,
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", stamp, scope, Self.hex(SHA256.hash(data: Array(canonicalRequest.utf8)))]
            .joined(separator: "\n")
        let key = signingKey(secret: credentials.secretAccessKey, day: day)
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return Signed(headers: added + [("Authorization", authorization)], canonicalRequest: canonicalRequest,
                      stringToSign: stringToSign, authorization: authorization)
    }

    /// The derived key: HMAC chain over day, region, service and `aws4_request`.
    func signingKey(secret: String, day: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array(("AWS4" + secret).utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    /// Lower-case hex SHA-256 of `bytes`.
    public static func sha256Hex(_ bytes: some DataProtocol) -> String { hex(SHA256.hash(data: bytes)) }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    public static func amzDate(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
    }

    /// A header value as signed: outer whitespace removed, inner runs of spaces made one.
    static func trimmed(_ value: String) -> String {
        var out = ""
        var lastWasSpace = false
        for ch in value.trimmingCharacters(in: .whitespaces) {
            if ch == " " {
                if !lastWasSpace { out.append(ch) }
                lastWasSpace = true
            } else {
                out.append(ch)
                lastWasSpace = false
            }
        }
        return out
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
