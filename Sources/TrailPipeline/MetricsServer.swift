import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import TrailSync

/// A tiny HTTP server for `tail --metrics`: `GET /metrics` answers the Prometheus text that
/// `render` produces; anything else is a 404. Bind it to loopback unless the metrics may be seen
/// from elsewhere (they name accounts, regions, rules and redacted sinks).
public final class MetricsServer: Sendable {
    private let channel: any Channel
    /// The bound port (useful when 0 was asked for).
    public let port: Int

    private init(channel: any Channel, port: Int) {
        self.channel = channel
        self.port = port
    }

    /// Connections served at once; more are closed as they arrive.
    public static let maxConnections = 32
    /// How long a connection may stay open: a scrape takes milliseconds.
    public static let connectionLifetime: TimeAmount = .seconds(10)

    /// Listens on `host:port`. Each answer closes its connection, a connection lives at most
    /// `connectionLifetime`, and at most `maxConnections` are open: idle or trickling clients
    /// cannot hold descriptors that tail needs for log files.
    public static func start(host: String, port: Int, render: @escaping @Sendable () -> String) async throws -> MetricsServer {
        let open = Mutex(0)
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let admitted = open.locked { count -> Bool in
                    guard count < maxConnections else { return false }
                    count += 1
                    return true
                }
                guard admitted else { return channel.close() }
                channel.closeFuture.whenComplete { _ in open.locked { $0 -= 1 } }
                channel.eventLoop.scheduleTask(in: connectionLifetime) { channel.close(promise: nil) }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(MetricsHandler(render: render))
                }
            }
        let channel = try await bootstrap.bind(host: host, port: port).get()
        return MetricsServer(channel: channel, port: channel.localAddress?.port ?? port)
    }

    public func close() async {
        try? await channel.close()
    }
}

private final class MetricsHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let render: @Sendable () -> String
    private var head: HTTPRequestHead?

    init(render: @escaping @Sendable () -> String) {
        self.render = render
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(request):
            head = request
        case .body:
            break
        case .end:
            guard let request = head else { return }
            head = nil
            let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
            let found = request.method == .GET && path == "/metrics"
            let body = found ? render() : "not found; try /metrics\n"
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: found ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8")
            headers.add(name: "Content-Length", value: String(body.utf8.count))
            headers.add(name: "Connection", value: "close")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: found ? .ok : .notFound, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
