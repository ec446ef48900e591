import TrailModel

/// Turns the forms a record uses to name a secret into ``SecretRef``s.
enum SecretForms {
    /// A Secrets Manager secret ARN. It counts as a full ARN when its name ends in `-` plus six
    /// letters or digits (the random suffix, then stripped from `name`); otherwise it is a
    /// partial ARN whose name is the whole resource name. Nil for anything that is not a secret ARN.
    static func fromARN(_ text: String) -> SecretRef? {
        var copy = text
        return copy.withUTF8 { buf in fromARN(buf, id: text) }
    }

    private static func fromARN(_ b: UnsafeBufferPointer<UInt8>, id: String) -> SecretRef? {
        // arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME
        guard b.count > 4, b[0] == UInt8(ascii: "a"), b[1] == UInt8(ascii: "r"), b[2] == UInt8(ascii: "n"),
              b[3] == UInt8(ascii: ":") else { return nil }
        var colons = (0, 0, 0, 0, 0)
        var found = 0
        var i = 0
        while i < b.count, found < 5 {
            if b[i] == UInt8(ascii: ":") {
                switch found {
                case 0: colons.0 = i
                case 1: colons.1 = i
                case 2: colons.2 = i
                case 3: colons.3 = i
                default: colons.4 = i
                }
                found += 1
            }
            i += 1
        }
        guard found == 5 else { return nil }
        let service = UnsafeBufferPointer(rebasing: b[(colons.1 + 1)..<colons.2])
        guard service.count == 14, let sp = service.baseAddress, Tape.equal(sp, ("secretsmanager" as StaticString).utf8Start, 14) else { return nil }
        let resourceStart = colons.4 + 1
        let prefix: StaticString = "secret:"
        guard b.count - resourceStart > 7, let base = b.baseAddress,
              Tape.equal(base + resourceStart, prefix.utf8Start, 7) else { return nil }
        let nameStart = resourceStart + 7
        let region = Bytes.string(b, (colons.2 + 1)..<colons.3)
        let account = Bytes.string(b, (colons.3 + 1)..<colons.4)
        let nameEnd = hasRandomSuffix(b, from: nameStart) ? b.count - 7 : b.count
        return SecretRef(id: id, name: Bytes.string(b, nameStart..<nameEnd), account: account, region: region,
                         isFullARN: nameEnd != b.count)
    }

    /// Whether `b[from...]` ends in `-` plus six letters or digits, with a non-empty name before.
    private static func hasRandomSuffix(_ b: UnsafeBufferPointer<UInt8>, from: Int) -> Bool {
        guard b.count - from > 7, b[b.count - 7] == UInt8(ascii: "-") else { return false }
        for k in (b.count - 6)..<b.count {
            let c = b[k]
            let alnum = (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A)
            if !alnum { return false }
        }
        return true
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
