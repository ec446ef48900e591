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
        var out: [UInt8] = []
        out.reserveCapacity(256)
        Tape.with(record.document) { t in
            let rec = record.index
            var time = -1, resources = -1
            t.forEachMember(rec) { k, v in
                if t.isString(k, "eventTime") { time = v } else if t.isString(k, "resources") { resources = v }
            }
            append(#"{"version":"0","id":"#, to: &out)
            appendQuoted(e.eventID, to: &out)
            append(#","detail-type":"#, to: &out)
            appendQuoted(detailType(e.eventType), to: &out)
            append(#","source":"#, to: &out)
            appendSource(e.eventSource, to: &out)
            append(#","account":"#, to: &out)
            appendQuoted(e.account, to: &out)
            append(#","time":"#, to: &out)
            if time >= 0, t.kind(time) == .string {
                out.append(contentsOf: JSONValue(document: t.document, index: time).rawBytes)
            } else {
                appendQuoted(e.eventTime.iso8601, to: &out)
            }
            append(#","region":"#, to: &out)
            appendQuoted(e.region, to: &out)
            append(#","resources":["#, to: &out)
            var first = true
            t.forEachElement(resources) { r in
                var arn = -1
                t.forEachMember(r) { k, v in if t.isString(k, "ARN") { arn = v } }
                guard arn >= 0, t.kind(arn) == .string else { return }
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                out.append(contentsOf: JSONValue(document: t.document, index: arn).rawBytes)
            }
            append("]}", to: &out)
        }
        if let document = try? JSONDocument(bytes: out) { return document }
        // Unreachable: the text above is valid JSON by construction.
        return fallback
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

    /// `value` as a JSON string; plain text is copied in one go.
    private static func appendQuoted(_ value: String, to out: inout [UInt8]) {
        var v = value
        let plain: Bool = v.withUTF8 { buf in
            for b in buf where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { return false }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: buf)
            out.append(UInt8(ascii: "\""))
            return true
        }
        if !plain { JSONWriter.appendQuoted(value, to: &out) }
    }

    /// `"aws.<service>"` from `<service>.amazonaws.com`.
    private static func appendSource(_ eventSource: String, to out: inout [UInt8]) {
        var service = Substring(eventSource).utf8
        if let dot = service.firstIndex(of: UInt8(ascii: ".")) { service = service[..<dot] }
        if service.isEmpty {
            append(#""aws.cloudtrail""#, to: &out)
        } else {
            append(#""aws."#, to: &out)
            var quoted: [UInt8] = []
            appendQuoted(String(Substring(service)), to: &quoted)
            out.append(contentsOf: quoted.dropFirst())
        }
    }

    private static func append(_ s: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    private static let fallback: JSONDocument = {
        do { return try JSONDocument(bytes: Array(#"{"version":"0"}"#.utf8)) } catch { preconditionFailure("constant JSON") }
    }()
}
