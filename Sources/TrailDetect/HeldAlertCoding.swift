import TrailJSON
import TrailModel

/// A held (settling) threshold alert as detector state: the whole alert, record text included,
/// so an alert held when the process stops is released after a restart exactly as formatted.
enum HeldAlertCoding {
    static func write(_ a: Alert, foldKey: String?, to w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.string(a.id)
        w.key("rule"); w.string(a.rule)
        w.key("sev"); w.string(a.severity.rawValue)
        w.key("title"); w.string(a.title)
        w.key("sum"); w.string(a.summary)
        w.key("t"); w.integer(a.time.milliseconds)
        w.key("acct"); w.string(a.account)
        w.key("reg"); w.string(a.region)
        w.key("p"); w.beginArray()
        w.string(a.principal.type); w.string(a.principal.id); w.optionalString(a.principal.session); w.optionalString(a.principal.accountId)
        w.endArray()
        if let s = a.secret {
            w.key("s"); w.beginArray()
            w.string(s.id); w.string(s.name); w.string(s.account); w.string(s.region); w.bool(s.isFullARN)
            w.endArray()
        }
        w.key("ev"); w.string(a.eventID)
        w.key("name"); w.string(a.eventName)
        w.key("ip"); w.optionalString(a.sourceIPAddress)
        w.key("ua"); w.optionalString(a.userAgent)
        w.key("evidence"); w.beginArray()
        for item in a.evidence {
            w.beginArray()
            w.string(item.name)
            switch item.value {
            case let .string(s): w.string("s"); w.string(s)
            case let .integer(n): w.string("i"); w.integer(n)
            case let .bool(b): w.string("b"); w.bool(b)
            case let .strings(list):
                w.string("l"); w.beginArray()
                for s in list { w.string(s) }
                w.endArray()
            }
            w.endArray()
        }
        w.endArray()
        w.key("n"); w.integer(a.count)
        if let foldKey { w.key("fold"); w.string(foldKey) }
        w.key("rec"); w.string(a.recordJSON)
        w.endObject()
    }

    /// The alert and its suppression key, or nil when the value is damaged (then ignored).
    static func read(_ v: JSONValue) -> (alert: Alert, foldKey: String?)? {
        guard let id = v["id"]?.string, let rule = v["rule"]?.string,
              let sev = v["sev"]?.string.flatMap(Severity.init(rawValue:)), let title = v["title"]?.string,
              let summary = v["sum"]?.string, let t = v["t"]?.int64, let account = v["acct"]?.string,
              let region = v["reg"]?.string, let p = v["p"].map({ Array($0.elements) }), p.count == 4,
              let ptype = p[0].string, let pid = p[1].string, let eventID = v["ev"]?.string,
              let name = v["name"]?.string, let n = v["n"]?.int64, let record = v["rec"]?.string
        else { return nil }
        var secret: SecretRef?
        if let s = v["s"].map({ Array($0.elements) }) {
            guard s.count == 5, let sid = s[0].string, let sname = s[1].string, let sacct = s[2].string,
                  let sreg = s[3].string, let full = s[4].bool else { return nil }
            secret = SecretRef(id: sid, name: sname, account: sacct, region: sreg, isFullARN: full)
        }
        var evidence: [EvidenceItem] = []
        for item in v["evidence"]?.elements.map({ $0 }) ?? [] {
            let parts = Array(item.elements)
            guard parts.count == 3, let key = parts[0].string, let kind = parts[1].string else { return nil }
            switch kind {
            case "s": guard let s = parts[2].string else { return nil }; evidence.append(EvidenceItem(key, .string(s)))
            case "i": guard let i = parts[2].int64 else { return nil }; evidence.append(EvidenceItem(key, .integer(i)))
            case "b": guard let b = parts[2].bool else { return nil }; evidence.append(EvidenceItem(key, .bool(b)))
            case "l":
                let list = parts[2].elements.compactMap(\.string)
                evidence.append(EvidenceItem(key, .strings(list)))
            default: return nil
            }
        }
        let alert = Alert(
            id: id, rule: rule, severity: sev, title: title, summary: summary, time: EventTime(milliseconds: t),
            account: account, region: region,
            principal: Principal(type: ptype, id: pid, session: p[2].string, accountId: p[3].string),
            secret: secret, eventID: eventID, eventName: name, sourceIPAddress: v["ip"]?.string,
            userAgent: v["ua"]?.string, evidence: evidence, count: Int(n), recordJSON: record)
        return (alert, v["fold"]?.string)
    }
}
