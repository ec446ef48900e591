import TrailJSON
import TrailModel

/// One detection rule: an EventBridge pattern that selects events, plus an optional detector
/// that adds state or analysis, plus an optional suppression that folds repeats.
public struct RuleDefinition: Sendable {
    /// Unique name (letters, digits, `-`, `_`, `.`); part of every alert id.
    public var name: String
    /// A short title for alert lists.
    public var title: String
    /// The rule's base severity (detectors may raise or lower it per alert).
    public var severity: Severity
    /// What the rule detects and why it matters.
    public var description: String
    /// The file the rule came from, when loaded from one.
    public var file: String?
    /// The EventBridge pattern, passed through to the pattern engine as written.
    public var pattern: JSONValue
    /// Optional state or analysis applied to the events the pattern selects.
    public var detector: DetectorConfig?
    /// Optional folding of repeated alerts into the first one.
    public var suppress: SuppressConfig?

    public init(
        name: String, title: String, severity: Severity, description: String = "", file: String? = nil,
        pattern: JSONValue, detector: DetectorConfig? = nil, suppress: SuppressConfig? = nil
    ) {
        self.name = name
        self.title = title
        self.severity = severity
        self.description = description
        self.file = file
        self.pattern = pattern
        self.detector = detector
        self.suppress = suppress
    }
}

/// The `detector` object of a rule.
public enum DetectorConfig: Sendable, Hashable {
    /// `{"type":"first-seen","key":["secret"],"value":"principal","learning":"P7D","forget":"P90D"}`
    case firstSeen(FirstSeenConfig)
    /// `{"type":"threshold","group":["principal"],"distinct":"secret","count":20,"window":"PT5M"}`
    case threshold(ThresholdConfig)
    /// `{"type":"secret-deletion"}`: deletion date and severity of `DeleteSecret`.
    case secretDeletion(SecretDeletionConfig)
    /// `{"type":"resource-policy"}`: who a `PutResourcePolicy` lets in.
    case resourcePolicy(ResourcePolicyConfig)
    /// `{"type":"kms-key"}`: whether the KMS key concerned encrypts secrets.
    case kmsKey(KMSKeyConfig)
    /// `{"type":"batch-catch-all"}`: `BatchGetSecretValue` filters that select every secret.
    case batchCatchAll
    /// `{"type":"trail-change","denied":"medium"}`: `StopLogging`, `DeleteTrail`, `UpdateTrail`,
    /// `PutEventSelectors`, `LeaveOrganization`: what the change does to the audit trail.
    case trailChange(TrailChangeConfig)
    /// `{"type":"pending-deletion-read"}`: a read refused because the secret is scheduled for
    /// deletion, with the deletion date learned from the history.
    case pendingDeletionRead

    /// The `type` string as written in rule files.
    public var typeName: String {
        switch self {
        case .firstSeen: "first-seen"
        case .threshold: "threshold"
        case .secretDeletion: "secret-deletion"
        case .resourcePolicy: "resource-policy"
        case .kmsKey: "kms-key"
        case .batchCatchAll: "batch-catch-all"
        case .trailChange: "trail-change"
        case .pendingDeletionRead: "pending-deletion-read"
        }
    }
}

/// First-seen: alert when a `value` appears for a `key` for the first time, once the key's
/// history (first event naming it, of any kind) is older than `learning`.
public struct FirstSeenConfig: Sendable, Hashable {
    public var key: [EventField]
    public var value: EventField
    public var learning: EventTime.Duration
    public var forget: EventTime.Duration
    public init(key: [EventField], value: EventField, learning: EventTime.Duration = .days(7), forget: EventTime.Duration = .days(90)) {
        self.key = key
        self.value = value
        self.learning = learning
        self.forget = forget
    }
}

/// Threshold: alert when one `group` reaches `count` events (or `count` distinct values of
/// `distinct`) within `window` of event time.
public struct ThresholdConfig: Sendable, Hashable {
    public var group: [EventField]
    public var distinct: EventField?
    public var count: Int
    public var window: EventTime.Duration
    public init(group: [EventField], distinct: EventField?, count: Int, window: EventTime.Duration) {
        self.group = group
        self.distinct = distinct
        self.count = count
        self.window = window
    }
}

/// Secret deletion: `denied` is the severity of a failed attempt; `escalate` that of a forced
/// deletion or a recovery window shorter than `minimumWindowDays`.
public struct SecretDeletionConfig: Sendable, Hashable {
    public var denied: Severity
    public var escalate: Severity
    public var minimumWindowDays: Int
    public init(denied: Severity = .medium, escalate: Severity = .critical, minimumWindowDays: Int = 30) {
        self.denied = denied
        self.escalate = escalate
        self.minimumWindowDays = minimumWindowDays
    }
}

/// Resource policy: `escalate` is the severity when the policy admits anyone or another account
/// without an organisation condition, or `blockPublicPolicy` is false.
public struct ResourcePolicyConfig: Sendable, Hashable {
    public var escalate: Severity
    public init(escalate: Severity = .high) { self.escalate = escalate }
}

/// KMS key: `escalate` is the severity when the key is known to encrypt a secret.
public struct KMSKeyConfig: Sendable, Hashable {
    public var escalate: Severity
    public init(escalate: Severity = .high) { self.escalate = escalate }
}

/// Trail change: `denied` is the severity of an attempt that failed (the change did not happen,
/// but someone tried).
public struct TrailChangeConfig: Sendable, Hashable {
    public var denied: Severity
    public init(denied: Severity = .medium) { self.denied = denied }
}

/// `{"by": ["principal", "secret"], "for": "PT1H"}`: later alerts of the rule with the same `by`
/// values within `for` of the first one's event time are folded into it (its `count` grows).
public struct SuppressConfig: Sendable, Hashable {
    public var by: [EventField]
    public var duration: EventTime.Duration
    public init(by: [EventField], for duration: EventTime.Duration) {
        self.by = by
        self.duration = duration
    }
}
