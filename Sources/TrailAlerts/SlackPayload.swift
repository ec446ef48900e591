import TrailJSON

/// A Slack incoming-webhook message for one alert: a one-line `text` (the notification and
/// fallback) and Block Kit blocks: a header, the summary, and fields for severity, rule,
/// principal, secret, time and event id.
///
/// Alert text is attacker-influenced (principal and secret names come from CloudTrail), so it is
/// escaped for Slack's mrkdwn (`&`, `<`, `>`), which keeps it from forming links or mentions, and
/// cut to Slack's length limits.
public enum SlackPayload {
    public static func render(alertJSON: String) -> [UInt8] {
        let alert = try? JSONDocument(text: alertJSON)
        func field(_ path: String...) -> String? {
            guard var value = alert?.root else { return nil }
            for key in path {
                guard let next = value[key] else { return nil }
                value = next
            }
            return value.string ?? value.scalarText
        }
        let severity = field("severity") ?? "unknown"
        let rule = field("rule") ?? "unknown"
        let title = field("title") ?? rule
        let summary = field("summary") ?? ""
        var w = JSONWriter()
        w.beginObject()
        w.key("text"); w.string(oneLine("[\(severity.uppercased())] \(rule): \(summary)", limit: 3000))
        w.key("blocks"); w.beginArray()
        w.beginObject()
        w.key("type"); w.string("header")
        w.key("text"); w.beginObject(); w.key("type"); w.string("plain_text"); w.key("text"); w.string(oneLine("\(severity.uppercased()): \(title)", limit: 150)); w.endObject()
        w.endObject()
        w.beginObject()
        w.key("type"); w.string("section")
        w.key("text"); mrkdwn(&w, escape(summary.isEmpty ? title : summary, limit: 3000))
        w.endObject()
        let facts: [(String, String?)] = [
            ("Severity", severity), ("Rule", rule),
            ("Principal", field("principal", "name") ?? field("principal", "id")),
            ("Secret", field("secret", "name") ?? field("secret", "id")),
            ("Time", field("time")), ("Event ID", field("eventID")),
        ]
        w.beginObject()
        w.key("type"); w.string("section")
        w.key("fields"); w.beginArray()
        for (name, value) in facts {
            mrkdwn(&w, "*\(name)*\n" + escape(value ?? "–", limit: 1900))
        }
        w.endArray()
        w.endObject()
        w.endArray()
        w.endObject()
        return w.bytes
    }

    private static func mrkdwn(_ w: inout JSONWriter, _ text: String) {
        w.beginObject(); w.key("type"); w.string("mrkdwn"); w.key("text"); w.string(text); w.endObject()
    }

    /// `text` with `&`, `<`, `>` escaped as Slack asks, cut to `limit` characters.
    static func escape(_ text: String, limit: Int) -> String {
        var out = ""
        for ch in cut(text, limit: limit) {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.append(ch)
            }
        }
        return out
    }

    private static func oneLine(_ text: String, limit: Int) -> String {
        cut(String(text.map { $0.isNewline ? " " : $0 }), limit: limit)
    }

    private static func cut(_ text: String, limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
