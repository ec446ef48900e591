
/// A secret as people mean it: every stored identity (partial and full ARNs) of one
/// account, region and name.
struct SecretGroup: Sendable, Equatable {
    var ids: [Int64]
    var name: String
    var account: String
    var region: String
    /// Stored ARNs, full ones first.
    var arns: [String]
    var arn: String { arns.first ?? "" }
    var key: String { account + "\u{0}" + region + "\u{0}" + name }
}

/// A stored principal.
struct PrincipalRow: Sendable, Equatable {
    var id: Int64
    var arn: String
    var display: String
    var account: String?
}

/// Turns what people type into stored secrets and principals; never guesses between candidates.
///
/// Secrets: full ARN, partial ARN, or name with or without the random suffix. Principals: role ARN,
/// assumed-role session ARN (its role), user ARN, `role/NAME`, `user/NAME`, role or user name, or
/// any stored identifier (service names). Every value is bound as a parameter.
struct NameResolver {
    let db: any SQLConnection
    let path: String

    private struct SecretRow {
        var id: Int64
        var arn: String
        var name: String
        var account: String
        var region: String
        var isFull: Bool
    }

    private func secretRows(where condition: String, _ values: [String]) throws -> [SecretRow] {
        var s = try db.statement("SELECT id, arn, name, account, region, is_full FROM secrets WHERE \(condition) ORDER BY id")
        for v in values { s.bind(v) }
        var rows: [SecretRow] = []
        while try s.step() {
            rows.append(SecretRow(id: s.int64(0), arn: s.string(1), name: s.string(2), account: s.string(3), region: s.string(4), isFull: s.int(5) == 1))
        }
        s.reset()
        return rows
    }

    /// Every stored secret, grouped by account, region and name.
    func allSecretGroups() throws -> [SecretGroup] {
        group(try secretRows(where: "1 = 1", []))
    }

    /// Groups for `ids` (secret row ids).
    func groups(of rows: [(id: Int64, arn: String, name: String, account: String, region: String, isFull: Bool)]) -> [SecretGroup] {
        group(rows.map { SecretRow(id: $0.id, arn: $0.arn, name: $0.name, account: $0.account, region: $0.region, isFull: $0.isFull) })
    }

    private func group(_ rows: [SecretRow]) -> [SecretGroup] {
        var order: [String] = []
        var byKey: [String: [SecretRow]] = [:]
        for r in rows {
            let key = r.account + "\u{0}" + r.region + "\u{0}" + r.name
            if byKey[key] == nil { order.append(key) }
            byKey[key, default: []].append(r)
        }
        return order.compactMap { key in
            guard let members = byKey[key], let first = members.first else { return nil }
            let sorted = members.sorted { ($0.isFull ? 0 : 1, $0.arn) < ($1.isFull ? 0 : 1, $1.arn) }
            return SecretGroup(ids: members.map(\.id).sorted(), name: first.name, account: first.account, region: first.region, arns: sorted.map(\.arn))
        }
    }

    /// The secret `input` names, nil when none matches; `.ambiguous` when several do.
    func secret(_ input: String, scope: QueryScope) throws -> SecretGroup? {
        var rows: [SecretRow] = []
        if input.hasPrefix("arn:") {
            rows = try secretRows(where: "arn = ?", [input])
            if rows.isEmpty, let parsed = SecretARN(input) {
                rows = try secretRows(where: "name = ? AND account = ? AND region = ?", [parsed.nameOrSuffixed, parsed.account, parsed.region])
                if rows.isEmpty, let stripped = parsed.strippedName {
                    rows = try secretRows(where: "name = ? AND account = ? AND region = ?", [stripped, parsed.account, parsed.region])
                        .filter { $0.arn == input || !$0.isFull }
                }
            }
        } else {
            rows = try secretRows(where: "name = ?", [input])
            if rows.isEmpty, let stripped = SecretARN.stripSuffix(input) {
                rows = try secretRows(where: "name = ?", [stripped]).filter { $0.arn.hasSuffix(":secret:" + input) }
            }
        }
        // Bring in the other identities (partial or full ARN) of each matched secret.
        var groups = group(rows)
        groups = try groups.map { g in
            group(try secretRows(where: "name = ? AND account = ? AND region = ?", [g.name, g.account, g.region])).first ?? g
        }
        if let account = scope.account { groups = groups.filter { $0.account == account } }
        if let region = scope.region { groups = groups.filter { $0.region == region } }
        if groups.count > 1 {
            throw StoreError(.ambiguous, path: path, operation: "resolve secret",
                             message: "secret \"\(input)\" is ambiguous: \(groups.count) secrets match (give a full ARN, or --account/--region):",
                             candidates: groups.map { "\($0.arn)  (account \($0.account), region \($0.region))" })
        }
        return groups.first
    }

