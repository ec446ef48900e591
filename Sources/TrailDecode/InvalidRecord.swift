import TrailModel

/// A record that cannot become an event (not an object, no `eventID`, no valid `eventTime`,
/// a JSON line that does not parse), with its location.
///
/// One value may stand for several records (`count > 1`): past the first invalid records of a
/// file, the rest are counted in one entry that keeps the first one's location and reason, so
/// a file of garbage elements costs no memory per element.
public struct InvalidRecord: Sendable, Hashable, Error, CustomStringConvertible {
    public var location: RecordLocation
    public var reason: String
    /// How many invalid records this entry stands for (1, or more for the aggregated entry).
    public var count: Int

    public init(location: RecordLocation, reason: String, count: Int = 1) {
        self.location = location
        self.reason = reason
        self.count = count
    }

    /// `path: record N (byte M): reason`, plus how many more follow when aggregated.
    public var description: String {
        if count > 1 { return "\(location): \(reason) (the first of \(count) more invalid records, not listed one by one)" }
        return "\(location): \(reason)"
    }
}

extension Array where Element == InvalidRecord {
    /// The number of invalid records the entries stand for.
    public var recordCount: Int { reduce(0) { $0 + $1.count } }
}
