import TrailStore

/// Where a PostgreSQL store lives and how to log in: a `postgres://` or `postgresql://` URL parsed,
/// with the password found as libpq finds it.
///
/// ```
/// postgres://USER[:PASSWORD]@HOST[:PORT]/DB?sslmode=verify-full&sslrootcert=/etc/ssl/rds.pem
/// postgres://trailwatch@/trail?host=/var/run/postgresql        (a Unix socket directory)
/// ```
///
/// Query parameters: `sslmode` (`disable`, `require`, `verify-full`), `sslrootcert` (a PEM file of
/// CA certificates for `verify-full`; without it the system's trust roots are used), `host` (a
/// Unix socket directory when it starts with `/`, else a host name), `port`, `user`, `password`,
/// `dbname`, `connect_timeout` (seconds, 1 to 3600, default 10) and `application_name`. Any
/// other parameter is refused, so a misspelt `sslmode` cannot silently turn TLS off.
///
/// Without `sslmode`, TLS is `require` unless the server is on this machine (a Unix socket,
/// `localhost`, `127.0.0.0/8` or `::1`), where it is `disable`: traffic that leaves the machine is
/// always encrypted unless the URL says otherwise. libpq's `prefer` and `allow` (which fall back
/// to plain text when an attacker in the middle refuses TLS) and `verify-ca` are not supported.
///
/// Password, first found: the URL (user info or `password=`), `PGPASSWORD`, then the password file
/// (`PGPASSFILE`, else `~/.pgpass`) in libpq's format, which is ignored unless only its owner may
/// read it. `description` (`redacted`) never contains the password: use it in every message.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// How the connection is encrypted.
    public enum TLSMode: String, Sendable, Equatable {
        /// Plain text.
        case disable
        /// Encrypted, the server's certificate not checked (as libpq's `require` without a root
        /// certificate): protects against eavesdroppers, not against an active attacker.
        case require
        /// Encrypted, the certificate chain checked against the CA file (or the system's roots)
        /// and the host name checked against the certificate.
        case verifyFull = "verify-full"
    }

    /// Where the password came from (never the password itself).
    public enum PasswordSource: Sendable, Equatable {
        case url
        case environment
        /// The password file at this path.
        case passFile(String)
        /// No password was found: the server may still accept the login (trust, peer).
        case none
    }

    /// The login role.
    public var user: String
    /// The password, or nil. Never printed.
    public var password: String?
    /// Where `password` came from.
    public var passwordSource: PasswordSource
    /// A host name or IP address, or for a Unix socket the directory holding it.
    public var host: String
    /// The TCP port, or the number in the socket's file name (`.s.PGSQL.PORT`).
    public var port: Int
    public var database: String
    public var tlsMode: TLSMode
    /// True when `sslmode` was given; false when `tlsMode` is the default for the host.
    public var tlsModeExplicit: Bool
    /// The CA certificates (PEM) for `verify-full`; nil for the system's trust roots.
    public var rootCertificatePath: String?
    /// How long to wait for the connection and the login, in seconds.
    public var connectTimeoutSeconds: Int
    public var applicationName: String?
    /// Remarks for standard error (a password file ignored because of its permissions).
    public var warnings: [String]

    /// True when `host` names a Unix socket directory.
    public var isUnixSocket: Bool { host.hasPrefix("/") }

    /// The socket file for a Unix socket connection: `HOST/.s.PGSQL.PORT`.
    public var socketPath: String? {
        guard isUnixSocket else { return nil }
        return (host.hasSuffix("/") ? host : host + "/") + ".s.PGSQL.\(port)"
    }

    /// True when the server is on this machine: a Unix socket or a loopback address.
    public var isLocal: Bool { isUnixSocket || Self.isLoopback(host) }

    /// True when `text` starts with `postgres://` or `postgresql://` (case-insensitive).
    public static func isPostgres(_ text: String) -> Bool {
        let lower = text.prefix(13).lowercased()
        return lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://")
    }

    /// Parses `text` and looks up the password. `environment` is the process's environment
    /// (`PGPASSWORD`, `PGPASSFILE`, `HOME`, `PGUSER`, `USER`), injected so tests need not touch
    /// the real one. Errors are `.invalidArgument`, name what is wrong and never echo a password.
    public init(parsing text: String, environment: [String: String]) throws(StoreError) {
        let parts = try PostgresURLParts(parsing: text)
        try self.init(parts: parts, environment: environment)
    }

    /// The URL without any password: `postgres://USER@HOST:PORT/DB?sslmode=MODE`, with the other
    /// parameters that were given. Characters outside URL-safe ASCII are percent-encoded.
    public var redacted: String {
        var text = "postgres://" + PercentCoding.encode(user) + "@"
        if !isUnixSocket {
            text += host.contains(":") ? "[\(host)]" : PercentCoding.encode(host)
            text += ":\(port)"
        }
        text += "/" + PercentCoding.encode(database)
        var query: [String] = []
        if isUnixSocket {
            query.append("host=" + PercentCoding.encode(host, keeping: "/"))
            query.append("port=\(port)")
        }
        query.append("sslmode=" + tlsMode.rawValue)
        if let rootCertificatePath { query.append("sslrootcert=" + PercentCoding.encode(rootCertificatePath, keeping: "/")) }
        if connectTimeoutSeconds != Self.defaultConnectTimeout { query.append("connect_timeout=\(connectTimeoutSeconds)") }
        if let applicationName { query.append("application_name=" + PercentCoding.encode(applicationName)) }
        return text + "?" + query.joined(separator: "&")
    }

    public var description: String { redacted }

    /// The connection timeout used when the URL sets none.
    public static let defaultConnectTimeout = 10
    /// PostgreSQL's port.
    public static let defaultPort = 5432
    /// Where Debian's libpq looks for the server's socket when the URL names no host.
    public static let defaultSocketDirectory = "/var/run/postgresql"

    static func isLoopback(_ host: String) -> Bool {
        let lower = host.lowercased()
        if lower == "localhost" || lower == "::1" || lower == "0:0:0:0:0:0:0:1" { return true }
        let octets = lower.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}

