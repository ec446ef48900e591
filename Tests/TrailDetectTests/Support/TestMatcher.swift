import TrailJSON
import TrailModel

/// A small EventBridge pattern matcher for the subset the shipped rules use (exact strings,
/// `exists`, `anything-but`, `prefix`), over the envelope `{source, detail-type, account,
/// region, detail: record}`. Stands in for TrailMatch in detector tests.
enum TestMatcher {
    static func matches(_ pattern: JSONValue, event e: AuditEvent, record: JSONValue) -> Bool {
        for (k, v) in pattern.members {
            let key = k.string ?? ""
            switch key {
            case "detail":
                if !matchObject(v, record) { return false }
            case "source":
                if !matchLeaf(v, ["aws." + e.service]) { return false }
            case "account":
                if !matchLeaf(v, [e.account]) { return false }
            case "region":
                if !matchLeaf(v, [e.region]) { return false }
            case "detail-type":
                let dt = e.eventType == "AwsServiceEvent" ? "AWS Service Event via CloudTrail" : "AWS API Call via CloudTrail"
                if !matchLeaf(v, [dt]) { return false }
            default:
                return false
            }
        }
        return true
    }

    /// Leaf values at `value` (arrays flattened); nil entries are JSON null.
    static func leaves(_ value: JSONValue?) -> [String?] {
        guard let value else { return [] }
        switch value.kind {
        case .array: return value.elements.flatMap { leaves($0) }
        case .null: return [nil]
        default: return [value.scalarText ?? value.rawText]
        }
    }

    static func matchObject(_ pattern: JSONValue, _ value: JSONValue?) -> Bool {
        for (k, p) in pattern.members {
            let key = k.string ?? ""
            let child: JSONValue?
            if let value, value.kind == .array {
                // Any element of an array of objects may satisfy the nested pattern.
                if p.kind == .object {
                    if !value.elements.contains(where: { matchObject(p, $0[key]) }) { return false }
                    continue
                }
                let vals = value.elements.compactMap { $0[key] }
                if !matchLeaf(p, vals.flatMap { leaves($0) }) { return false }
                continue
            }
            child = value?[key]
            if p.kind == .object {
                if !matchObject(p, child) { return false }
            } else if !matchLeaf(p, child == nil ? [] : leaves(child)) {
                return false
            }
        }
        return true
    }

    static func matchLeaf(_ pattern: JSONValue, _ values: [String?]) -> Bool {
        for p in pattern.elements {
            if p.kind == .object {
                if let ex = p["exists"]?.bool {
                    if ex == !values.isEmpty { return true }
                    continue
                }
                if let ab = p["anything-but"] {
                    let excluded = ab.kind == .array ? ab.elements.compactMap(\.scalarText) : [ab.scalarText ?? ""]
                    if !values.isEmpty, values.contains(where: { $0 != nil && !excluded.contains($0!) }) { return true }
                    continue
                }
                if let pre = p["prefix"]?.string {
                    if values.contains(where: { $0?.hasPrefix(pre) ?? false }) { return true }
                    continue
                }
                continue
            }
            if p.kind == .null { if values.contains(where: { $0 == nil }) { return true }; continue }
            let want = p.scalarText
            if values.contains(where: { $0 != nil && $0 == want }) { return true }
        }
        return false
    }
}
