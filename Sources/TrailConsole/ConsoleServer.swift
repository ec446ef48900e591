import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
import Logging
import TrailModel
import TrailStore

/// `trailwatch serve`: the console on Hummingbird, until SIGINT or SIGTERM (graceful shutdown:
/// requests in flight finish).
public struct ConsoleServer: Sendable {
    public var console: Console
    public var listen: ListenAddress
    public var token: String?
    /// The `Host` values answered (DNS rebinding); others get 421.
    public let hosts: HostPolicy
    /// A connection with no request in progress for this long is closed (against slowloris: a
    /// request's head trickled in byte by byte does not count as activity).
    public var idleTimeout: Duration = .seconds(30)
    /// A request whose head, body and end have not all arrived this long after its head closes
    /// its connection (a body trickled in byte by byte is no more activity than a head).
    public var requestTimeout: Duration = .seconds(30)
    /// Marks the login cookie `Secure` (`--cookie-secure`, behind a TLS proxy).
    public var cookieSecure = false
    /// Connections served at once; further ones wait in the listen backlog.
    public var maxConnections = 256

    /// Refuses to listen beyond loopback without a token. `allowHosts` (`--allow-host`) adds names
    /// a reverse proxy or remote clients use to the accepted `Host` values.
    public init(console: Console, listen: ListenAddress, token: String?, allowHosts: [String] = []) throws(ConsoleError) {
        if !listen.isLoopback && token == nil {
            throw ConsoleError(.authRequired, subject: "--listen \(listen.host):\(listen.port)",
                               message: "listening beyond loopback needs --auth-token-file (a bearer token; the console shows who read which secret)")
        }
        self.console = console
        self.listen = listen
        self.token = token
        self.hosts = HostPolicy(listen: listen, allowHosts: allowHosts)
    }

    /// The application, for `run` and for in-process tests.
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        var logger = Logger(label: "trailwatch.serve")
        logger.logLevel = .warning
        return Application(
            router: console.router(token: token, hosts: hosts, cookieSecure: cookieSecure),
            server: .http1(configuration: .init(
                additionalChannelHandlers: [RequestDeadline(limit: Self.timeAmount(requestTimeout))],
                idleTimeout: Self.timeAmount(idleTimeout))),
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: nil,
                                 availableConnectionsDelegate: MaximumAvailableConnections(maxConnections)),
            onServerRunning: { [hosts] channel in
                let port = channel.localAddress?.port ?? 0
                hosts.bound(port: port)
                await onRunning(port)
            },
            logger: logger)
    }

    static func timeAmount(_ d: Duration) -> TimeAmount {
        let (seconds, atto) = d.components
        return .nanoseconds(seconds * 1_000_000_000 + atto / 1_000_000_000)
    }

    /// Serves until SIGINT/SIGTERM; `onRunning` gets the bound port (useful with port 0).
    public func run(onRunning: @escaping @Sendable (Int) async -> Void) async throws {
        try await application(onRunning: onRunning).runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}