extension PostgresLocation {
    /// Fills in defaults, checks the combination and finds the password.
    init(parts: PostgresURLParts, environment: [String: String]) throws(StoreError) {
        let path = parts.redactedInput
        func invalid(_ message: String) -> StoreError {
            StoreError(.invalidArgument, path: path, operation: "PostgreSQL URL", message: message)
        }
        guard let user = parts.user ?? environment["PGUSER"] ?? environment["USER"], !user.isEmpty else {
            throw invalid("no user: write postgres://USER@HOST/DB")
        }
        self.user = user
        self.host = parts.host ?? Self.defaultSocketDirectory
        self.port = parts.port ?? Self.defaultPort
        self.database = parts.database ?? user
        guard !database.isEmpty else { throw invalid("the database name is empty") }
        if let mode = parts.sslmode {
            guard let tls = TLSMode(rawValue: mode) else {
                throw invalid("sslmode=\(PercentCoding.encode(mode)) is not supported: use disable, require or verify-full (prefer, allow and verify-ca are not supported)")
            }
            tlsMode = tls
            tlsModeExplicit = true
        } else {
            tlsMode = (host.hasPrefix("/") || Self.isLoopback(host)) ? .disable : .require
            tlsModeExplicit = false
        }
        rootCertificatePath = parts.sslrootcert
        if rootCertificatePath != nil, tlsMode != .verifyFull {
            throw invalid("sslrootcert needs sslmode=verify-full (the CA file is used only to verify the server)")
        }
        if rootCertificatePath == "system" { rootCertificatePath = nil }
        if tlsMode != .disable, host.hasPrefix("/") {
            throw invalid("sslmode=\(tlsMode.rawValue) over a Unix socket: TLS is for TCP connections; use sslmode=disable")
        }
        connectTimeoutSeconds = parts.connectTimeout ?? Self.defaultConnectTimeout
        applicationName = parts.applicationName
        warnings = []
        if let password = parts.password {
            self.password = password
            passwordSource = .url
        } else if let password = environment["PGPASSWORD"], !password.isEmpty {
            self.password = password
            passwordSource = .environment
        } else {
            self.password = nil
            passwordSource = .none
            let file = environment["PGPASSFILE"] ?? environment["HOME"].map { ($0.hasSuffix("/") ? $0 : $0 + "/") + ".pgpass" }
            if let file {
                switch PostgresPassFile.load(path: file) {
                case .loaded(let passFile):
                    let hostKey = isUnixSocket && host == Self.defaultSocketDirectory ? "localhost" : host
                    if let found = passFile.password(host: hostKey, port: port, database: database, user: user) {
                        self.password = found
                        passwordSource = .passFile(file)
                    }
                case .ignored(let reason):
                    warnings.append("password file \(file) ignored: \(reason)")
                case .missing:
                    break
                }
            }
        }
    }
}

extension PostgresLocation: CustomReflectable {
    /// `dump` and debuggers show the fields with the password replaced.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "redacted": redacted as Any,
            "password": (password == nil ? "none" : "REDACTED") as Any,
            "passwordSource": passwordSource as Any,
            "warnings": warnings as Any,
        ])
    }
}
