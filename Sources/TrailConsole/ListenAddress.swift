import Foundation

/// `--listen HOST:PORT` (IPv6 as `[::1]:8080`), and whether it stays on this machine.
public struct ListenAddress: Sendable, Equatable {
    public var host: String
    public var port: Int

    /// Parses `HOST:PORT` or `[IPV6]:PORT`; a port from 0 (any free port) to 65535.
    public init(parsing text: String) throws(ConsoleError) {
        var host: Substring
        var portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw ConsoleError(.invalidListen, subject: "--listen \(text)", message: "give HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080")
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else {
                throw ConsoleError(.invalidListen, subject: "--listen \(text)", message: "give HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080")
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (0...65535).contains(port) else {
            throw ConsoleError(.invalidListen, subject: "--listen \(text)", message: "give HOST:PORT with a port from 0 to 65535")
        }
        self.host = String(host)
        self.port = port
    }

    /// True for 127.0.0.0/8, ::1 and `localhost`: reachable from this machine only.
    public var isLoopback: Bool {
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}

/// The bearer token from `--auth-token-file`: the file's first line, trimmed; at least 16 bytes of
/// printable ASCII without the characters a cookie cannot carry.
public enum AuthToken {
    public static let minimumLength = 16

    /// The token in a token file's `contents`; `file` names it in errors.
    public static func parse(_ contents: String, file: String) throws(ConsoleError) -> String {
        let line = contents.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).first.map(String.init) ?? ""
        let token = line.trimmingCharacters(in: .whitespaces)
        guard token.utf8.count >= minimumLength else {
            throw ConsoleError(.tokenFile, subject: file, message: "the token must be at least \(minimumLength) characters (e.g. `openssl rand -hex 32 > \(file)`)")
        }
        let forbidden: Set<UInt8> = [UInt8(ascii: ";"), UInt8(ascii: ","), UInt8(ascii: "\""), UInt8(ascii: "\\")]
        guard token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !forbidden.contains($0) }) else {
            throw ConsoleError(.tokenFile, subject: file, message: "the token must be printable ASCII without spaces, ; , \" or \\")
        }
        return token
    }
}
