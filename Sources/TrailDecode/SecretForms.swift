import TrailModel

/// Turns the forms a record uses to name a secret into ``SecretRef``s.
enum SecretForms {
    /// A Secrets Manager secret ARN. It counts as a full ARN when its name ends in `-` plus six
    /// letters or digits (the random suffix, then stripped from `name`); otherwise it is a
    /// partial ARN whose name is the whole resource name. Nil for anything that is not a secret ARN.
    static func fromARN(_ text: String) -> SecretRef? {
        guard let arn = ARN(text), arn.service == "secretsmanager", arn.resource.hasPrefix("secret:") else { return nil }
        let resource = arn.resource.dropFirst("secret:".count)
        guard !resource.isEmpty else { return nil }
        if let name = stripSuffix(resource) {
            return SecretRef(id: text, name: String(name), account: String(arn.account), region: String(arn.region), isFullARN: true)
        }
        return SecretRef(id: text, name: String(resource), account: String(arn.account), region: String(arn.region), isFullARN: false)
    }

    /// A secret named by ARN (full or partial) or by name; a name becomes a partial ARN in the
    /// record's partition, region and account.
    static func fromIdentifier(_ text: String, partition: String, region: String, account: String) -> SecretRef? {
        if text.hasPrefix("arn:") { return fromARN(text) }
        guard !text.isEmpty else { return nil }
        return SecretRef(id: partialARN(partition: partition, region: region, account: account, name: text),
                         name: text, account: account, region: region, isFullARN: false)
    }

    static func partialARN(partition: String, region: String, account: String, name: String) -> String {
        "arn:\(partition):secretsmanager:\(region):\(account):secret:\(name)"
    }

    /// The name without its `-XXXXXX` suffix, or nil when it has none.
    static func stripSuffix(_ resource: Substring) -> Substring? {
        let u = resource.utf8
        guard u.count > 7 else { return nil }
        let dash = u.index(u.endIndex, offsetBy: -7)
        guard u[dash] == UInt8(ascii: "-") else { return nil }
        for b in u[u.index(after: dash)...] {
            let alnum = (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A)
            if !alnum { return nil }
        }
        return Substring(u[u.startIndex..<dash])
    }

    /// The whole resource name of a secret ARN (suffix included), or nil.
    static func resourceName(ofARN text: String) -> Substring? {
        guard let arn = ARN(text), arn.resource.hasPrefix("secret:") else { return nil }
        return arn.resource.dropFirst("secret:".count)
    }

    /// One ref per secret: exact duplicates go, and a partial ref is dropped when a full ARN of
    /// the same (account, region, name) is present. Order of first appearance is kept.
    static func dedupe(_ refs: [SecretRef]) -> [SecretRef] {
        if refs.count <= 1 { return refs }
        var out: [SecretRef] = []
        out.reserveCapacity(refs.count)
        for r in refs {
            if out.contains(where: { $0.id == r.id }) { continue }
            if r.isFullARN {
                if let i = out.firstIndex(where: { !$0.isFullARN && sameSecret($0, r) }) {
                    out[i] = r
                    out.removeAll { $0.id != r.id && !$0.isFullARN && sameSecret($0, r) }
                    continue
                }
            } else if out.contains(where: { $0.isFullARN && sameSecret($0, r) }) {
                continue
            }
            out.append(r)
        }
        return out
    }

    @inline(__always) static func sameSecret(_ a: SecretRef, _ b: SecretRef) -> Bool {
        a.name == b.name && a.account == b.account && a.region == b.region
    }
}
