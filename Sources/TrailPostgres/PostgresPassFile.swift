#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A libpq password file (`~/.pgpass`): lines of `hostname:port:database:username:password`.
///
/// Each of the first four fields may be `*` (any value); `\:` and `\\` stand for `:` and `\`.
/// Lines starting with `#` are comments. The first line that matches wins. As libpq does, the
/// file is ignored unless it is a regular file that group and others cannot use (mode 0600 or
/// stricter).
public struct PostgresPassFile: Sendable, Equatable {
    /// One line: four patterns (nil for `*`, any value) and the password.
    public struct Entry: Sendable, Equatable {
        public var host: String?
        public var port: String?
        public var database: String?
        public var user: String?
        public var password: String

        public init(host: String?, port: String?, database: String?, user: String?, password: String) {
            self.host = host
            self.port = port
            self.database = database
            self.user = user
            self.password = password
        }

        func matches(host: String, port: Int, database: String, user: String) -> Bool {
            func match(_ pattern: String?, _ value: String) -> Bool { pattern == nil || pattern == value }
            return match(self.host, host) && match(self.port, String(port))
                && match(self.database, database) && match(self.user, user)
        }
    }

    /// The outcome of reading a password file.
    public enum Load: Sendable, Equatable {
        case loaded(PostgresPassFile)
        /// The file does not exist (not an error: most users have none).
        case missing
        /// The file exists but is not used, and why (its permissions, not a regular file, unreadable).
        case ignored(String)
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    /// Parses the file's text; lines with fewer than five fields are skipped, as in libpq.
    public init(parsing text: String) {
        var entries: [Entry] = []
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            if line.hasPrefix("#") { continue }
            let fields = Self.fields(line)
            guard fields.count == 5 else { continue }
            let password = fields[4] ?? "*"
            entries.append(Entry(host: fields[0], port: fields[1], database: fields[2], user: fields[3], password: password))
        }
        self.entries = entries
    }

    /// The password of the first entry matching the connection, or nil.
    public func password(host: String, port: Int, database: String, user: String) -> String? {
        guard let entry = entries.first(where: { $0.matches(host: host, port: port, database: database, user: user) }),
              !entry.password.isEmpty else { return nil }
        return entry.password
    }

    /// Reads `path`: missing, ignored (permissions wider than 0600, not a regular file, unreadable
    /// or larger than 1 MiB) or loaded.
    public static func load(path: String) -> Load {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else {
            let error = errno
            return error == ENOENT ? .missing : .ignored(String(cString: strerror(error)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .ignored(String(cString: strerror(errno))) }
        guard info.st_mode & S_IFMT == S_IFREG else { return .ignored("not a regular file") }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            return .ignored("group or others may read it (mode 0\(String(mode, radix: 8))); it must be 0600 or stricter")
        }
        let limit = 1 << 20
        guard info.st_size <= limit else { return .ignored("larger than 1 MiB") }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var filled = 0
        while filled < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { return .ignored(String(cString: strerror(errno))) }
            if n == 0 { break }
            filled += n
        }
        return .loaded(PostgresPassFile(parsing: String(decoding: bytes[..<filled], as: UTF8.self)))
    }

    /// Splits a line at unescaped `:` into fields, de-escaping `\:` and `\\`; an unescaped `*`
    /// alone in a field is nil. As in libpq, the password ends at an unescaped `:`.
    static func fields(_ line: Substring) -> [String?] {
        var fields: [String?] = []
        var current = ""
        var wildcard = true
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
                wildcard = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" {
                fields.append(wildcard && current == "*" ? nil : current)
                if fields.count == 5 { return fields }
                current = ""
                wildcard = true
            } else {
                current.append(character)
            }
        }
        fields.append(wildcard && current == "*" ? nil : current)
        return fields
    }
}
