import TrailJSON
import TrailModel

/// The `details` column: event facts the queries need, as compact JSON; nil when there are none.
///
/// Holds deletion windows, force flags, policy facts and KMS keys, never secret values.
package enum EventDetailsJSON {
    package static func encode(_ d: EventDetails) -> String? {
        if d.kmsKeys.isEmpty, d.recoveryWindowInDays == nil, !d.forceDeleteWithoutRecovery, d.policy == nil,
           d.blockPublicPolicy == nil, d.batchFilters == nil, d.pendingWindowInDays == nil {
            return nil
        }
        var w = JSONWriter()
        w.beginObject()
        if let v = d.recoveryWindowInDays { w.key("recoveryWindowInDays"); w.integer(v) }
        if d.forceDeleteWithoutRecovery { w.key("forceDeleteWithoutRecovery"); w.bool(true) }
        if let v = d.pendingWindowInDays { w.key("pendingWindowInDays"); w.integer(v) }
        if let v = d.blockPublicPolicy { w.key("blockPublicPolicy"); w.bool(v) }
        if !d.kmsKeys.isEmpty {
            w.key("kmsKeys")
            w.beginArray()
            for k in d.kmsKeys { w.string(k) }
            w.endArray()
        }
        if let filters = d.batchFilters {
            w.key("batchFilters")
            w.beginArray()
            for f in filters {
                w.beginObject()
                w.key("key"); w.string(f.key)
                w.key("values"); w.beginArray(); for v in f.values { w.string(v) }; w.endArray()
                w.endObject()
            }
            w.endArray()
        }
        if let p = d.policy { w.key("policy"); w.string(p) }
        w.endObject()
        return w.text
    }

    /// The facts read back from a `details` column.
    struct Facts {
        var recoveryWindowInDays: Int?
        var forceDelete = false
        var blockPublicPolicy: Bool?
        var kmsKeys: [String] = []
        var policy: String?
    }

    static func decode(_ text: String?) -> Facts {
        var facts = Facts()
        guard let text, let doc = try? JSONDocument(bytes: Array(text.utf8)) else { return facts }
        let root = doc.root
        facts.recoveryWindowInDays = root["recoveryWindowInDays"]?.int64.map { Int($0) }
        facts.forceDelete = root["forceDeleteWithoutRecovery"]?.bool ?? false
        facts.blockPublicPolicy = root["blockPublicPolicy"]?.bool
        facts.kmsKeys = root["kmsKeys"]?.elements.compactMap { $0.string } ?? []
        facts.policy = root["policy"]?.string
        return facts
    }
}
