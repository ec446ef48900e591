import TrailJSON

/// The one rule for what the console never shows of a stored CloudTrail record, used by every
/// console output (the alert page's `<pre>` blocks and `/api/alerts`).
///
/// The rule is allow-list-ish, so a new field name cannot slip through:
/// - under `responseElements` (at any depth), every string value is replaced by `"(redacted)"`
///   unless its key is one of ``responseIdentityKeys`` (identity, not content);
/// - anywhere in the record, the value of a key whose name contains one of ``sensitiveFragments``
///   (case-insensitive) is replaced whole by `"(redacted)"`, unless the key is one of
///   ``identityKeys`` (`secretId` names a secret, it does not hold one).
///
/// Numbers, booleans and nulls under `responseElements` are kept; keys are always kept.
/// CloudTrail does not log secret values, but the record is attacker-made and a forged one may
/// carry them (`SecretString`, `randomPassword`, `PrivateKeyPlaintext`, …).
public enum Redaction {
    /// What a redacted value becomes.
    public static let marker = "(redacted)"
    /// Name fragments (lower case) that make a key's value secret anywhere in a record.
    public static let sensitiveFragments = ["secret", "password", "plaintext", "privatekey", "token", "credential"]
    /// Keys (lower case) that contain a fragment but only name or locate a secret.
    public static let identityKeys: Set<String> = ["secretid", "secretarn", "secretname", "secretidlist", "secretids"]
    /// Keys (lower case) whose string values are shown under `responseElements`.
    public static let responseIdentityKeys: Set<String> = [
        "arn", "name", "versionid", "versionstages", "versionidstostages", "createddate", "creationdate", "deleteddate",
        "deletiondate", "lastchangeddate", "lastaccesseddate", "kmskeyid", "keyid", "owningservice", "primaryregion", "region",
        "status", "statusmessage", "secretid", "secretarn", "secretname",
    ]

    /// True when the value of `key` is redacted wherever it appears.
    public static func isSensitive(key: String) -> Bool {
        let k = key.lowercased()
        if identityKeys.contains(k) { return false }
        return sensitiveFragments.contains { k.contains($0) }
    }

    /// The record (or any JSON text) with the rule applied, as compact JSON; `text` itself when
    /// nothing is redacted (so output stays byte-identical to the CLI's); nil when not JSON.
    public static func redact(_ text: String) -> String? {
        guard let doc = try? JSONDocument(bytes: Array(text.utf8)) else { return nil }
        var w = JSONWriter()
        var changed = false
        write(doc.root, inResponse: false, key: nil, into: &w, changed: &changed)
        return changed ? w.text : text
    }

    /// One line of `alerts --format json` with its `record` and `evidence` redacted; the line
    /// itself when nothing is redacted. A line that is not a JSON object is replaced by an error
    /// object rather than passed through.
    public static func redactAlertLine(_ line: String) -> String {
        guard let doc = try? JSONDocument(bytes: Array(line.utf8)), doc.root.isObject else {
            return #"{"error":"stored alert is not valid JSON (redacted)"}"#
        }
        var w = JSONWriter()
        var changed = false
        w.beginObject()
        for (key, value) in doc.root.members {
            let name = key.string ?? ""
            w.key(name)
            if name == "record" || name == "evidence" {
                write(value, inResponse: false, key: nil, into: &w, changed: &changed)
            } else {
                w.raw(value.rawBytes)
            }
        }
        w.endObject()
        return changed ? w.text : line
    }

    /// Writes `v`, the value of `key` (nil for the root or an object's elements' own keys).
    private static func write(_ v: JSONValue, inResponse: Bool, key: String?, into w: inout JSONWriter, changed: inout Bool) {
        let shownKey = key.map { responseIdentityKeys.contains($0.lowercased()) } ?? false
        switch v.kind {
        case .object:
            w.beginObject()
            for (k, value) in v.members {
                let name = k.string ?? ""
                w.key(name)
                if isSensitive(key: name) && !value.isNull {
                    w.string(marker)
                    changed = true
                } else {
                    write(value, inResponse: inResponse || name.lowercased() == "responseelements", key: name, into: &w, changed: &changed)
                }
            }
            w.endObject()
        case .array:
            w.beginArray()
            for element in v.elements { write(element, inResponse: inResponse, key: key, into: &w, changed: &changed) }
            w.endArray()
        case .string:
            if inResponse && !shownKey { w.string(marker); changed = true } else { w.raw(v.rawBytes) }
        default:
            w.raw(v.rawBytes)
        }
    }
}
