import TrailJSON
import TrailModel

/// Builds the EventBridge envelope a rule sees for a CloudTrail record, without the record.
///
/// `{"version":"0","id":…,"detail-type":…,"source":"aws.<service>","account":…,"time":…,
/// "region":…,"resources":[…]}`. The matcher receives the record separately as `detail`, so the
/// record is never copied.
public enum EnvelopeBuilder {
    /// The envelope for `e`, whose record is `record` (used for `time`, as the record spells it,
    /// and for `resources`, the ARNs of `resources[].ARN`).
    public static func envelope(for e: AuditEvent, record: JSONValue) -> JSONDocument {
        var out = JSONTapeWriter(capacity: 320)
        record.document.withCursor { t in
            let rec = record.index
            var time = -1, resources = -1
            t.forEachMemberKey(rec) { key, v in
                guard key.count == 9, let p = key.baseAddress else { return }
                if Tape.equal(p, ("eventTime" as StaticString).utf8Start, 9) { time = v }
                else if Tape.equal(p, ("resources" as StaticString).utf8Start, 9) { resources = v }
            }
            out.beginObject()
            out.key("version"); out.string("0")
            out.key("id"); out.string(e.eventID)
            out.key("detail-type"); out.string(detailType(e.eventType))
            out.key("source")
            writeSource(e.eventSource, into: &out)
            out.key("account"); out.string(e.account)
            out.key("time")
            if time >= 0, t.kind(time) == .string {
                out.rawString(t.value(time).rawBytes)
            } else {
                out.string(e.eventTime.iso8601)
            }
            out.key("region"); out.string(e.region)
            out.key("resources")
            out.beginArray()
            t.forEachElement(resources) { r in
                var arn = -1
                t.forEachMember(r) { k, v in if t.isString(k, "ARN") { arn = v } }
                guard arn >= 0, t.kind(arn) == .string else { return }
                out.rawString(t.value(arn).rawBytes)
            }
            out.endArray()
            out.endObject()
        }
        return out.finish()
    }

    /// The constant part of every envelope for events of `eventSource` and `eventType`:
    /// `{"version":"0","detail-type":…,"source":…}`, the same values ``envelope(for:record:)``
    /// writes.
    public static func constants(eventSource: String, eventType: String) -> JSONDocument {
        var out = JSONTapeWriter(capacity: 96)
        out.beginObject()
        out.key("version"); out.string("0")
        out.key("detail-type"); out.string(detailType(eventType))
        out.key("source")
        writeSource(eventSource, into: &out)
        out.endObject()
        return out.finish()
    }

    /// `"aws."` + the service of `eventSource` (the part before its first dot), or
    /// `"aws.cloudtrail"` when that is empty.
    private static func writeSource(_ eventSource: String, into out: inout JSONTapeWriter) {
        var eventSource = eventSource
        eventSource.withUTF8 { bytes in
            let service = UnsafeBufferPointer(rebasing: bytes[0..<(bytes.firstIndex(of: UInt8(ascii: ".")) ?? bytes.count)])
            if service.isEmpty { out.string("aws.cloudtrail") } else { out.string(prefix: "aws.", utf8: service) }
        }
    }

    /// EventBridge's `detail-type` for a CloudTrail `eventType`.
    public static func detailType(_ eventType: String) -> String {
        switch eventType {
        case "AwsServiceEvent": "AWS Service Event via CloudTrail"
        case "AwsConsoleSignIn": "AWS Console Sign In via CloudTrail"
        case "AwsConsoleAction": "AWS Console Action via CloudTrail"
        case "AwsCloudTrailInsight": "AWS Insight via CloudTrail"
        case "AwsVpceEvent": "AWS Network Activity Event via CloudTrail"
        default: "AWS API Call via CloudTrail"
        }
    }
}
