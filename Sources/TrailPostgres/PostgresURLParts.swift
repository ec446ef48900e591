import TrailStore

/// The pieces of a `postgres://` URL as written, decoded but without defaults.
///
/// Layout: `SCHEME://[USER[:PASSWORD]@][HOST][:PORT][/DB][?KEY=VALUE&…]`. The user information
/// ends at the last `@` before `?`, so an unencoded `@` or `/` in a password still parses; `?`
/// and `#` in a password must be written `%3F` and `%23`.
struct PostgresURLParts {
    var user: String?
    var password: String?
    var host: String?
    var port: Int?
    var database: String?
    var sslmode: String?
    var sslrootcert: String?
    var connectTimeout: Int?
    var applicationName: String?
    /// The input with any password left out, for error messages.
    var redactedInput: String

    /// The query parameters understood.
    static let parameters: Set<String> = [
        "sslmode", "sslrootcert", "host", "port", "user", "password", "dbname", "connect_timeout", "application_name",
    ]

    init(parsing text: String) throws(StoreError) {
        let lower = text.lowercased()
        let schemeLength = lower.hasPrefix("postgresql://") ? 13 : lower.hasPrefix("postgres://") ? 11 : 0
        let afterScheme = text.dropFirst(schemeLength)
        let queryStart = afterScheme.firstIndex(of: "?")
        let beforeQuery = afterScheme[..<(queryStart ?? afterScheme.endIndex)]
        let at = beforeQuery.lastIndex(of: "@")
        let hostAndPath = at.map { beforeQuery[beforeQuery.index(after: $0)...] } ?? beforeQuery
        let userInfo = at.map { beforeQuery[..<$0] }
        let userText = userInfo.map { $0.prefix { $0 != ":" } }

        // Built first, from the parts that cannot hold a password, so every error can name the URL.
        var shown = schemeLength == 0 ? "postgres://" : String(text.prefix(schemeLength))
        let atAfterQuery = at == nil && queryStart.map { afterScheme[$0...].contains("@") } == true
        if atAfterQuery {
            // `user:pa?ss@host`: the password runs past the `?`, so nothing before the last `@`
            // can be told apart from it. Nothing of the URL is shown.
            shown += "REDACTED"
        } else {
            if let userText { shown += PercentCoding.encode(String(userText), keeping: "%") + "@" }
            shown += PercentCoding.encode(Self.maskingPort(hostAndPath), keeping: "%/:[]")
        }
        if let queryStart, !atAfterQuery {
            let pairs = afterScheme[afterScheme.index(after: queryStart)...].split(separator: "&", omittingEmptySubsequences: false)
            shown += "?" + pairs.map { pair in
                let key = pair.prefix { $0 != "=" }
                let value = key.lowercased() == "password" ? "REDACTED" : String(pair.dropFirst(key.count + 1))
                return PercentCoding.encode(String(key), keeping: "%") + "=" + PercentCoding.encode(value, keeping: "%/")
            }.joined(separator: "&")
        }
        redactedInput = shown
        let path = shown
        func invalid(_ message: String) -> StoreError {
            StoreError(.invalidArgument, path: path, operation: "PostgreSQL URL", message: message)
        }
        func decoded(_ raw: Substring, _ what: String) throws(StoreError) -> String {
            do {
                return try PercentCoding.decode(raw)
            } catch {
                switch error {
                case .badEscape: throw invalid("the \(what) has a % not followed by two hexadecimal digits")
                case .notUTF8: throw invalid("the \(what) is not UTF-8 once percent-decoded")
                case .nul: throw invalid("the \(what) holds a NUL byte")
                }
            }
        }

        guard schemeLength > 0 else { throw invalid("the URL must start with postgres:// or postgresql://") }
        if at == nil, let queryStart, afterScheme[queryStart...].contains("@") {
            throw invalid("an @ after the ?: write ? and # in a password as %3F and %23")
        }
        guard !afterScheme.contains("#") else { throw invalid("a # in the URL: write it as %23") }

        if let userInfo {
            let userRaw = userInfo.prefix { $0 != ":" }
            let name = try decoded(userRaw, "user name")
            user = name.isEmpty ? nil : name
            if userRaw.endIndex < userInfo.endIndex {
                password = try decoded(userInfo[userInfo.index(after: userRaw.endIndex)...], "password")
            }
        }

        let slash = hostAndPath.firstIndex(of: "/")
        let hostPort = hostAndPath[..<(slash ?? hostAndPath.endIndex)]
        if let slash {
            let db = try decoded(hostAndPath[hostAndPath.index(after: slash)...], "database name")
            database = db.isEmpty ? nil : db
        }
        try parseHostPort(hostPort, decoded: decoded, invalid: invalid)

        if let queryStart {
            var seen: Set<String> = []
            for pair in afterScheme[afterScheme.index(after: queryStart)...].split(separator: "&") {
                let keyRaw = pair.prefix { $0 != "=" }
                let key = try decoded(keyRaw, "parameter name")
                guard Self.parameters.contains(key) else {
                    throw invalid("unknown parameter \(PercentCoding.encode(key)): use \(Self.parameters.sorted().joined(separator: ", "))")
                }
                guard keyRaw.endIndex < pair.endIndex else { throw invalid("parameter \(key) has no value (write \(key)=VALUE)") }
                guard seen.insert(key).inserted else { throw invalid("parameter \(key) is given twice") }
                let value = try decoded(pair[pair.index(after: keyRaw.endIndex)...], "value of \(key)")
                try apply(key, value, invalid: invalid)
            }
        }
    }

