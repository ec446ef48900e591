import TrailModel

/// What happened to one file in the sequential stage, for progress, summaries and exit codes.
public struct FileReport: Sendable {
    public enum Status: Sendable, Equatable {
        case done, skipped, failed, alreadyDone
        /// Not recorded: the file looks half-written and the caller will retry it.
        case deferred
    }

    public var path: String
    public var status: Status
    public var records: Int = 0
    public var invalid: Int = 0
    public var eventsStored: Int = 0
    public var alertsEmitted: Int = 0
    /// Why the file failed or was skipped.
    public var reason: String?
    /// The invalid records, with their locations, for diagnostics.
    public var invalidRecords: [String] = []

    public init(path: String, status: Status) {
        self.path = path
        self.status = status
    }
}
