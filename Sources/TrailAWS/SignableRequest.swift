/// An HTTP request as SigV4 sees it: the path and query *decoded* (they are encoded once, the
/// same way for the wire and for the signature, as S3 requires), headers as name/value pairs and
/// the payload's SHA-256.
public struct SignableRequest: Sendable, Equatable {
    public var method: String
    /// `host` or `host:port` (the port only when it is not the scheme's default).
    public var host: String
    /// The decoded path, starting with `/` (e.g. `/bucket/AWSLogs/1/a b.json.gz`).
    public var path: String
    /// Decoded query parameters, in any order.
    public var query: [(name: String, value: String)]
    /// Extra headers to send and sign (besides host and the x-amz- headers the signer adds).
    public var headers: [(name: String, value: String)]
    /// Lower-case hex SHA-256 of the body (of the empty string for none), or `UNSIGNED-PAYLOAD`.
    public var payloadHash: String

    public init(method: String, host: String, path: String, query: [(name: String, value: String)] = [],
                headers: [(name: String, value: String)] = [], payloadHash: String = SigV4.emptyPayloadHash) {
        self.method = method
        self.host = host
        self.path = path
        self.query = query
        self.headers = headers
        self.payloadHash = payloadHash
    }

    /// The path as sent and as signed: each byte outside the unreserved set escaped, `/` kept.
    public var encodedPath: String { URIEncoding.encode(path.isEmpty ? "/" : path, keepSlash: true) }

    /// The query as sent and as signed: names and values encoded, pairs sorted by name then value.
    public var canonicalQuery: String {
        query.map { (URIEncoding.encode($0.name), URIEncoding.encode($0.value)) }
            .sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    public static func == (lhs: SignableRequest, rhs: SignableRequest) -> Bool {
        lhs.method == rhs.method && lhs.host == rhs.host && lhs.path == rhs.path
            && lhs.query.elementsEqual(rhs.query, by: { $0 == $1 })
            && lhs.headers.elementsEqual(rhs.headers, by: { $0 == $1 }) && lhs.payloadHash == rhs.payloadHash
    }
}
