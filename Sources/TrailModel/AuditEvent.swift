/// One CloudTrail record, normalised: the fields every stage after decoding works with.
///
/// The raw record stays with the decoder's document; this value holds only what detectors, the
/// store and alerts need, already resolved (stable principal, canonical secrets).
public struct AuditEvent: Sendable, Hashable {
    public var eventID: String
    public var eventTime: EventTime
    /// `secretsmanager.amazonaws.com`, `kms.amazonaws.com`, ...
    public var eventSource: String
    public var eventName: String
    /// `AwsApiCall`, `AwsServiceEvent`, `AwsConsoleSignIn`, ...
    public var eventType: String
    public var region: String
    /// `recipientAccountId`, else `userIdentity.accountId`.
    public var account: String
    public var sourceIPAddress: String?
    public var userAgent: String?
    public var errorCode: String?
    public var errorMessage: String?
    public var readOnly: Bool?
    public var principal: Principal
    /// The secrets the event concerns, one per secret (a `BatchGetSecretValue` names several).
    public var secrets: [SecretRef]
    /// Facts from request and response that detectors need (deletion window, policy, KMS keys).
    public var details: EventDetails
    public var location: RecordLocation

    public init(
        eventID: String, eventTime: EventTime, eventSource: String, eventName: String,
        eventType: String, region: String, account: String, sourceIPAddress: String? = nil,
        userAgent: String? = nil, errorCode: String? = nil, errorMessage: String? = nil,
        readOnly: Bool? = nil, principal: Principal, secrets: [SecretRef] = [],
        details: EventDetails = EventDetails(), location: RecordLocation
    ) {
        self.eventID = eventID
        self.eventTime = eventTime
        self.eventSource = eventSource
        self.eventName = eventName
        self.eventType = eventType
        self.region = region
        self.account = account
        self.sourceIPAddress = sourceIPAddress
        self.userAgent = userAgent
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.readOnly = readOnly
        self.principal = principal
        self.secrets = secrets
        self.details = details
        self.location = location
    }

    /// The service part of `eventSource`: `secretsmanager` for `secretsmanager.amazonaws.com`.
    public var service: String {
        if let dot = eventSource.firstIndex(of: ".") { return String(eventSource[..<dot]) }
        return eventSource
    }

    /// Whether the event succeeded (CloudTrail records no `errorCode` on success).
    public var succeeded: Bool { errorCode == nil }
}

/// Request and response facts that detectors need, extracted once by the normaliser.
///
/// Never holds secret material: `SecretString`, `SecretBinary` and similar fields are not read.
public struct EventDetails: Sendable, Hashable {
    /// KMS key ARNs or ids the event concerns (`resources[]` of type `AWS::KMS::Key`, the response
    /// `keyId`, or `kmsKeyId` of `CreateSecret`/`UpdateSecret`).
    public var kmsKeys: [String]
    /// `DeleteSecret`: `recoveryWindowInDays`, when given.
    public var recoveryWindowInDays: Int?
    /// `DeleteSecret`: `forceDeleteWithoutRecovery`.
    public var forceDeleteWithoutRecovery: Bool
    /// `PutResourcePolicy`/`PutKeyPolicy`: the policy document as JSON text.
    public var policy: String?
    /// `PutResourcePolicy`: `blockPublicPolicy`, when given.
    public var blockPublicPolicy: Bool?
    /// `BatchGetSecretValue`: the `filters` entries, when the call used filters.
    public var batchFilters: [BatchFilter]?
    /// `ScheduleKeyDeletion`: `pendingWindowInDays`.
    public var pendingWindowInDays: Int?

    public init(
        kmsKeys: [String] = [], recoveryWindowInDays: Int? = nil, forceDeleteWithoutRecovery: Bool = false,
        policy: String? = nil, blockPublicPolicy: Bool? = nil, batchFilters: [BatchFilter]? = nil,
        pendingWindowInDays: Int? = nil
    ) {
        self.kmsKeys = kmsKeys
        self.recoveryWindowInDays = recoveryWindowInDays
        self.forceDeleteWithoutRecovery = forceDeleteWithoutRecovery
        self.policy = policy
        self.blockPublicPolicy = blockPublicPolicy
        self.batchFilters = batchFilters
        self.pendingWindowInDays = pendingWindowInDays
    }
}

/// One `filters` entry of `BatchGetSecretValue`: `{"key": "tag-key", "values": ["!x"]}`.
public struct BatchFilter: Sendable, Hashable, Codable {
    public var key: String
    public var values: [String]
    public init(key: String, values: [String]) {
        self.key = key
        self.values = values
    }
}
