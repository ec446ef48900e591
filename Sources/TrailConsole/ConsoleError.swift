/// Why the console cannot start or cannot answer a request: one error type for the target, with
/// structured context (the option, file or query parameter it is about).
public struct ConsoleError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// `--listen` is not `HOST:PORT`.
        case invalidListen
        /// Listening beyond loopback without `--auth-token-file`.
        case authRequired
        /// The token file cannot be read, or holds too short a token.
        case tokenFile
        /// A query-string parameter is unknown, too long or not a valid value (HTTP 400).
        case badParameter
        /// The thing asked for is not in the store (HTTP 404).
        case notFound
    }

    public var kind: Kind
    /// The option, file or parameter the error is about.
    public var subject: String
    public var message: String

    public init(_ kind: Kind, subject: String, message: String) {
        self.kind = kind
        self.subject = subject
        self.message = message
    }

    public var description: String { "\(subject): \(message)" }
}
