import TrailJSON
import TrailModel

/// One secret's story for `trailwatch query secret S`: identity, lifecycle, keys, the events that
/// changed it, its callers and its alerts.
public struct SecretStory: Sendable, Equatable {
    public var name: String
    public var arns: [String]
    public var account: String
    public var region: String
    public var firstSeen: EventTime?
    public var lastSeen: EventTime?
    public var created: (time: EventTime, principal: String)?
    public var deletion: Deletion?
    public var keys: [String]
    /// Events that changed the secret (creation, deletion, restore, policy, keys, rotation, updates), oldest first.
    public var events: ResultTable
    public var callers: ResultTable
    public var alerts: ResultTable
    /// All callers and alerts in the time range (the lists may be cut by `--limit`).
    public var callerCount: Int
    public var alertCount: Int

    public struct Deletion: Sendable, Equatable {
        public var scheduled: EventTime
        public var principal: String
        public var deletionDate: EventTime
        public var recoveryWindowInDays: Int?
        public var force: Bool
        public var restored: EventTime?
    }

    public static func == (a: SecretStory, b: SecretStory) -> Bool {
        a.name == b.name && a.arns == b.arns && a.account == b.account && a.region == b.region && a.firstSeen == b.firstSeen
            && a.lastSeen == b.lastSeen && a.created?.time == b.created?.time && a.created?.principal == b.created?.principal
            && a.deletion == b.deletion && a.keys == b.keys && a.events == b.events && a.callers == b.callers && a.alerts == b.alerts
            && a.callerCount == b.callerCount && a.alertCount == b.alertCount
    }
}
