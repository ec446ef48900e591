import TrailModel

/// A normalised event field that a detector's `key`, `value`, `group`, `distinct` or a rule's
/// `suppress.by` can name.
///
/// Fields come from the normalised ``AuditEvent``, not from the raw record, so that `principal`
/// is the stable principal (a role, not its session) and `secret` the secret's identity (its ARN
/// without the random suffix, so that a name, a partial ARN and the full ARN agree).
/// `secret`, `secretName` and `kmsKey` can hold several values (a `BatchGetSecretValue` names
/// several secrets); the others hold at most one.
public enum EventField: String, Sendable, Hashable, CaseIterable {
    case principal
    case principalType
    case session
    case secret
    case secretName
    case account
    case region
    case sourceIPAddress
    case userAgent
    case eventName
    case eventSource
    case eventType
    case errorCode
    case eventID
    case kmsKey

    /// The field's values in `event`; empty when the event has none (a missing field).
    public func values(in event: AuditEvent) -> [String] {
        switch self {
        case .principal: return [event.principal.id]
        case .principalType: return [event.principal.type]
        case .session: return event.principal.session.map { [$0] } ?? []
        case .secret: return unique(event.secrets.map(SecretNames.key))
        case .secretName: return unique(event.secrets.map(\.name))
        case .account: return [event.account]
        case .region: return [event.region]
        case .sourceIPAddress: return event.sourceIPAddress.map { [$0] } ?? []
        case .userAgent: return event.userAgent.map { [$0] } ?? []
        case .eventName: return [event.eventName]
        case .eventSource: return [event.eventSource]
        case .eventType: return [event.eventType]
        case .errorCode: return event.errorCode.map { [$0] } ?? []
        case .eventID: return [event.eventID]
        case .kmsKey: return unique(event.details.kmsKeys.map(KMSKeyID.normalise))
        }
    }

    /// A short human form of one of this field's values (secret ARN → name, principal ARN → `role/x`).
    public func display(_ value: String, in event: AuditEvent?) -> String {
        switch self {
        case .principal:
            if let event, event.principal.id == value { return event.principal.displayName }
            return Principal(type: "", id: value).displayName
        case .secret:
            if let s = event?.secrets.first(where: { SecretNames.key($0) == value }) { return s.name }
            return SecretNames.name(fromID: value)
        default:
            return value
        }
    }

    /// The names accepted in rule files, for error messages.
    static var accepted: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

func unique(_ values: [String]) -> [String] {
    var seen = Set<String>()
    var out: [String] = []
    for v in values where seen.insert(v).inserted { out.append(v) }
    return out
}

/// Secret identities for state keys, and names for display when only an id is at hand.
enum SecretNames {
    /// The key detectors use for a secret: its ARN without the random suffix
    /// (`arn:aws:secretsmanager:r:a:secret:prod/db`). A secret referred to by name before its full
    /// ARN was learned, and by full ARN afterwards, keeps one baseline.
    static func key(_ s: SecretRef) -> String {
        guard s.isFullARN, let at = ByteSearch.offsetAfter(ByteSearch.secretMarker, in: s.id) else { return s.id }
        let tailLength = s.id.utf8.count - at
        if tailLength == s.name.utf8.count + 7, ByteSearch.suffix(s.id, from: at).hasPrefix(s.name) {
            return ByteSearch.prefix(s.id, to: at) + s.name
        }
        return ByteSearch.prefix(s.id, to: max(at, s.id.utf8.count - 7))
    }

    /// `arn:aws:secretsmanager:r:a:secret:prod/db-AbCdEf` → `prod/db`; a name stays as it is.
    static func name(fromID id: String) -> String {
        guard let at = ByteSearch.offsetAfter(ByteSearch.secretMarker, in: id) else { return id }
        var name = ByteSearch.suffix(id, from: at)
        // Strip the 6-character random suffix of a full ARN.
        let chars = Array(name)
        if chars.count > 7, chars[chars.count - 7] == "-",
           chars[(chars.count - 6)...].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
            name = String(chars[..<(chars.count - 7)])
        }
        return name
    }
}

/// Remembers `SecretNames.key` per secret id: the same secrets recur in every file.
final class SecretKeyCache {
    private var keys: [String: String] = [:]

    func key(_ s: SecretRef) -> String {
        if let k = keys[s.id] { return k }
        let k = SecretNames.key(s)
        if keys.count > 100_000 { keys.removeAll(keepingCapacity: true) }
        keys[s.id] = k
        return k
    }

    /// The values of `field` in `e`, with secret keys from the cache.
    func values(_ field: EventField, in e: AuditEvent) -> [String] {
        guard field == .secret else { return field.values(in: e) }
        if e.secrets.count == 1 { return [key(e.secrets[0])] }
        return unique(e.secrets.map(key))
    }
}

/// KMS key identities: `arn:aws:kms:r:a:key/UUID` and `UUID` name the same key.
enum KMSKeyID {
    /// The key id (the part after `key/`) of a key ARN; other forms (ids, aliases) are kept as given.
    static func normalise(_ key: String) -> String {
        if key.hasPrefix("arn:"), let at = ByteSearch.offsetAfter(ByteSearch.keyMarker, in: key) { return ByteSearch.suffix(key, from: at) }
        return key
    }
}
