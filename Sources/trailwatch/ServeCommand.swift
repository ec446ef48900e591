import ArgumentParser
import Foundation
import TrailConsole
import TrailIngest
import TrailModel
import TrailStore

/// `trailwatch serve`: the read-only web console over a store.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a read-only web console over the store: overview, alerts, secrets, principals, search, and /api/… JSON.",
        discussion: """
        The store is opened read-only (nothing the console serves can write) and may be written by a \
        running `tail` at the same time. Pages are HTML with inline SVG charts and no script; \
        /api/status, /api/alerts and /api/query/{access,callers,secrets,secret,pending-deletions} \
        return what the matching command prints with --format json. SIGINT or SIGTERM stops the \
        server once requests in flight are answered.

        Listening beyond loopback requires --auth-token-file: the file's first line is a bearer \
        token (at least 16 characters), sent as `Authorization: Bearer TOKEN` or through the login \
        form, which sets a cookie (sign out at /logout); the file must not be readable by group or \
        others (chmod 600). Beyond loopback, put a TLS reverse proxy in front and pass \
        --cookie-secure. Requests are answered only for Host localhost, 127.0.0.1, [::1] \
        or the listen host (against DNS rebinding); name the host clients use with --allow-host.

        Examples:
          trailwatch serve --db trailwatch.db
          trailwatch serve --db trailwatch.db --listen 127.0.0.1:9000
          openssl rand -hex 32 > console.token && chmod 600 console.token
          trailwatch serve --db trailwatch.db --listen 0.0.0.0:8080 --auth-token-file console.token --allow-host console.example.com
          curl -H "Authorization: Bearer $(cat console.token)" 'http://host:8080/api/alerts?severity=high&since=7d'
        """)

    @Option(help: ArgumentHelp(
        "The store to read: an SQLite file or a postgres:// URL (default: $TRAILWATCH_DB, else trailwatch.db); never created, never written.",
        valueName: "file|url"))
    var db: String?

    @Option(help: ArgumentHelp("Address and port to listen on (port 0 picks a free one, printed on standard error).", valueName: "host:port"))
    var listen: String = "127.0.0.1:8080"

    @Option(name: .customLong("auth-token-file"), help: ArgumentHelp("A file whose first line is the bearer token; required beyond loopback.", valueName: "file"))
    var authTokenFile: String?

    @Option(name: .customLong("allow-host"), help: ArgumentHelp("A Host name clients or a reverse proxy use, besides localhost, 127.0.0.1, [::1] and the listen host (repeatable); other Host values get 421.", valueName: "name"))
    var allowHost: [String] = []

    @Flag(name: .customLong("cookie-secure"), help: "Mark the login cookie Secure (when a TLS proxy serves the console over HTTPS).")
    var cookieSecure = false

    func run() async throws {
        let address: ListenAddress
        var token: String?
        do {
            address = try ListenAddress(parsing: listen)
            if let authTokenFile {
                try AuthToken.checkPermissions(of: authTokenFile)
                guard let data = FileManager.default.contents(atPath: authTokenFile) else {
                    throw ConsoleError(.tokenFile, subject: authTokenFile, message: "cannot be read")
                }
                token = try AuthToken.parse(String(decoding: data, as: UTF8.self), file: authTokenFile)
            }
        } catch {
            throw CLIError.usage("\(error)")
        }
        // One read-only connection per core, so pages are read in parallel.
        var stores: [Store] = []
        do {
            for _ in 0..<min(8, max(2, ProcessInfo.processInfo.activeProcessorCount)) {
                stores.append(try StoreLocation(db).open(readOnly: true))
            }
        } catch {
            StandardError.storeError(error)
            throw ExitCode(CommandFailure(error).exitCode)
        }
        var console = Console(stores: stores, clock: wallClockNow)
        console.inflater = InflateBackend.description
        var server: ConsoleServer
        do {
            server = try ConsoleServer(console: console, listen: address, token: token, allowHosts: allowHost)
        } catch {
            throw CLIError.usage("\(error)")
        }
        server.cookieSecure = cookieSecure
        let host = address.host.contains(":") ? "[\(address.host)]" : address.host
        try await server.run { port in
            StandardError.note("serving http://\(host):\(port)/ (read-only; SIGINT or SIGTERM stops)")
        }
        StandardError.note("stopped")
    }
}
