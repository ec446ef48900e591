import TrailJSON
import TrailModel

/// One CloudTrail record found in a file: a view into its parsed document, and where it was.
public struct DecodedRecord: Sendable {
    /// The record object (for EventBridge input, the envelope's `detail`).
    public let record: JSONValue
    /// The file, the record's index in it and the byte offset of its first byte.
    public var location: RecordLocation
    /// The record's members that the sketcher and the normaliser read, found when the decoder
    /// checked the record (one pass over its members for all three).
    let fields: RecordFields
    /// The record's time, when the decoder checked it (nil for a record made by ``init(record:location:)``,
    /// which the normaliser checks itself).
    let checkedTime: (time: EventTime, plain: Bool)?

    public init(record: JSONValue, location: RecordLocation) {
        self.record = record
        self.location = location
        fields = record.document.withCursor { t in RecordFields(t, record.index) }
        checkedTime = nil
    }

    /// A record the decoder found valid, with what it read to find that out.
    init(record: JSONValue, location: RecordLocation, fields: RecordFields, time: EventTime, plainTime: Bool) {
        self.record = record
        self.location = location
        self.fields = fields
        checkedTime = (time, plainTime)
    }

    /// `eventTime` parsed, when it is a string without escapes (nil: absent, escaped or not checked).
    var plainEventTime: EventTime? {
        guard let checkedTime, checkedTime.plain, fields.eventTime >= 0 else { return nil }
        return checkedTime.time
    }
}
