/// One CloudTrail record, normalised: the fields every stage after decoding works with.
///
/// The raw record stays with the decoder's document; this value holds only what detectors, the
/// store and alerts need, already resolved (stable principal, canonical secrets).
public struct AuditEvent: Sendable, Hashable {
    /// The fields, held once in an immutable box: an event passes through detectors, windows,
    /// commit groups and alerts, and copying a box costs one reference count where copying the
    /// fields cost one per string and array. A write makes a new box, so `AuditEvent` keeps
    /// value semantics.
    @usableFromInline private(set) var storage: Storage

    public var eventID: String {
        @inlinable get { storage.fields.eventID }
        set { update { $0.eventID = newValue } }
    }
    public var eventTime: EventTime {
        @inlinable get { storage.fields.eventTime }
        set { update { $0.eventTime = newValue } }
    }
    /// `secretsmanager.amazonaws.com`, `kms.amazonaws.com`, ...
    public var eventSource: String {
        @inlinable get { storage.fields.eventSource }
        set { update { $0.eventSource = newValue } }
    }
    public var eventName: String {
        @inlinable get { storage.fields.eventName }
        set { update { $0.eventName = newValue } }
    }
    /// `AwsApiCall`, `AwsServiceEvent`, `AwsConsoleSignIn`, ...
    public var eventType: String {
        @inlinable get { storage.fields.eventType }
        set { update { $0.eventType = newValue } }
    }
    public var region: String {
        @inlinable get { storage.fields.region }
        set { update { $0.region = newValue } }
    }
    /// `recipientAccountId`, else `userIdentity.accountId`.
    public var account: String {
        @inlinable get { storage.fields.account }
        set { update { $0.account = newValue } }
    }
    public var sourceIPAddress: String? {
        @inlinable get { storage.fields.sourceIPAddress }
        set { update { $0.sourceIPAddress = newValue } }
    }
    public var userAgent: String? {
        @inlinable get { storage.fields.userAgent }
        set { update { $0.userAgent = newValue } }
    }
    public var errorCode: String? {
        @inlinable get { storage.fields.errorCode }
        set { update { $0.errorCode = newValue } }
    }
    public var errorMessage: String? {
        @inlinable get { storage.fields.errorMessage }
        set { update { $0.errorMessage = newValue } }
    }
    public var readOnly: Bool? {
        @inlinable get { storage.fields.readOnly }
        set { update { $0.readOnly = newValue } }
    }
    public var principal: Principal {
        @inlinable get { storage.fields.principal }
        set { update { $0.principal = newValue } }
    }
    /// The secrets the event concerns, one per secret (a `BatchGetSecretValue` names several).
    public var secrets: [SecretRef] {
        @inlinable get { storage.fields.secrets }
        set { update { $0.secrets = newValue } }
    }
    /// Facts from request and response that detectors need (deletion window, policy, KMS keys).
    public var details: EventDetails {
        @inlinable get { storage.fields.details }
        set { update { $0.details = newValue } }
    }
    public var location: RecordLocation {
        @inlinable get { storage.fields.location }
        set { update { $0.location = newValue } }
    }

    public init(
        eventID: String, eventTime: EventTime, eventSource: String, eventName: String,
        eventType: String, region: String, account: String, sourceIPAddress: String? = nil,
        userAgent: String? = nil, errorCode: String? = nil, errorMessage: String? = nil,
        readOnly: Bool? = nil, principal: Principal, secrets: [SecretRef] = [],
        details: EventDetails = EventDetails(), location: RecordLocation
    ) {
        storage = Storage(Fields(
            eventID: eventID,
            eventTime: eventTime,
            eventSource: eventSource,
            eventName: eventName,
            eventType: eventType,
            region: region,
            account: account,
            sourceIPAddress: sourceIPAddress,
            userAgent: userAgent,
            errorCode: errorCode,
            errorMessage: errorMessage,
            readOnly: readOnly,
            principal: principal,
            secrets: secrets,
            details: details,
            location: location
        ))
    }

    public static func == (lhs: AuditEvent, rhs: AuditEvent) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.fields == rhs.storage.fields
    }

    public func hash(into hasher: inout Hasher) {
        storage.fields.hash(into: &hasher)
    }

    /// Writes go to a new box (events are built once by the normaliser and almost never
    /// changed), so a box is never written once made: reads need no exclusivity check.
    private mutating func update(_ change: (inout Fields) -> Void) {
        var fields = storage.fields
        change(&fields)
        storage = Storage(fields)
    }

    @usableFromInline struct Fields: Hashable, Sendable {
        @usableFromInline var eventID: String
        @usableFromInline var eventTime: EventTime
        @usableFromInline var eventSource: String
        @usableFromInline var eventName: String
        @usableFromInline var eventType: String
        @usableFromInline var region: String
        @usableFromInline var account: String
        @usableFromInline var sourceIPAddress: String?
        @usableFromInline var userAgent: String?
        @usableFromInline var errorCode: String?
        @usableFromInline var errorMessage: String?
        @usableFromInline var readOnly: Bool?
        @usableFromInline var principal: Principal
        @usableFromInline var secrets: [SecretRef]
        @usableFromInline var details: EventDetails
        @usableFromInline var location: RecordLocation
    }

    @usableFromInline final class Storage: Sendable {
        @usableFromInline let fields: Fields
        init(_ fields: Fields) { self.fields = fields }
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
