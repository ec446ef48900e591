import TrailJSON
import TrailModel

/// Alerts as text: one compact JSON object per line.
public enum AlertFormatter {
    /// The alert as one line of compact JSON (no trailing newline), keys in a fixed order:
    /// `id, rule, severity, title, summary, time, account, region, principal{type,id,session,name},
    /// secret{id,name}, eventID, eventName, sourceIPAddress, userAgent, evidence{...}, count, record`.
    /// `record` is the CloudTrail record with its layout removed (values byte for byte as in the input).
    public static func jsonLine(_ a: Alert) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.key("id"); w.string(a.id)
        w.key("rule"); w.string(a.rule)
        w.key("severity"); w.string(a.severity.rawValue)
        w.key("title"); w.string(a.title)
        w.key("summary"); w.string(a.summary)
        w.key("time"); w.string(a.time.iso8601)
        w.key("account"); w.string(a.account)
        w.key("region"); w.string(a.region)
        w.key("principal"); w.beginObject()
        w.key("type"); w.string(a.principal.type)
        w.key("id"); w.string(a.principal.id)
        w.key("session"); w.optionalString(a.principal.session)
        w.key("name"); w.string(a.principal.displayName)
        w.endObject()
        w.key("secret")
        if let s = a.secret {
            w.beginObject(); w.key("id"); w.string(s.id); w.key("name"); w.string(s.name); w.endObject()
        } else {
            w.null()
        }
        w.key("eventID"); w.string(a.eventID)
        w.key("eventName"); w.string(a.eventName)
        w.key("sourceIPAddress"); w.optionalString(a.sourceIPAddress)
        w.key("userAgent"); w.optionalString(a.userAgent)
        w.key("evidence"); w.beginObject()
        for item in a.evidence {
            w.key(item.name)
            switch item.value {
            case let .string(s): w.string(s)
            case let .integer(n): w.integer(n)
            case let .bool(b): w.bool(b)
            case let .strings(list):
                w.beginArray()
                for s in list { w.string(s) }
                w.endArray()
            }
        }
        w.endObject()
        w.key("count"); w.integer(a.count)
        w.key("record")
        // Compact: a record pretty-printed in the input must not spread the alert over lines.
        let record = a.recordJSON.utf8
        if record.isEmpty {
            w.null()
        } else if JSONCompactor.hasLayout(record) {
            w.raw(JSONCompactor.compact(record))
        } else {
            w.raw(record)
        }
        w.endObject()
        return w.text
    }
}
