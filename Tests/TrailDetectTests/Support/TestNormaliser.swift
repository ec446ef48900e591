import TrailJSON
import TrailModel

/// A small stand-in for TrailDecode's normaliser, enough to turn the fixture records and
/// generated trees into `AuditEvent`s for detector tests: stable principal, secrets resolved to
/// full ARNs once learned, and the request details detectors read.
final class TestNormaliser {
    /// (account, region, name) → full ARN.
    var catalog: [String: String] = [:]

    static func parseTime(_ s: String) -> EventTime? {
        let b = Array(s.utf8)
        guard b.count >= 20 else { return nil }
        func num(_ r: Range<Int>) -> Int64? {
            var v: Int64 = 0
            for i in r {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int64(b[i] - 48)
            }
            return v
        }
        guard let y = num(0..<4), let mo = num(5..<7), let d = num(8..<10), let h = num(11..<13), let mi = num(14..<16), let se = num(17..<19) else { return nil }
        var ms: Int64 = 0
        if b[19] == UInt8(ascii: ".") {
            var i = 20, scale: Int64 = 100
            while i < b.count, b[i] >= 48, b[i] <= 57 { ms += Int64(b[i] - 48) * scale; scale /= 10; i += 1 }
        }
        let days = CivilDate.toDays(year: y, month: mo, day: d)
        return EventTime(milliseconds: ((days * 86400 + h * 3600 + mi * 60 + se) * 1000) + ms)
    }

