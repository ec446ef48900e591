import TrailJSON
import TrailModel

/// Which KMS keys encrypt which secrets, learned from every event.
///
/// Links come from KMS events that name a secret (`encryptionContext.SecretARN`; the normaliser
/// puts the secret in `secrets` and the key in `details.kmsKeys`) and from successful
/// `CreateSecret`/`UpdateSecret` calls with a `kmsKeyId`. Keys are compared by key id (the part
/// after `key/` in an ARN). At most `limit` secrets are kept per key (the alert needs a few names
/// and the fact). State: `kms-key-secrets`, one entry per key.
final class KMSKeyLinks {
    static let namespace = "kms-key-secrets"
    let limit = 20
    private(set) var secretsByKey: [String: [String]] = [:]
    private var names: [String: String] = [:]
    private var dirty: Set<String> = []

    func observe(_ e: AuditEvent) {
        guard !e.secrets.isEmpty, !e.details.kmsKeys.isEmpty else { return }
        let fromKMS = e.eventSource == "kms.amazonaws.com"
        let fromSecret = (e.eventName == "CreateSecret" || e.eventName == "UpdateSecret") && e.succeeded
        guard fromKMS || fromSecret else { return }
        for raw in e.details.kmsKeys {
            let key = normalised(raw)
            if key.hasPrefix("alias/") { continue }
            // Fast path: the link is known already (the usual case: every Decrypt repeats it).
            if let list = secretsByKey[key], list.count >= limit || e.secrets.allSatisfy({ list.contains($0.id) }) { continue }
            var list = secretsByKey[key] ?? []
            for s in e.secrets where !list.contains(s.id) && list.count < limit {
                list.append(s.id)
                dirty.insert(key)
            }
            list.sort()
            secretsByKey[key] = list
        }
    }

    private var normalisedKeys: [String: String] = [:]

    /// `KMSKeyID.normalise`, remembered (a few keys recur in every file).
    private func normalised(_ raw: String) -> String {
        if let k = normalisedKeys[raw] { return k }
        let k = KMSKeyID.normalise(raw)
        if normalisedKeys.count > 50_000 { normalisedKeys.removeAll(keepingCapacity: true) }
        normalisedKeys[raw] = k
        return k
    }

    /// The secrets known to be encrypted by any of `keys`.
    func secrets(for keys: [String]) -> [String] {
        unique(keys.map(KMSKeyID.normalise).flatMap { secretsByKey[$0] ?? [] })
    }

    func restore(key: String, value: JSONValue) {
        guard let list = value["s"], list.kind == .array else { return }
        secretsByKey[key] = list.elements.compactMap(\.string).sorted()
    }

    func changes() -> [DetectorStateEntry] {
        defer { dirty.removeAll() }
        return dirty.sorted().map { key in
            var w = JSONWriter()
            w.beginObject(); w.key("s"); w.beginArray()
            for s in secretsByKey[key] ?? [] { w.string(s) }
            w.endArray(); w.endObject()
            return DetectorStateEntry(namespace: Self.namespace, key: key, value: w.text)
        }
    }
}

/// `ScheduleKeyDeletion`, `DisableKey`, `PutKeyPolicy`: escalated when the key encrypts a secret.
enum KMSKeyAnalysis {
    static func analyse(_ e: AuditEvent, config: KMSKeyConfig, links: KMSKeyLinks) -> Finding? {
        // Keys managed by AWS services on their own are not a person's action.
        if e.principal.type == "AWSService" { return nil }
        let keys = unique(e.details.kmsKeys.map(KMSKeyID.normalise))
        let secrets = links.secrets(for: keys)
        let who = Phrase.who(e.principal)
        let keyText = keys.isEmpty ? "a KMS key" : "KMS key \(keys.joined(separator: ", "))"
        // ScheduleKeyDeletion's window, as AWS would have taken it, and the deletion date.
        let recorded = e.details.pendingWindowInDays
        let days = RecoveryWindow.effectiveDays(recorded)
        let deletion = e.eventTime.adding(.days(Int64(days)))
        var what: String
        switch e.eventName {
        case "ScheduleKeyDeletion":
            let windowText = Phrase.window("pending window", recorded: recorded, taken: days) ?? "\(days) day\(days == 1 ? "" : "s") pending"
            what = "scheduled \(keyText) for deletion on \(deletion.dateString) (\(windowText))"
        case "DisableKey": what = "disabled \(keyText)"
        case "PutKeyPolicy": what = "replaced the key policy of \(keyText)"
        default: what = "called \(e.eventName) on \(keyText)"
        }
        let names = secrets.map(SecretNames.name(fromID:))
        var summary = "\(who) \(what)"
        summary += secrets.isEmpty ? ", not known to encrypt any secret" : ", which encrypts \(names.count == 1 ? "secret" : "\(names.count) secrets") \(Phrase.names(names, limit: 3))"
        summary += Phrase.outcome(e) + Phrase.place(e)
        var evidence: [EvidenceItem] = [EvidenceItem("kmsKeys", .strings(keys)), EvidenceItem("encryptsSecrets", .strings(secrets))]
        if e.eventName == "ScheduleKeyDeletion" {
            evidence.append(EvidenceItem("pendingWindowInDays", .integer(Int64(days))))
            evidence.append(EvidenceItem("deletionDate", .string(deletion.iso8601)))
            if let recorded, RecoveryWindow.isImpossible(recorded) { evidence.append(EvidenceItem("recordedPendingWindowInDays", .integer(Int64(recorded)))) }
        }
        return Finding(
            severity: secrets.isEmpty ? nil : config.escalate, summary: summary, evidence: evidence,
            secret: e.secrets.first ?? secrets.first.map(secretRef))
    }

    /// A `SecretRef` for a linked secret id (an ARN), for the alert's `secret` field.
    static func secretRef(_ id: String) -> SecretRef {
        let parts = id.split(separator: ":", maxSplits: 6, omittingEmptySubsequences: false).map(String.init)
        let full = id.hasPrefix("arn:") && SecretNames.name(fromID: id) != String(parts.last ?? "")
        return SecretRef(
            id: id, name: SecretNames.name(fromID: id), account: parts.count > 4 ? parts[4] : "",
            region: parts.count > 3 ? parts[3] : "", isFullARN: full)
    }
}
