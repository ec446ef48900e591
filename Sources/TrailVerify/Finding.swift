import TrailModel

/// One thing wrong with a trail (or, for ``Kind/digestUnchecked``, a digest whose signature
/// could not be checked offline), with the file concerned, the digest that proves it and the
/// time span it affects.
public struct Finding: Sendable, Hashable {
    /// What was found. The raw value is the name printed and stored.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A digest lists a log file that is not in the tree.
        case logMissing = "log-missing"
        /// A log file's SHA-256 differs from the one its digest lists.
        case logAltered = "log-altered"
        /// A log file delivered inside a digest's hour that no digest lists.
        case logUnlisted = "log-unlisted"
        /// A listed log file that cannot be read or inflated.
        case logUnreadable = "log-unreadable"
        /// A digest named by its successor's `previousDigestS3Object` is not in the tree.
        case digestMissing = "digest-missing"
        /// A digest whose bytes or signature differ from what its successor recorded, or that
        /// names another location than its own.
        case digestAltered = "digest-altered"
        /// A digest signed with a key whose fingerprint is not among the public keys.
        case digestUnknownKey = "digest-unknown-key"
        /// A digest whose RSA signature does not verify.
        case digestBadSignature = "digest-bad-signature"
        /// A digest file that cannot be read, inflated or parsed.
        case digestUnreadable = "digest-unreadable"
        /// Hours inside a trail's lifetime covered by no digest and named by none (logging
        /// stopped, or digests deleted).
        case loggingGap = "logging-gap"
        /// Not a problem: a digest whose signature is not known offline (the newest of its
        /// chain without a `.metadata.json` sidecar).
        case digestUnchecked = "digest-unchecked"

        /// False only for notices that do not make verification fail.
        public var isProblem: Bool { self != .digestUnchecked }
    }

    public var kind: Kind
    public var account: String
    public var region: String
    /// The file concerned (a local path when it exists, else its S3 key).
    public var file: String
    /// The digest that proves the finding (local path or S3 key), when one does.
    public var digest: String?
    /// The time span affected (event or digest time).
    public var start: EventTime?
    public var end: EventTime?
    /// What was found, for people.
    public var detail: String

    public init(
        kind: Kind, account: String, region: String, file: String, digest: String?,
        start: EventTime?, end: EventTime?, detail: String
    ) {
        self.kind = kind
        self.account = account
        self.region = region
        self.file = file
        self.digest = digest
        self.start = start
        self.end = end
        self.detail = detail
    }
}

/// The span of one digest chain that was verified: account, region, trail, the time from the
/// first digest's start to the last one's end, and what was checked in it.
public struct VerifiedSpan: Sendable, Hashable {
    public var account: String
    public var region: String
    public var trail: String
    public var start: EventTime
    public var end: EventTime
    /// Digest files in the chain, and how many had their signature verified.
    public var digests: Int
    public var signaturesVerified: Int
    /// Log files listed by the chain's digests, and how many matched their hash.
    public var logsListed: Int
    public var logsVerified: Int
    /// The newest digest whose own signature verified, its key and end time.
    public var newestVerifiedDigest: String?
    public var newestVerifiedEnd: EventTime?
}

/// The result of verifying a tree: findings (problems and notices) and the span verified per
/// account, region and trail.
public struct VerificationReport: Sendable {
    public var findings: [Finding]
    public var spans: [VerifiedSpan]
    /// Files read: logs hashed, digests, sidecars, and other files left alone.
    public var logFiles: Int
    public var digestFiles: Int
    public var sidecarFiles: Int
    public var otherFiles: Int
    /// Log files outside every digest's span (delivered before a chain's first digest or after
    /// its newest): not checkable, not a problem.
    public var logsOutsideChains: Int

    /// The findings that are problems (not notices).
    public var problems: [Finding] { findings.filter(\.kind.isProblem) }
}
