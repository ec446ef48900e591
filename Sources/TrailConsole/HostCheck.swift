import HTTPTypes
import Hummingbird
import Synchronization
import TrailSync

/// The `Host` values the console answers (against DNS rebinding: a page on `evil.example` whose
/// name later resolves to 127.0.0.1 sends `Host: evil.example`).
///
/// Accepted: `localhost`, `127.0.0.1`, `[::1]` and the listen host, without a port or with the
/// port the server is bound to, plus each `--allow-host` name with any port (a reverse proxy may
/// forward its own). Names compare case-insensitively. Anything else, or no `Host`, is answered
/// 421 Misdirected Request.
public final class HostPolicy: Sendable {
    private let names: Set<String>
    private let proxyNames: Set<String>
    private let port: Mutex<Int>

    /// `listen` gives the listen host and port (port 0: the bound port, set by ``bound(port:)``).
    public init(listen: ListenAddress, allowHosts: [String] = []) {
        let host = listen.host.contains(":") ? "[\(listen.host)]" : listen.host
        names = Set(["localhost", "127.0.0.1", "[::1]", host.lowercased()])
        proxyNames = Set(allowHosts.map { $0.lowercased() })
        port = Mutex(listen.port)
    }

    /// Exactly `names` (lower case, IPv6 bracketed) on `port`, plus `allowHosts` on any port.
    init(names: Set<String>, port: Int = 0, allowHosts: [String]) {
        self.names = names
        proxyNames = Set(allowHosts.map { $0.lowercased() })
        self.port = Mutex(port)
    }

    /// Records the port the server is bound to (for `--listen HOST:0`).
    public func bound(port: Int) { self.port.locked { $0 = port } }

    /// True when a request with this `Host` (authority) is answered.
    public func allows(_ authority: String?) -> Bool {
        guard let authority = authority?.lowercased(), !authority.isEmpty else { return false }
        var name = Substring(authority)
        var portText: Substring?
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            name = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        }
        if proxyNames.contains(String(name)) { return portText.map { UInt16($0) != nil } ?? true }
        guard names.contains(String(name)) else { return false }
        guard let portText else { return true }
        let bound = port.locked { $0 }
        return Int(portText) == bound
    }
}

/// Answers 421 for a `Host` the policy does not accept (the security headers are added outside).
struct HostCheck<Context: RequestContext>: RouterMiddleware {
    let policy: HostPolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard policy.allows(request.head.authority) else {
            return ConsoleResponse.error(status: .misdirectedRequest, message: "this console does not answer for that Host (see --allow-host)",
                                         html: !request.uri.path.hasPrefix("/api/"))
        }
        return try await next(request, context)
    }
}
