import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// POSTs alert bodies to one URL (a webhook or a Slack incoming webhook).
///
/// - Redirects are never followed: a 3xx is a failure naming the `Location` (without its query), so
///   the bearer token never reaches another host.
/// - Every request has a deadline (`timeout`) covering connect, headers and body, so an endpoint
///   that hangs or trickles costs one timeout, then a retry.
/// - The alert id goes in `Idempotency-Key`: deliveries are at-least-once and receivers can drop
///   repeats. The token goes in `Authorization: Bearer` and is never printed; nor is the URL (errors
///   name the sink's redacted name).
public final class HTTPEndpoint: Sendable {
    private let client: HTTPClient
    private let url: String
    private let token: String?
    private let timeout: Duration
    public let name: String

    /// How many bytes of an error answer's body are kept as the reason.
    static let reasonBytes = 200

    public init(url: String, name: String, token: String?, timeout: Duration, maxConnections: Int) throws(DeliveryError) {
        if let token { try Self.checkToken(token, sink: name) }
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        let ms = RetryPolicy.milliseconds(timeout)
        configuration.timeout = .init(connect: .milliseconds(min(ms, 10_000)), read: .milliseconds(ms))
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, maxConnections))
        configuration.decompression = .disabled
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.url = url
        self.token = token
        self.timeout = timeout
        self.name = name
    }

    /// Refuses a token that could split or add headers (CR, LF or another control character).
    public static func checkToken(_ token: String, sink: String) throws(DeliveryError) {
        if token.isEmpty || token.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw DeliveryError(.usage, sink: sink,
                                message: "TRAILWATCH_WEBHOOK_TOKEN is empty or holds a line break or control character; refusing to send it")
        }
    }

    /// Sends one body; never throws.
    public func post(_ body: [UInt8], idempotencyKey: String) async -> DeliveryResult {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "trailwatch")
        request.headers.add(name: "Idempotency-Key", value: idempotencyKey)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(bytes: body))
        let deadline = NIODeadline.now() + .milliseconds(RetryPolicy.milliseconds(timeout))
        do {
            let response = try await client.execute(request, deadline: deadline)
            let status = Int(response.status.code)
            // Read (a bounded part of) the body so the connection can be reused, and keep its
            // first bytes as the reason of an error. The deadline holds here too: a body that
            // trickles in faster than the read timeout but never ends is cut at the deadline, and
            // an answer not whole by then is retried, like one that stalls (the receiver drops
            // the repeat by its Idempotency-Key).
            var head: [UInt8] = []
            var total = 0
            for try await chunk in response.body {
                total += chunk.readableBytes
                if head.count < Self.reasonBytes {
                    head.append(contentsOf: chunk.readableBytesView.prefix(Self.reasonBytes - head.count))
                }
                if total > 1 << 16 { break }
                if NIODeadline.now() > deadline {
                    return .retry(reason: "HTTP \(status): the answer's body was not whole within the request timeout", notBefore: nil)
                }
            }
            if (300..<400).contains(status) {
                let location = response.headers.first(name: "Location").map { SinkSpec.redactLocation($0) } ?? "no Location"
                return .failed(reason: "HTTP \(status): redirect to \(location) not followed")
            }
            let retryAfter = response.headers.first(name: "Retry-After").flatMap(Self.retryAfter)
            return RetryPolicy.classify(status: status, reason: "HTTP \(status): \(Self.printable(head))", retryAfter: retryAfter)
        } catch {
            return .retry(reason: scrub(Self.describe(error)), notBefore: nil)
        }
    }

    /// Closes the connections.
    public func shutdown() async {
        try? await client.shutdown()
    }

    /// `Retry-After` as seconds or an HTTP date.
    static func retryAfter(_ value: String) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int64(trimmed) { return seconds >= 0 ? .seconds(seconds) : nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        // Any date, however far, is at most a year away: the policy caps the wait well below that.
        let milliseconds = min(max(0, date.timeIntervalSinceNow * 1000), 365 * 86_400_000)
        return .milliseconds(Int64(milliseconds))
    }

    /// Bytes of an answer as one line of printable text.
    static func printable(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        return String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded: return "no answer within the request timeout"
            case .connectTimeout: return "connect timeout"
            case .readTimeout: return "read timeout"
            case .remoteConnectionClosed: return "the server closed the connection"
            default: return "\(error)"
            }
        }
        return "\(error)"
    }

    /// An error text without the URL's secret parts.
    private func scrub(_ text: String) -> String {
        var out = text.replacingOccurrences(of: url, with: name)
        if let path = URLComponents(string: url)?.percentEncodedPath, path.count > 1 {
            out = out.replacingOccurrences(of: path, with: "/…")
        }
        return out
    }
}

extension SinkSpec {
    /// A redirect target as printed and stored: scheme, host and port, and `/…` for any path or
    /// query. A redirect often repeats the configured URL's path (http to https, a trailing
    /// slash), and for Slack that path is the credential.
    public static func redactLocation(_ location: String) -> String {
        guard let components = URLComponents(string: location) else { return "<invalid Location>" }
        var out = ""
        if let scheme = components.scheme, let host = components.host {
            out = scheme.lowercased() + "://" + host
            if let port = components.port { out += ":\(port)" }
        }
        let rest = components.percentEncodedPath + (components.percentEncodedQuery ?? "")
        if !rest.isEmpty && rest != "/" { out += "/…" } else if out.isEmpty { out = "/" }
        return out
    }
}
