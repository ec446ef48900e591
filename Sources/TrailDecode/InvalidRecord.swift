import TrailModel

/// A record that cannot become an event (not an object, no `eventID`, no valid `eventTime`,
/// a JSON line that does not parse), with its location.
public struct InvalidRecord: Sendable, Hashable, Error, CustomStringConvertible {
    public var location: RecordLocation
    public var reason: String

    public init(location: RecordLocation, reason: String) {
        self.location = location
        self.reason = reason
    }

    /// `path: record N (byte M): reason`.
    public var description: String { "\(location): \(reason)" }
}