    private func principalRows(where condition: String, _ values: [String]) throws -> [PrincipalRow] {
        var s = try db.statement("SELECT id, arn, display, account FROM principals WHERE \(condition) ORDER BY arn")
        for v in values { s.bind(v) }
        var rows: [PrincipalRow] = []
        while try s.step() { rows.append(PrincipalRow(id: s.int64(0), arn: s.string(1), display: s.string(2), account: s.optionalString(3))) }
        s.reset()
        return rows
    }

    /// The principal `input` names, nil when none matches; `.ambiguous` when several do
    /// (unless `scope.account` picks one).
    func principal(_ input: String, scope: QueryScope) throws -> PrincipalRow? {
        var rows: [PrincipalRow]
        if input.hasPrefix("arn:") {
            rows = try principalRows(where: "arn = ?", [input])
            let parts = input.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
            if rows.isEmpty, parts.count == 6, parts[2] == "sts", parts[5].hasPrefix("assumed-role/") {
                let pieces = parts[5].split(separator: "/")
                if pieces.count >= 2 {
                    rows = try principalRows(where: "name = ? AND account = ?", [String(pieces[1]), String(parts[4])])
                        .filter { $0.arn.contains(":role/") }
                }
            }
        } else if input.hasPrefix("role/") || input.hasPrefix("user/") {
            rows = try principalRows(where: "display = ?", [input])
        } else {
            rows = try principalRows(where: "name = ? OR arn = ?", [input, input])
        }
        if rows.count > 1, let account = scope.account {
            let inAccount = rows.filter { $0.account == account || $0.arn.contains(":\(account):") }
            if !inAccount.isEmpty { rows = inAccount }
        }
        if rows.count > 1 {
            throw StoreError(.ambiguous, path: path, operation: "resolve principal",
                             message: "principal \"\(input)\" is ambiguous: \(rows.count) principals match (give an ARN, or --account):",
                             candidates: rows.map(\.arn))
        }
        return rows.first
    }
}

/// The parts of a Secrets Manager ARN: `arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME[-XXXXXX]`.
struct SecretARN {
    var region: String
    var account: String
    /// The part after `secret:`, which may or may not end with the random suffix.
    var nameOrSuffixed: String

    init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 6, omittingEmptySubsequences: false)
        guard parts.count == 7, parts[0] == "arn", parts[2] == "secretsmanager", parts[5] == "secret", !parts[6].isEmpty else { return nil }
        region = String(parts[3])
        account = String(parts[4])
        nameOrSuffixed = String(parts[6])
    }

    var strippedName: String? { SecretARN.stripSuffix(nameOrSuffixed) }

    /// `name` without a trailing `-XXXXXX` (six letters or digits), when it has one.
    static func stripSuffix(_ name: String) -> String? {
        let u = Array(name.utf8)
        guard u.count > 7, u[u.count - 7] == UInt8(ascii: "-") else { return nil }
        for c in u[(u.count - 6)...] {
            let alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
            if !alnum { return nil }
        }
        return String(decoding: u[..<(u.count - 7)], as: UTF8.self)
    }
}
