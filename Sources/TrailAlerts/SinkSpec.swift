import Foundation

/// Where alerts go, as given to `--sink`: `stdout`, `file:PATH`, `webhook:URL` or `slack:URL`.
///
/// A URL can be a credential (a Slack incoming-webhook path is one), so a sink is known everywhere
/// it can be printed or stored by its ``name``: the scheme, host and port, with the path and query
/// replaced by a short hash of the whole URL that tells two sinks of one host apart.
public struct SinkSpec: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case stdout, file, webhook, slack
    }

    public var kind: Kind
    /// The file path, or the URL (secret: never print it; print ``name``).
    public var target: String

    /// Parses `stdout`, `file:PATH`, `webhook:URL`, `slack:URL`.
    public init(parsing text: String) throws(DeliveryError) {
        if text == "stdout" || text == "-" {
            self.init(kind: .stdout, target: "")
            return
        }
        guard let colon = text.firstIndex(of: ":"), let kind = Kind(rawValue: String(text[..<colon])), kind != .stdout else {
            throw DeliveryError(.usage, sink: Self.redactUnparsed(text),
                                message: "not a sink: give stdout, file:PATH, webhook:URL or slack:URL")
        }
        let target = String(text[text.index(after: colon)...])
        try self.init(kind: kind, checking: target)
    }

    /// A sink of `kind` at `target`, checked: a non-empty path, or an http(s) URL with a host.
    public init(kind: Kind, checking target: String) throws(DeliveryError) {
        self.init(kind: kind, target: target)
        switch kind {
        case .stdout:
            break
        case .file:
            if target.isEmpty { throw DeliveryError(.usage, sink: "file:", message: "file: needs a path") }
        case .webhook, .slack:
            guard let url = URL(string: target), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                  let host = url.host, !host.isEmpty else {
                throw DeliveryError(.usage, sink: name, message: "\(kind.rawValue): needs an http or https URL with a host")
            }
            // A port past 65535 passed URL parsing and trapped in the HTTP client at the first send.
            if let port = url.port, !(1...65535).contains(port) {
                throw DeliveryError(.usage, sink: name, message: "\(kind.rawValue): port \(port) is not between 1 and 65535")
            }
        }
    }

    /// Standard output.
    public static let standardOutput = SinkSpec(kind: .stdout, target: "")

    init(kind: Kind, target: String) {
        self.kind = kind
        self.target = target
    }

    /// The name stored in the outbox and printed: `stdout`, `file:PATH`, or
    /// `webhook:https://host[:port]/…#1a2b3c4d` (path, query and credentials replaced by a hash).
    public var name: String {
        switch kind {
        case .stdout: return "stdout"
        case .file: return "file:" + target
        case .webhook, .slack: return kind.rawValue + ":" + Self.redactURL(target)
        }
    }

    /// Whether the sink writes lines (standard output, a file) rather than HTTP requests.
    public var isLineOriented: Bool { kind == .stdout || kind == .file }

    /// `scheme://host[:port]`, then `/…` when the URL has more, then `#` and 8 hex digits of a
    /// hash of the whole URL. Never contains the path, the query or user information.
    public static func redactURL(_ text: String) -> String {
        guard let components = URLComponents(string: text), let scheme = components.scheme, let host = components.host else {
            return "<url>#" + shortHash(text)
        }
        var out = scheme.lowercased() + "://" + host
        if let port = components.port { out += ":\(port)" }
        let rest = components.percentEncodedPath + (components.percentEncodedQuery ?? "")
        if !rest.isEmpty && rest != "/" { out += "/…" }
        return out + "#" + shortHash(text)
    }

    private static func redactUnparsed(_ text: String) -> String {
        if let colon = text.firstIndex(of: ":"), text[colon...].hasPrefix("://") { return redactURL(text) }
        if let colon = text.firstIndex(of: ":") { return String(text[..<colon]) + ":…" }
        return text.count > 16 ? String(text.prefix(16)) + "…" : text
    }

    /// 8 hex digits of the FNV-1a hash of `text`: tells URLs apart without revealing them.
    static func shortHash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash >> 32, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
