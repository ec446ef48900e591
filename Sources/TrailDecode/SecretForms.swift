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
        // Linear whatever the record names (a hostile `secretIdList` may name tens of thousands):
        // the secret of each kept ref, and where its partial forms are, by identity; a partial
        // form replaced or dropped leaves a hole, closed at the end.
        struct Identity: Hashable {
            let name: String
            let account: String
            let region: String
        }
        var out: [SecretRef?] = []
        out.reserveCapacity(refs.count)
        var ids = Set<String>()
        var hasFull = Set<Identity>()
        var partials: [Identity: [Int]] = [:]
        for r in refs {
            if ids.contains(r.id) { continue }
            let identity = Identity(name: r.name, account: r.account, region: r.region)
            if r.isFullARN {
                if let first = partials[identity]?.first {
                    // The full ARN takes the place of the first partial form; the others go.
                    for i in partials[identity] ?? [] {
                        if let id = out[i]?.id { ids.remove(id) }
                        out[i] = nil
                    }
                    out[first] = r
                    partials[identity] = nil
                } else {
                    out.append(r)
                }
                hasFull.insert(identity)
            } else {
                if hasFull.contains(identity) { continue }
                partials[identity, default: []].append(out.count)
                out.append(r)
            }
            ids.insert(r.id)
        }
        return out.compactMap { $0 }
    }

    @inline(__always) static func sameSecret(_ a: SecretRef, _ b: SecretRef) -> Bool {
        a.name == b.name && a.account == b.account && a.region == b.region
    }
}
