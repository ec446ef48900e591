/// One HTTP exchange, as the AWS clients here need it.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The full URL, already encoded (`http://127.0.0.1:9000/bucket?list-type=2`).
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Seconds the whole exchange may take.
    public var timeout: Double

    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [], timeout: Double = 60) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// A response with its body collected.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// Sends requests. Failures to connect, or bodies cut short, throw `AWSError` with code
/// `.transport`; any HTTP status is a response.
public protocol HTTPTransport: Sendable {
    /// Sends `request`; a body longer than `maxBodyBytes` is an error with code `.tooLarge`.
    func send(_ request: HTTPRequest, maxBodyBytes: Int) async throws(AWSError) -> HTTPResponse
}
