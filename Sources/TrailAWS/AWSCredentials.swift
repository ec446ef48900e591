import Foundation

/// An access key pair, with a session token and an expiry for temporary credentials.
///
/// `description` and `debugDescription` never show the secret or the token, so a credential
/// printed by mistake leaks nothing but the key id's last four characters.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// When temporary credentials stop working; nil for long-term keys.
    public var expiration: Date?
    /// Where they came from (`environment`, `profile dev`, `web identity`, `container`, `IMDS`).
    public var source: String

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil, source: String) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.source = source
    }

    public var description: String {
        "AWSCredentials(key …\(accessKeyID.suffix(4)), from \(source)\(sessionToken == nil ? "" : ", temporary"))"
    }

    public var debugDescription: String { description }
}
