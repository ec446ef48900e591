import Foundation

/// A service base URL split into what signing and requests need: `http://127.0.0.1:9000` or
/// `https://sts.eu-west-1.amazonaws.com`. A path in the URL (`http://host/base`) prefixes every
/// request path.
public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int?
    public var basePath: String

    /// Parses `url`; only http and https with a host are accepted.
    public init(_ url: String, what: String) throws(AWSError) {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = parts.host, !host.isEmpty else {
            throw AWSError(.badConfiguration, operation: what, reason: "\"\(url)\" is not an http:// or https:// URL with a host")
        }
        guard parts.query == nil, parts.user == nil, parts.password == nil else {
            throw AWSError(.badConfiguration, operation: what, reason: "the endpoint URL must not carry a query or user information")
        }
        if let port = parts.port, !(1...65535).contains(port) {
            throw AWSError(.badConfiguration, operation: what, reason: "port \(port) in \"\(url)\" is not between 1 and 65535")
        }
        self.scheme = scheme
        self.host = host
        self.port = parts.port
        var path = parts.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        self.basePath = URIEncoding.decode(path)
    }

    /// `host` or `host:port` as the Host header (and SigV4) carry it; default ports are left out.
    public var hostHeader: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        guard let port, !(scheme == "http" && port == 80), !(scheme == "https" && port == 443) else { return bracketed }
        return "\(bracketed):\(port)"
    }

    /// The full URL of `request` sent to this endpoint.
    public func url(for request: SignableRequest) -> String {
        let query = request.canonicalQuery
        return "\(scheme)://\(hostHeader)\(request.encodedPath)" + (query.isEmpty ? "" : "?" + query)
    }

    /// True for loopback addresses (http is accepted there for container credentials).
    var isLoopback: Bool {
        host == "localhost" || host.hasPrefix("127.") || host == "::1"
    }

    public var description: String { "\(scheme)://\(hostHeader)\(URIEncoding.encode(basePath, keepSlash: true))" }
}
