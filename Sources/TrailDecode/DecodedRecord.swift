import TrailJSON
import TrailModel

/// One CloudTrail record found in a file: a view into its parsed document, and where it was.
public struct DecodedRecord: Sendable {
    /// The record object (for EventBridge input, the envelope's `detail`).
    public var record: JSONValue
    /// The file, the record's index in it and the byte offset of its first byte.
    public var location: RecordLocation

    public init(record: JSONValue, location: RecordLocation) {
        self.record = record
        self.location = location
    }
}
