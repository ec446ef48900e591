import TrailModel

/// Maps secrets named by name or partial ARN to their full ARN, learning full ARNs as events go by.
///
/// Keyed by (account, region, name). Every full ARN an event carries (CreateSecret and
/// DeleteSecret responses, service events' `SecretId`, KMS `encryptionContext.SecretARN`, ...)
/// is learned; a later name-only or partial reference to the same secret resolves to it. When a
/// secret is recreated under the same name, the newest ARN seen wins. Used sequentially, in file
/// order; the store persists what ``drainLearned()`` hands over and passes it back to ``init(known:)``.
public struct SecretCatalog: Sendable {
    private struct Key: Hashable {
        var account: String
        var region: String
        var name: String
    }

    private var byName: [Key: SecretRef] = [:]
    private var knownIDs: Set<String> = []
    /// Full-ARN secrets learned since init or the last ``drainLearned()``, in the order seen.
    public private(set) var learned: [SecretRef] = []

    /// A catalog that already knows `known` (refs that are not full ARNs are ignored).
    public init(known: [SecretRef]) {
        for ref in known where ref.isFullARN { remember(ref) }
    }

    /// The full-ARN secret known for (account, region, name), if any.
    public func lookup(account: String, region: String, name: String) -> SecretRef? {
        byName[Key(account: account, region: region, name: name)]
    }

    /// Upgrades the event's name and partial-ARN refs to full ARNs when known, learns the event's
    /// full ARNs, and leaves one ref per secret.
    ///
    /// A suffix-shaped ARN (`…:secret:db-AbC123`) that is not itself known is read as a partial
    /// ARN when the catalog knows a secret whose whole name is `db-AbC123`.
    public mutating func resolve(_ event: inout AuditEvent) {
        guard !event.secrets.isEmpty else { return }
        var changed = false
        for i in event.secrets.indices {
            let ref = event.secrets[i]
            if ref.isFullARN {
                if knownIDs.contains(ref.id) { continue }
                if let whole = SecretForms.resourceName(ofARN: ref.id),
                   let known = byName[Key(account: ref.account, region: ref.region, name: String(whole))],
                   known.id != ref.id {
                    // The "suffix" belongs to the name of a known secret: this was a partial ARN.
                    event.secrets[i] = known
                    changed = true
                    continue
                }
                remember(ref)
                learned.append(ref)
            } else if let known = byName[Key(account: ref.account, region: ref.region, name: ref.name)] {
                event.secrets[i] = known
                changed = true
            }
        }
        if changed { event.secrets = SecretForms.dedupe(event.secrets) }
    }

    /// Whether the catalog lacks something about the event's secrets that a store shared with
    /// other workers may know: a full ARN it has not seen, or a name or partial ARN it cannot
    /// resolve.
    public func lacksAny(of event: AuditEvent) -> Bool {
        event.secrets.contains { ref in
            ref.isFullARN ? !knownIDs.contains(ref.id) : byName[Key(account: ref.account, region: ref.region, name: ref.name)] == nil
        }
    }

    /// Learns full ARNs that other workers stored, for names this catalog has no ARN for, without
    /// handing them over again in ``drainLearned()``. A name it already resolves keeps its ARN:
    /// the order in which workers store secrets is not the order of events, so a stored ARN may
    /// be a recreated secret's older one. (Seen in an event later, such an ARN is learned as usual.)
    public mutating func learnStored(_ refs: [SecretRef]) {
        for ref in refs where ref.isFullARN && !knownIDs.contains(ref.id)
            && byName[Key(account: ref.account, region: ref.region, name: ref.name)] == nil {
            remember(ref)
        }
    }

    /// Returns and forgets the secrets learned since the last call.
    public mutating func drainLearned() -> [SecretRef] {
        defer { learned.removeAll() }
        return learned
    }

    private mutating func remember(_ ref: SecretRef) {
        knownIDs.insert(ref.id)
        byName[Key(account: ref.account, region: ref.region, name: ref.name)] = ref
    }
}