    private mutating func parseHostPort(
        _ text: Substring,
        decoded: (Substring, String) throws(StoreError) -> String,
        invalid: (String) -> StoreError
    ) throws(StoreError) {
        guard !text.contains(",") else { throw invalid("several hosts are not supported: name one") }
        var hostRaw = text
        var portRaw: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw invalid("an IPv6 address opened with [ is not closed with ]") }
            hostRaw = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw invalid("unexpected text after the IPv6 address: expected :PORT") }
                portRaw = rest.dropFirst()
            }
        } else if let colon = text.lastIndex(of: ":") {
            hostRaw = text[..<colon]
            portRaw = text[text.index(after: colon)...]
        }
        let name = try decoded(hostRaw, "host")
        if !name.isEmpty { host = name }
        if let portRaw { port = try Self.port(String(portRaw), invalid: invalid) }
    }

    private mutating func apply(_ key: String, _ value: String, invalid: (String) -> StoreError) throws(StoreError) {
        switch key {
        case "sslmode": sslmode = value
        case "sslrootcert":
            guard !value.isEmpty else { throw invalid("sslrootcert is empty: name a PEM file of CA certificates") }
            sslrootcert = value
        case "host":
            guard host == nil else { throw invalid("the host is given both before the path and as host=") }
            guard !value.isEmpty, !value.contains(",") else { throw invalid("host= must name one host or socket directory") }
            host = value
        case "port":
            guard port == nil else { throw invalid("the port is given both after the host and as port=") }
            port = try Self.port(value, invalid: invalid)
        case "user":
            guard user == nil else { throw invalid("the user is given both before the @ and as user=") }
            user = value
        case "password":
            guard password == nil else { throw invalid("the password is given both before the @ and as password=") }
            password = value
        case "dbname":
            guard database == nil else { throw invalid("the database is given both as the path and as dbname=") }
            database = value
        case "connect_timeout":
            guard let seconds = Int(value), (1...3600).contains(seconds) else {
                throw invalid("connect_timeout=\(PercentCoding.encode(value)) is not a whole number of seconds from 1 to 3600")
            }
            connectTimeout = seconds
        case "application_name": applicationName = value
        default: break
        }
    }

    private static func port(_ text: String, invalid: (String) -> StoreError) throws(StoreError) -> Int {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let port = Int(text), (1...65535).contains(port) else {
            // Not echoed: `user:password` written without `@host` reads as `host:port`.
            throw invalid("the port is not a number from 1 to 65535")
        }
        return port
    }

    /// `host:port/db` with a port that is not a port (digits, 1 to 65535) shown as `REDACTED`:
    /// it may be a password written without its `@host`.
    static func maskingPort(_ hostAndPath: Substring) -> String {
        let authority = hostAndPath.prefix { $0 != "/" }
        let rest = hostAndPath.dropFirst(authority.count)
        let afterBracket = authority.lastIndex(of: "]").map { authority[authority.index(after: $0)...] } ?? authority[...]
        guard let colon = afterBracket.lastIndex(of: ":") else { return String(hostAndPath) }
        let port = afterBracket[afterBracket.index(after: colon)...]
        if port.isEmpty || (port.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
                            && Int(port).map({ (1...65535).contains($0) }) == true) {
            return String(hostAndPath)
        }
        return String(authority[..<colon]) + ":REDACTED" + rest
    }
}
