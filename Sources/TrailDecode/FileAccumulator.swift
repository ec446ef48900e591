import TrailJSON
import TrailModel

/// Collects a file's records and invalid records in order, numbering them as it goes.
///
/// Invalid records cost memory only up to `listedInvalid` of them; the rest are counted in one
/// aggregated entry (see `InvalidRecord.count`), so hostile input made of garbage elements
/// (`{"Records":[0,0,0,…]}`) costs O(1) memory per element.
struct FileAccumulator {
    /// Invalid records listed one by one before the rest are aggregated.
    static let listedInvalid = 100

    let path: String
    var records: [DecodedRecord] = []
    var invalid: [InvalidRecord] = []
    /// Invalid records seen, including those folded into the aggregated entry.
    private(set) var invalidCount = 0
    /// Records (valid or not) whose `eventType` is `AwsCloudTrailInsight`.
    var insights = 0
    /// Candidates that look like CloudTrail records or EventBridge envelopes.
    var recognised = 0
    var envelopes = 0

    init(path: String) { self.path = path }

    var total: Int { records.count + invalidCount }

    private func location(_ byteOffset: Int) -> RecordLocation {
        RecordLocation(path: path, recordIndex: total, byteOffset: byteOffset)
    }

    /// Adds the record at node `i`; `byteOffset` is its offset in the file (which differs from
    /// the node's own offset for records decoded out of a JSON string).
    ///
    /// One pass over its members finds what the checks here need and what the sketcher and the
    /// normaliser read later (``DecodedRecord/fields``), and the time is parsed once.
    mutating func addRecord(_ t: Tape, _ i: Int, byteOffset: Int) {
        let isObject = t.kind(i) == .object
        addRecord(t, i, isObject: isObject, isObject ? RecordFields(t, i) : RecordFields(), byteOffset: byteOffset)
    }

    mutating func addRecord(_ t: Tape, _ i: Int, _ inspection: ObjectInspection, byteOffset: Int) {
        addRecord(t, i, isObject: inspection.isObject, inspection.fields, byteOffset: byteOffset)
    }

    private mutating func addRecord(_ t: Tape, _ i: Int, isObject: Bool, _ fields: RecordFields, byteOffset: Int) {
        if fields.isInsight(t) { insights += 1 }
        if fields.looksLikeRecord { recognised += 1 }
        guard isObject else {
            appendInvalid(location(byteOffset), "record is not a JSON object")
            return
        }
        addChecked(t, i, fields, byteOffset: byteOffset)
    }

    /// Adds the record object at node `i` whose members `fields` holds: as a record when its
    /// `eventID` and time pass ``RecordCheck``, else as an invalid one.
    private mutating func addChecked(_ t: Tape, _ i: Int, _ fields: RecordFields, byteOffset: Int) {
        switch RecordCheck(t, eventID: fields.eventID, time: fields.time) {
        case let .invalid(reason):
            appendInvalid(location(byteOffset), reason)
        case let .valid(time, plain):
            records.append(DecodedRecord(record: t.value(i), location: location(byteOffset), fields: fields, time: time, plainTime: plain))
        }
    }

    /// Adds one top-level value of a JSON-lines (or multi-value) input: a record, or an
    /// EventBridge envelope whose `detail` is the record.
    mutating func addLine(_ t: Tape, _ i: Int, base: Int = 0) {
        addLine(t, i, ObjectInspection(t, i), base: base)
    }

    mutating func addLine(_ t: Tape, _ i: Int, _ inspection: ObjectInspection, base: Int = 0) {
        if inspection.isEnvelope {
            envelopes += 1
            recognised += 1
            let detail = inspection.detail
            let inner = ObjectInspection(t, detail)
            if inner.isInsight { insights += 1 }
            if !inner.looksLikeRecord {
                appendInvalid(location(base + t.byteOffset(i)), "EventBridge event without a CloudTrail record in detail")
            } else {
                addChecked(t, detail, inner.fields, byteOffset: base + t.byteOffset(detail))
            }
        } else {
            addRecord(t, i, inspection, byteOffset: base + t.byteOffset(i))
        }
    }

    mutating func addInvalid(byteOffset: Int, reason: String) {
        appendInvalid(location(byteOffset), reason)
    }

    /// Lists the first `listedInvalid` invalid records; counts the rest in one last entry.
    private mutating func appendInvalid(_ location: RecordLocation, _ reason: String) {
        invalidCount += 1
        if invalid.count <= Self.listedInvalid {
            invalid.append(InvalidRecord(location: location, reason: reason))
        } else {
            invalid[invalid.count - 1].count += 1
        }
    }

    /// The decoded file; Insight-only content is skipped as a whole.
    func finish(_ format: InputFormat) -> DecodedFile {
        if total > 0, insights == total {
            return DecodedFile(format: .insight, skipReason: "CloudTrail Insight records (\(total))")
        }
        return DecodedFile(format: format, records: records, invalid: invalid)
    }
}
