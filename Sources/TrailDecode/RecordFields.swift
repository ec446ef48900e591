/// Node indexes of the record members the normaliser reads, found in one pass (-1 = absent;
/// the last of duplicate keys wins, as JSON readers usually do).
struct RecordFields {
    var eventID = -1
    var eventTime = -1
    var eventSource = -1
    var eventName = -1
    var eventType = -1
    var awsRegion = -1
    var recipientAccountId = -1
    var userIdentity = -1
    var sourceIPAddress = -1
    var userAgent = -1
    var errorCode = -1
    var errorMessage = -1
    var readOnly = -1
    var requestParameters = -1
    var responseElements = -1
    var additionalEventData = -1
    var resources = -1
    /// Logstash's `@timestamp`, where Logstash exports put `eventTime`.
    var timestamp = -1
    /// Whether the record has an `eventVersion` (read only to recognise records).
    var hasEventVersion = false

    /// `eventTime`, else `@timestamp`; -1 when neither is present.
    var time: Int { eventTime >= 0 ? eventTime : timestamp }

    /// None found yet (for ``ObjectInspection``, which notes them on its own pass).
    init() {}

    init(_ t: Tape, _ record: Int) {
        t.forEachMemberKey(record) { key, v in note(key, v) }
    }

    /// Notes the member `key` with its value at node `v`.
    @inline(__always)
    mutating func note(_ key: UnsafeBufferPointer<UInt8>, _ v: Int) {
        guard let p = key.baseAddress else { return }
        @inline(__always) func eq(_ s: StaticString) -> Bool { Tape.equal(p, s.utf8Start, s.utf8CodeUnitCount) }
        switch key.count {
        case 7: if eq("eventID") { eventID = v }
        case 8: if eq("readOnly") { readOnly = v }
        case 9:
            switch p[0] {
            case UInt8(ascii: "e"):
                if eq("eventTime") { eventTime = v }
                else if eq("eventName") { eventName = v }
                else if eq("eventType") { eventType = v }
                else if eq("errorCode") { errorCode = v }
            case UInt8(ascii: "a"): if eq("awsRegion") { awsRegion = v }
            case UInt8(ascii: "u"): if eq("userAgent") { userAgent = v }
            case UInt8(ascii: "r"): if eq("resources") { resources = v }
            default: break
            }
        case 10: if eq("@timestamp") { timestamp = v }
        case 11: if eq("eventSource") { eventSource = v }
        case 12:
            if eq("userIdentity") { userIdentity = v }
            else if eq("errorMessage") { errorMessage = v }
            else if eq("eventVersion") { hasEventVersion = true }
        case 15: if eq("sourceIPAddress") { sourceIPAddress = v }
        case 16: if eq("responseElements") { responseElements = v }
        case 17: if eq("requestParameters") { requestParameters = v }
        case 18: if eq("recipientAccountId") { recipientAccountId = v }
        case 19: if eq("additionalEventData") { additionalEventData = v }
        default: break
        }
    }
}

extension RecordFields {
    /// Any member only CloudTrail records have (`eventVersion`, `eventID`, `eventTime`, ...).
    var looksLikeRecord: Bool {
        hasEventVersion || eventID >= 0 || eventTime >= 0 || eventName >= 0 || awsRegion >= 0 || eventType >= 0
            || eventSource >= 0 || userIdentity >= 0
    }

    /// `eventType` is `AwsCloudTrailInsight`.
    func isInsight(_ t: Tape) -> Bool { eventType >= 0 && t.isString(eventType, "AwsCloudTrailInsight") }
}
