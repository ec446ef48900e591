import TrailJSON
import TrailModel

/// What one pass over a top-level object's members tells the decoder: which container shape it
/// is, and for records whether they carry a usable `eventID` and `eventTime`.
struct ObjectInspection {
    var isObject = false
    /// The members a record has (the same pass finds them): a record's checks, and what the
    /// sketcher and the normaliser read, come from here.
    var fields = RecordFields()
    /// `eventType` is `AwsCloudTrailInsight`.
    var isInsight = false
    var hasDetailType = false
    /// Node of an object-valued `detail`, or -1.
    var detail = -1
    /// Node of an array-valued `Records`, or -1.
    var records = -1
    /// Node of an array-valued `Events`, or -1.
    var events = -1
    /// Node of a string-valued `CloudTrailEvent`, or -1.
    var cloudTrailEvent = -1
    /// A CloudTrail-Digest member (`digestS3Object`, `logFiles`, `digestEndTime`, ...).
    var looksLikeDigest = false

    init(_ t: Tape, _ obj: Int) {
        guard t.kind(obj) == .object else { return }
        isObject = true
        t.forEachMemberKey(obj) { key, v in
            fields.note(key, v)
            guard let p = key.baseAddress else { return }
            @inline(__always) func eq(_ s: StaticString) -> Bool { Tape.equal(p, s.utf8Start, s.utf8CodeUnitCount) }
            switch key.count {
            case 6:
                if eq("detail") { detail = t.kind(v) == .object ? v : -1 }
                else if eq("Events") { events = t.kind(v) == .array ? v : -1 }
            case 7:
                if eq("Records") { records = t.kind(v) == .array ? v : -1 }
            case 8:
                if eq("logFiles") { looksLikeDigest = true }
            case 11:
                if eq("detail-type") { hasDetailType = true }
            case 13:
                if eq("digestEndTime") { looksLikeDigest = true }
            case 14:
                if eq("digestS3Object") { looksLikeDigest = true }
            case 15:
                if eq("CloudTrailEvent") { cloudTrailEvent = t.kind(v) == .string ? v : -1 }
            default:
                break
            }
        }
        isInsight = fields.isInsight(t)
    }

    /// Any member only CloudTrail records have (`eventVersion`, `eventID`, `eventTime`, ...).
    var looksLikeRecord: Bool { fields.looksLikeRecord }

    var isEnvelope: Bool { hasDetailType && detail >= 0 }
}

/// Whether a record object can become an event: a non-empty, well-formed `eventID` and a valid
/// `eventTime` (or `@timestamp`); with the time it gives, so that nothing parses it again.
enum RecordCheck {
    /// `plain`: the time node is a string without escapes (the form ``EnvelopeSketcher`` sketches).
    case valid(EventTime, plain: Bool)
    case invalid(String)

    /// `eventID` and `time` are the record's nodes of those members (-1: absent).
    init(_ t: Tape, eventID: Int, time: Int) {
        guard eventID >= 0, t.rawStringLength(eventID) > 0 else { self = .invalid("record has no eventID"); return }
        guard EventIDText.isValid(t, eventID) else { self = .invalid(EventIDText.invalidReason); return }
        guard time >= 0 else { self = .invalid("record has no eventTime"); return }
        if let raw = t.plainBytes(time), let parsed = EventTimeParser.parse(raw) { self = .valid(parsed, plain: true); return }
        if t.kind(time) == .string, let s = t.string(time), let parsed = EventTimeParser.parse(s) { self = .valid(parsed, plain: false); return }
        self = .invalid("eventTime \(t.rawText(time).prefix(64)) is not a valid time")
    }
}
