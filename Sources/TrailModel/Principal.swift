/// The stable identity of an actor, one per person or workload, whatever credentials it used.
///
/// For an assumed role the identity is the role (from `sessionContext.sessionIssuer.arn`) and the
/// session name is kept apart, so that baselines are per role and not per session.
public struct Principal: Sendable, Hashable, Codable {
    /// The kind of identity, as CloudTrail's `userIdentity.type` says (`AssumedRole`, `IAMUser`,
    /// `Root`, `AWSService`, `IdentityCenterUser`, ...), or `Unknown`.
    public var type: String
    /// The stable key: a role ARN, user ARN, `root` ARN, service name (`ec2.amazonaws.com`),
    /// Identity Center user (`identityStoreArn/userId`), or the best available identifier.
    public var id: String
    /// The session name of an assumed role (for EC2 an instance id, for SSO the person's name).
    public var session: String?
    /// The account the principal belongs to, when known.
    public var accountId: String?

    public init(type: String, id: String, session: String? = nil, accountId: String? = nil) {
        self.type = type
        self.id = id
        self.session = session
        self.accountId = accountId
    }

    /// A short human name: `role/app-payments`, `user/alice`, `root`, `ec2.amazonaws.com`.
    public var displayName: String {
        // ARNs look like arn:partition:service:region:account:resource.
        let parts = id.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn" else { return id }
        let resource = parts[5]
        if resource == "root" { return "root" }
        let pieces = resource.split(separator: "/")
        guard let kind = pieces.first, let last = pieces.last, pieces.count >= 2 else { return String(resource) }
        return "\(kind)/\(last)"
    }
}
