import TrailModel

/// What the engine produced for one file's events.
public struct DetectionOutcome: Sendable {
    /// New alerts, in event-time order (then eventID, then rule order), followed by the held
    /// threshold alerts released by this call (in the same order among themselves).
    public var alerts: [Alert]
    /// Alerts from earlier files that absorbed repeats in this file: the alert's id and how many
    /// repeats this file adds to its `count` (the store adds it in the file's transaction).
    public var suppressed: [(alertID: String, count: Int)]
    /// Detector state that changed while processing the file (`value` nil = delete the entry).
    public var stateChanges: [DetectorStateEntry]

    public init(alerts: [Alert] = [], suppressed: [(alertID: String, count: Int)] = [], stateChanges: [DetectorStateEntry] = []) {
        self.alerts = alerts
        self.suppressed = suppressed
        self.stateChanges = stateChanges
    }
}
