/// An alert: a rule matched an event (and its detector, if any, fired).
///
/// `id` is derived from the rule name and the event's `eventID`, so re-running over the same
/// archive never yields a second alert for the same thing.
public struct Alert: Sendable, Hashable {
    public var id: String
    public var rule: String
    public var severity: Severity
    public var title: String
    /// One line a person can read in a chat message.
    public var summary: String
    public var time: EventTime
    public var account: String
    public var region: String
    public var principal: Principal
    public var secret: SecretRef?
    public var eventID: String
    public var eventName: String
    public var sourceIPAddress: String?
    public var userAgent: String?
    /// Why the alert fired: counts, windows, the secrets of a burst, a baseline's start.
    public var evidence: [EvidenceItem]
    /// Repeats folded into this alert by the rule's `suppress` setting (1 = just this one).
    public var count: Int
    /// The raw CloudTrail record, as compact JSON text.
    public var recordJSON: String

    public init(
        id: String, rule: String, severity: Severity, title: String, summary: String, time: EventTime,
        account: String, region: String, principal: Principal, secret: SecretRef?, eventID: String,
        eventName: String, sourceIPAddress: String?, userAgent: String?, evidence: [EvidenceItem] = [],
        count: Int = 1, recordJSON: String
    ) {
        self.id = id
        self.rule = rule
        self.severity = severity
        self.title = title
        self.summary = summary
        self.time = time
        self.account = account
        self.region = region
        self.principal = principal
        self.secret = secret
        self.eventID = eventID
        self.eventName = eventName
        self.sourceIPAddress = sourceIPAddress
        self.userAgent = userAgent
        self.evidence = evidence
        self.count = count
        self.recordJSON = recordJSON
    }
}

/// One named piece of evidence in an alert, kept in order.
public struct EvidenceItem: Sendable, Hashable {
    public var name: String
    public var value: EvidenceValue
    public init(_ name: String, _ value: EvidenceValue) {
        self.name = name
        self.value = value
    }
}

/// An evidence value: what an alert's `evidence` object can hold.
public enum EvidenceValue: Sendable, Hashable {
    case string(String)
    case integer(Int64)
    case bool(Bool)
    case strings([String])
}
