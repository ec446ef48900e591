import Foundation

/// One source of the credential chain.
public protocol CredentialProvider: Sendable {
    /// For messages: `environment`, `profile dev`, `web identity`, `container`, `IMDS`.
    var name: String { get }
    /// The credentials, nil when this source is not configured here (the chain moves on);
    /// throws when it is configured but does not work.
    func load() async throws(AWSError) -> AWSCredentials?
}

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and optional `AWS_SESSION_TOKEN`.
public struct EnvironmentCredentialProvider: CredentialProvider {
    public let environment: AWSEnvironment
    public var name: String { "environment" }

    public init(environment: AWSEnvironment) { self.environment = environment }

    public func load() async throws(AWSError) -> AWSCredentials? {
        let key = environment["AWS_ACCESS_KEY_ID"], secret = environment["AWS_SECRET_ACCESS_KEY"]
        switch (key, secret) {
        case (nil, nil):
            return nil
        case let (key?, secret?):
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret,
                                  sessionToken: environment["AWS_SESSION_TOKEN"] ?? environment["AWS_SECURITY_TOKEN"], source: name)
        default:
            throw AWSError(.badCredentials, operation: "environment credentials",
                           reason: "set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (only one is set)")
        }
    }
}

/// Parses the JSON credential documents of the container endpoint and IMDS
/// (`AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration`).
enum CredentialDocument {
    static func parse(_ body: [UInt8], source: String) throws(AWSError) -> AWSCredentials {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let key = object["AccessKeyId"] as? String, let secret = object["SecretAccessKey"] as? String,
              !key.isEmpty, !secret.isEmpty else {
            throw AWSError(.badResponse, operation: source, reason: "the credential document has no AccessKeyId and SecretAccessKey")
        }
        if let code = object["Code"] as? String, code != "Success" {
            throw AWSError(.badResponse, operation: source, serviceCode: code, reason: "the credential document reports a failure")
        }
        let expiration = (object["Expiration"] as? String).flatMap(ISOTime.parse)
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: object["Token"] as? String,
                              expiration: expiration, source: source)
    }
}

/// ISO 8601 times as AWS writes them (`2026-12-04T21:00:00Z`, with or without fractions).
enum ISOTime {
    static func parse(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}
