import AsyncHTTPClient
import NIOCore
import NIOHTTP1
#if canImport(Glibc)
import Glibc
#endif

/// `HTTPTransport` on async-http-client. Redirects are not followed (a signed request must not
/// be replayed to another host); a body shorter than its `Content-Length` is an error.
public final class AsyncHTTPTransport: HTTPTransport {
    private let client: HTTPClient

    /// - Parameter connectTimeout: seconds to establish a connection (short for IMDS probes).
    public init(connectTimeout: Double = 10) {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .milliseconds(Int64(connectTimeout * 1000)))
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Closes the connection pool; call once when done.
    public func shutdown() async {
        try? await client.shutdown()
    }

    public func send(_ request: HTTPRequest, maxBodyBytes: Int) async throws(AWSError) -> HTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if !request.body.isEmpty {
            outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        }
        let operation = "\(request.method) \(Self.redacted(request.url))"
        do {
            let response = try await client.execute(outgoing, timeout: .milliseconds(Int64(request.timeout * 1000)))
            let headers = response.headers.map { (name: $0.name, value: $0.value) }
            let expected = response.headers.first(name: "content-length").flatMap { Int($0) }
            // The caller's limit is for a success body (an object's listed size); an error body
            // (a 404's XML) has its own cap, so it is read and reported, not refused as too large.
            let limit = (200..<300).contains(Int(response.status.code)) ? maxBodyBytes : Self.maxErrorBodyBytes
            if let expected, expected > limit {
                throw AWSError(.tooLarge, operation: operation, status: Int(response.status.code),
                               reason: "body of \(expected) bytes is more than the limit of \(limit)")
            }
            let buffer = try await response.body.collect(upTo: limit)
            let body = Array(buffer.readableBytesView)
            if let expected, body.count != expected, request.method != "HEAD" {
                throw AWSError(.transport, operation: operation, status: Int(response.status.code),
                               reason: "body ended after \(body.count) of \(expected) bytes")
            }
            return HTTPResponse(status: Int(response.status.code), headers: headers, body: body)
        } catch let error as AWSError {
            throw error
        } catch let error as NIOTooManyBytesError {
            throw AWSError(.tooLarge, operation: operation, reason: "body is more than the limit of \(maxBodyBytes) bytes (\(error))")
        } catch {
            throw AWSError(.transport, operation: operation, reason: Self.describe(error))
        }
    }

    /// A transport failure in plain words: NIO labels every failed connect "connection reset
    /// (error set)", even a refused one, so a socket error is described by its errno alone.
    static func describe(_ error: any Error) -> String {
        if let io = error as? IOError {
            return "connection failed: \(String(cString: strerror(io.errnoCode))) (errno \(io.errnoCode))"
        }
        return "\(error)"
    }

    /// The most bytes read of a non-2xx body (S3 and SQS error documents are a few hundred).
    static let maxErrorBodyBytes = 64 << 10

    /// The URL without its query (a query may carry a presigned signature or token).
    static func redacted(_ url: String) -> String {
        guard let mark = url.firstIndex(of: "?") else { return url }
        return String(url[..<mark]) + "?…"
    }
}
