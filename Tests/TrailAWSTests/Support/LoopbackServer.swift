import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import TrailSync

/// A request as the loopback server received it.
struct ReceivedRequest: Sendable {
    var method: String
    var uri: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
    var path: String { String(uri.prefix { $0 != "?" }) }
}

/// What the handler answers. `truncateTo` sends a `Content-Length` of the full body but only
/// that many bytes, then closes the connection (a download cut short).
struct CannedResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    var truncateTo: Int?

    static func text(_ status: Int, _ text: String, headers: [(name: String, value: String)] = []) -> CannedResponse {
        CannedResponse(status: status, headers: headers, body: Array(text.utf8))
    }
}

/// An HTTP/1.1 server on a free loopback port, answering with an async handler and logging
/// every request: the stand-in for IMDS, the container endpoint, STS, and a proxy in front of
/// moto that counts and injects faults.
final class LoopbackServer: Sendable {
    typealias Handler = @Sendable (ReceivedRequest) async -> CannedResponse
    let port: Int
    private let channel: any Channel
    private let log = RequestLog()

    var url: String { "http://127.0.0.1:\(port)" }
    var requests: [ReceivedRequest] { log.entries.locked { $0 } }

    init(handler: @escaping Handler) async throws {
        let log = self.log
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(RequestHandler(handler: handler, log: log))
                }
            }
        channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    func close() async {
        try? await channel.close()
    }

    private final class RequestHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let handler: Handler
        let log: RequestLog
        var head: HTTPRequestHead?
        var body: [UInt8] = []

        init(handler: @escaping Handler, log: RequestLog) {
            self.handler = handler
            self.log = log
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case let .head(head):
                self.head = head
                body = []
            case var .body(buffer):
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            case .end:
                guard let head else { return }
                let request = ReceivedRequest(method: head.method.rawValue, uri: head.uri,
                                              headers: head.headers.map { ($0.name, $0.value) }, body: body)
                log.entries.locked { $0.append(request) }
                let handler = self.handler
                let loop = context.eventLoop
                let bound = NIOLoopBound((context, self), eventLoop: loop)
                let keepAlive = head.isKeepAlive
                Task {
                    let response = await handler(request)
                    loop.execute {
                        let (context, me) = bound.value
                        me.write(response, keepAlive: keepAlive, context: context)
                    }
                }
            }
        }

        private func write(_ response: CannedResponse, keepAlive: Bool, context: ChannelHandlerContext) {
            var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
            headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
            let cut = response.truncateTo.map { min($0, response.body.count) }
            if cut == nil && !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
            let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            let bytes = cut.map { Array(response.body.prefix($0)) } ?? response.body
            if !bytes.isEmpty {
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
            }
            if cut != nil {
                context.flush()
                context.close(promise: nil)
                return
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                if !keepAlive { context.close(promise: nil) }
            }
        }
    }
}

/// The requests a server received.
final class RequestLog: Sendable {
    let entries = Mutex<[ReceivedRequest]>([])
}
