import TrailJSON
import TrailModel

/// An alert as an OCSF Detection Finding (`class_uid` 2004, category Findings, activity Create) of
/// OCSF 1.7.0, one line of JSON. The CloudTrail record is the finding's evidence (`evidences[0].data`,
/// with the API call, the actor and the source address beside it); the rule is the analytic.
public enum OCSFFinding {
    /// The OCSF schema version the findings follow.
    public static let schemaVersion = "1.7.0"

    public static func render(alertJSON: String) -> [UInt8] {
        let root = (try? JSONDocument(text: alertJSON))?.root
        func text(_ path: String...) -> String? {
            guard var value = root else { return nil }
            for key in path {
                guard let next = value[key] else { return nil }
                value = next
            }
            return value.string
        }
        let severity = text("severity") ?? "medium"
        let rule = text("rule") ?? "unknown"
        let time = text("time").flatMap(milliseconds(iso8601:)) ?? 0
        var w = JSONWriter()
        w.beginObject()
        w.key("activity_id"); w.integer(1)
        w.key("activity_name"); w.string("Create")
        w.key("category_uid"); w.integer(2)
        w.key("category_name"); w.string("Findings")
        w.key("class_uid"); w.integer(2004)
        w.key("class_name"); w.string("Detection Finding")
        w.key("type_uid"); w.integer(200_401)
        w.key("type_name"); w.string("Detection Finding: Create")
        w.key("severity_id"); w.integer(severityID(severity))
        w.key("severity"); w.string(severityName(severity))
        w.key("status_id"); w.integer(1)
        w.key("status"); w.string("New")
        w.key("is_alert"); w.bool(true)
        w.key("time"); w.integer(time)
        w.key("message"); w.string(text("summary") ?? "")
        w.key("metadata"); w.beginObject()
        w.key("version"); w.string(schemaVersion)
        w.key("uid"); w.string(text("id") ?? "")
        w.key("product"); w.beginObject()
        w.key("name"); w.string("TrailWatch"); w.key("vendor_name"); w.string("TrailWatch")
        w.endObject()
        w.endObject()
        w.key("finding_info"); w.beginObject()
        w.key("uid"); w.string(text("id") ?? "")
        w.key("title"); w.string(text("title") ?? rule)
        w.key("desc"); w.string(text("summary") ?? "")
        w.key("created_time"); w.integer(time)
        w.key("analytic"); w.beginObject()
        w.key("name"); w.string(rule); w.key("type_id"); w.integer(1); w.key("type"); w.string("Rule")
        w.endObject()
        w.endObject()
        w.key("cloud"); w.beginObject()
        w.key("provider"); w.string("AWS")
        if let region = text("region") { w.key("region"); w.string(region) }
        if let account = text("account") {
            w.key("account"); w.beginObject(); w.key("uid"); w.string(account); w.key("type_id"); w.integer(10); w.key("type"); w.string("AWS Account"); w.endObject()
        }
        w.endObject()
        if let secretID = text("secret", "id") {
            w.key("resources"); w.beginArray(); w.beginObject()
            w.key("uid"); w.string(secretID)
            if let name = text("secret", "name") { w.key("name"); w.string(name) }
            w.key("type"); w.string("AWS::SecretsManager::Secret")
            w.endObject(); w.endArray()
        }
        w.key("evidences"); w.beginArray(); w.beginObject()
        if let principal = text("principal", "id") {
            w.key("actor"); w.beginObject(); w.key("user"); w.beginObject()
            w.key("uid"); w.string(principal)
            if let name = text("principal", "name") { w.key("name"); w.string(name) }
            if let type = text("principal", "type") { w.key("type"); w.string(type) }
            w.endObject(); w.endObject()
        }
        if let eventName = text("eventName") {
            w.key("api"); w.beginObject()
            w.key("operation"); w.string(eventName)
            if let eventID = text("eventID") { w.key("request"); w.beginObject(); w.key("uid"); w.string(eventID); w.endObject() }
            w.endObject()
        }
        if let ip = text("sourceIPAddress") {
            w.key("src_endpoint"); w.beginObject()
            if isIPAddress(ip) { w.key("ip"); w.string(ip) } else { w.key("domain"); w.string(ip) }
            w.endObject()
        }
        w.key("data")
        if let record = root?["record"], record.isObject {
            let raw = record.rawBytes
            w.raw(JSONCompactor.hasLayout(raw) ? JSONCompactor.compact(raw) : Array(raw))
        } else {
            w.beginObject(); w.endObject()
        }
        w.endObject(); w.endArray()
        w.key("unmapped"); w.beginObject()
        if let evidence = root?["evidence"], evidence.isObject { w.key("evidence"); w.raw(JSONCompactor.compact(evidence.rawBytes)) }
        if let count = root?["count"]?.int64 { w.key("count"); w.integer(count) }
        w.endObject()
        w.endObject()
        return w.bytes
    }

    /// OCSF severity ids: 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical.
    static func severityID(_ severity: String) -> Int {
        switch severity {
        case "info": 1
        case "low": 2
        case "medium": 3
        case "high": 4
        case "critical": 5
        default: 0
        }
    }

    static func severityName(_ severity: String) -> String {
        switch severity {
        case "info": "Informational"
        case "low": "Low"
        case "medium": "Medium"
        case "high": "High"
        case "critical": "Critical"
        default: "Unknown"
        }
    }

    /// Whether `text` is an IPv4 or IPv6 address (CloudTrail puts service names such as
    /// `secretsmanager.amazonaws.com` in `sourceIPAddress` too; those go to `domain`).
    static func isIPAddress(_ text: String) -> Bool {
        IPAddress.parse(Array(text.utf8), allowLeadingZeros: false) != nil
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fff]Z` as milliseconds since the epoch.
    static func milliseconds(iso8601 text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T") else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var n: Int64 = 0
            for i in range {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                n = n * 10 + Int64(b[i] - 0x30)
            }
            return n
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10), let hh = number(11..<13),
              let mm = number(14..<16), let ss = number(17..<19), (1...12).contains(m), (1...31).contains(d) else { return nil }
        var millis: Int64 = 0
        if b[19] == UInt8(ascii: "."), b.count >= 24, let f = number(20..<23) { millis = f }
        // Days from the civil date (Howard Hinnant's algorithm).
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return ((days * 24 + hh) * 60 + mm) * 60_000 + ss * 1000 + millis
    }
}