    static func isFullARN(_ s: String) -> Bool {
        guard s.hasPrefix("arn:"), let dash = s.lastIndex(of: "-") else { return false }
        let suffix = s[s.index(after: dash)...]
        return suffix.count == 6 && suffix.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    func secretRef(_ raw: String, account: String, region: String) -> SecretRef {
        if raw.hasPrefix("arn:") {
            let parts = raw.split(separator: ":", maxSplits: 6, omittingEmptySubsequences: false).map(String.init)
            let acct = parts.count > 4 ? parts[4] : account
            let reg = parts.count > 3 ? parts[3] : region
            let tail = raw.firstRange(of: ":secret:").map { String(raw[$0.upperBound...]) } ?? raw
            // A partial ARN whose name ends like a suffix (`stripe-webhook-secret`): known names win.
            if let full = catalog[acct + "|" + reg + "|" + tail], full != raw {
                return SecretRef(id: full, name: tail, account: acct, region: reg, isFullARN: true)
            }
            let name = SecretNamesForTest.name(raw)
            if Self.isFullARN(raw) {
                catalog[acct + "|" + reg + "|" + name] = raw
                return SecretRef(id: raw, name: name, account: acct, region: reg, isFullARN: true)
            }
            if let full = catalog[acct + "|" + reg + "|" + name] {
                return SecretRef(id: full, name: name, account: acct, region: reg, isFullARN: true)
            }
            return SecretRef(id: raw, name: name, account: acct, region: reg, isFullARN: false)
        }
        if let full = catalog[account + "|" + region + "|" + raw] {
            return SecretRef(id: full, name: raw, account: account, region: region, isFullARN: true)
        }
        return SecretRef(id: "arn:aws:secretsmanager:\(region):\(account):secret:\(raw)", name: raw, account: account, region: region, isFullARN: false)
    }

    func normalise(_ r: JSONValue, path: String = "test", index: Int = 0) -> AuditEvent? {
        guard let id = r["eventID"]?.string, let ts = r["eventTime"]?.string, let time = Self.parseTime(ts) else { return nil }
        let ui = r["userIdentity"]
        let account = r["recipientAccountId"]?.string ?? ui?["accountId"]?.string ?? ""
        let region = r["awsRegion"]?.string ?? ""
        var type = ui?["type"]?.string ?? (ui?["invokedBy"] != nil ? "AWSService" : "Unknown")
        var pid = ui?["arn"]?.string ?? ui?["principalId"]?.string ?? "unknown"
        var session: String? = nil
        if type == "AssumedRole", let issuer = ui?["sessionContext", "sessionIssuer", "arn"]?.string {
            pid = issuer
            session = ui?["arn"]?.string.flatMap { a in a.split(separator: "/").last.map(String.init) }
        } else if type == "AWSService" || ui?["type"] == nil, let by = ui?["invokedBy"]?.string {
            pid = by
            type = "AWSService"
        }
        let principal = Principal(type: type, id: pid, session: session, accountId: ui?["accountId"]?.string)
        let source = r["eventSource"]?.string ?? ""
        let name = r["eventName"]?.string ?? ""
        let req = r["requestParameters"]
        let resp = r["responseElements"]
        var raws: [String] = []
        if let a = resp?["arn"]?.string ?? resp?["aRN"]?.string { raws.append(a) }
        if let s = r["additionalEventData", "SecretId"]?.string { raws.append(s) }
        if let s = req?["encryptionContext", "SecretARN"]?.string { raws.append(s) }
        if source == "secretsmanager.amazonaws.com" {
            if let s = req?["secretId"]?.string { raws.append(s) }
            if let list = req?["secretIdList"], list.kind == .array { raws.append(contentsOf: list.elements.compactMap(\.string)) }
        }
        // Full ARNs first so that names in the same record resolve.
        raws.sort { Self.isFullARN($0) && !Self.isFullARN($1) }
        var secrets: [SecretRef] = []
        for raw in raws {
            let ref = secretRef(raw, account: account, region: region)
            if !secrets.contains(where: { $0.id == ref.id || $0.name == ref.name && $0.account == ref.account }) { secrets.append(ref) }
        }
        var d = EventDetails()
        if let res = r["resources"], res.kind == .array {
            for x in res.elements where x["type"]?.string == "AWS::KMS::Key" { if let a = x["ARN"]?.string { d.kmsKeys.append(a) } }
        }
        if source == "kms.amazonaws.com", let k = resp?["keyId"]?.string, !d.kmsKeys.contains(k) { d.kmsKeys.append(k) }
        if let k = req?["kmsKeyId"]?.string, name == "CreateSecret" || name == "UpdateSecret" { d.kmsKeys.append(k) }
        d.recoveryWindowInDays = req?["recoveryWindowInDays"]?.int64.map { Int($0) }
        d.forceDeleteWithoutRecovery = req?["forceDeleteWithoutRecovery"]?.bool ?? false
        d.policy = req?["resourcePolicy"]?.string ?? req?["policy"]?.string
        d.blockPublicPolicy = req?["blockPublicPolicy"]?.bool
        d.pendingWindowInDays = req?["pendingWindowInDays"]?.int64.map { Int($0) }
        if let f = req?["filters"], f.kind == .array {
            d.batchFilters = f.elements.map { BatchFilter(key: $0["key"]?.string ?? "", values: $0["values"]?.elements.compactMap(\.string) ?? []) }
        }
        return AuditEvent(
            eventID: id, eventTime: time, eventSource: source, eventName: name,
            eventType: r["eventType"]?.string ?? "", region: region, account: account,
            sourceIPAddress: r["sourceIPAddress"]?.string, userAgent: r["userAgent"]?.string,
            errorCode: r["errorCode"]?.string, errorMessage: r["errorMessage"]?.string, readOnly: r["readOnly"]?.bool,
            principal: principal, secrets: secrets, details: d,
            location: RecordLocation(path: path, recordIndex: index, byteOffset: r.byteOffset))
    }
}

enum SecretNamesForTest {
    static func name(_ arn: String) -> String {
        guard let r = arn.firstRange(of: ":secret:") else { return arn }
        let n = String(arn[r.upperBound...])
        if TestNormaliser.isFullARN(arn), let dash = n.lastIndex(of: "-") { return String(n[..<dash]) }
        return n
    }
}
