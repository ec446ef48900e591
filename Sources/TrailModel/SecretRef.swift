/// One secret, resolved to a single identity whatever form the record used to name it.
public struct SecretRef: Sendable, Hashable, Codable {
    /// The canonical identity: the full ARN (with the 6-character suffix) when known, otherwise a
    /// partial ARN built from partition, account, region and name
    /// (`arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db`).
    public var id: String
    /// The secret's name (`prod/db/password`), without the random suffix.
    public var name: String
    /// The account that owns the secret.
    public var account: String
    /// The region the secret lives in.
    public var region: String
    /// Whether `id` is a full ARN including the random suffix.
    public var isFullARN: Bool

    public init(id: String, name: String, account: String, region: String, isFullARN: Bool) {
        self.id = id
        self.name = name
        self.account = account
        self.region = region
        self.isFullARN = isFullARN
    }
}
