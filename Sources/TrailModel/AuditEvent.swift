/// One CloudTrail record, normalised: the fields every stage after decoding works with.
///
/// The raw record stays with the decoder's document; this value holds only what detectors, the
/// store and alerts need, already resolved (stable principal, canonical secrets).
public struct AuditEvent: Sendable, Hashable {
    /// The fields, held once in a box: an event passes through detectors, windows, commit groups
    /// and alerts, and copying a box costs one reference count where copying the fields cost one
    /// per string and array. Writes copy the box first unless this value holds the only
    /// reference (copy on write), so `AuditEvent` keeps value semantics.
    private var storage: Storage

    public var eventID: String {
        get { storage.fields.eventID }
        set { uniqueFields.eventID = newValue }
    }
    public var eventTime: EventTime {
        get { storage.fields.eventTime }
        set { uniqueFields.eventTime = newValue }
    }
    /// `secretsmanager.amazonaws.com`, `kms.amazonaws.com`, ...
    public var eventSource: String {
        get { storage.fields.eventSource }
        set { uniqueFields.eventSource = newValue }
    }
    public var eventName: String {
        get { storage.fields.eventName }
        set { uniqueFields.eventName = newValue }
    }
    /// `AwsApiCall`, `AwsServiceEvent`, `AwsConsoleSignIn`, ...
    public var eventType: String {
        get { storage.fields.eventType }
        set { uniqueFields.eventType = newValue }
    }
    public var region: String {
        get { storage.fields.region }
        set { uniqueFields.region = newValue }
    }
    /// `recipientAccountId`, else `userIdentity.accountId`.
    public var account: String {
        get { storage.fields.account }
        set { uniqueFields.account = newValue }
    }
    public var sourceIPAddress: String? {
        get { storage.fields.sourceIPAddress }
        set { uniqueFields.sourceIPAddress = newValue }
    }
    public var userAgent: String? {
        get { storage.fields.userAgent }
        set { uniqueFields.userAgent = newValue }
    }
    public var errorCode: String? {
        get { storage.fields.errorCode }
        set { uniqueFields.errorCode = newValue }
    }
    public var errorMessage: String? {
        get { storage.fields.errorMessage }
        set { uniqueFields.errorMessage = newValue }
    }
    public var readOnly: Bool? {
        get { storage.fields.readOnly }
        set { uniqueFields.readOnly = newValue }
    }
    public var principal: Principal {
        get { storage.fields.principal }
        set { uniqueFields.principal = newValue }
    }
    /// The secrets the event concerns, one per secret (a `BatchGetSecretValue` names several).
    public var secrets: [SecretRef] {
        get { storage.fields.secrets }
        set { uniqueFields.secrets = newValue }
    }
    /// Facts from request and response that detectors need (deletion window, policy, KMS keys).
    public var details: EventDetails {
        get { storage.fields.details }
        set { uniqueFields.details = newValue }
    }
    public var location: RecordLocation {
        get { storage.fields.location }
        set { uniqueFields.location = newValue }
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

    /// The fields, for writing: copies the box first when another value shares it.
    private var uniqueFields: Fields {
        get { storage.fields }
        _modify {
            if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.fields) }
            yield &storage.fields
        }
    }

    private struct Fields: Hashable, Sendable {
        var eventID: String
        var eventTime: EventTime
        var eventSource: String
        var eventName: String
        var eventType: String
        var region: String
        var account: String
        var sourceIPAddress: String?
        var userAgent: String?
        var errorCode: String?
        var errorMessage: String?
        var readOnly: Bool?
        var principal: Principal
        var secrets: [SecretRef]
        var details: EventDetails
        var location: RecordLocation
    }

    /// Mutated only through ``uniqueFields``, after `isKnownUniquelyReferenced`: a box that two
    /// values (or two threads) share is never written, which is what makes it `Sendable`.
    private final class Storage: @unchecked Sendable {
        var fields: Fields
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
