import TrailModel

/// Derives the stable ``Principal`` from a record's `userIdentity`.
///
/// - AssumedRole: the role ARN from `sessionContext.sessionIssuer.arn` (never rebuilt from the
///   STS ARN, which drops the role path); without it, the STS ARN minus its session, then the
///   role id from `principalId`. The session name (last part of the STS ARN, else the part of
///   `principalId` after `:`) is kept apart.
/// - IAMUser, Role, FederatedUser, Directory: `arn`, else `principalId`, else `userName`.
/// - Root: `arn`, else `arn:PARTITION:iam::ACCOUNT:root`.
/// - AWSService, and service events whose identity is only `{accountId, invokedBy}`: `invokedBy`.
/// - IdentityCenterUser: `onBehalfOf.identityStoreArn` + `/` + `onBehalfOf.userId`.
/// - SAMLUser, WebIdentityUser: `principalId` (provider and user), else `identityProvider:userName`.
/// - AWSAccount: `arn`, else `principalId`, else the account id.
/// - Anything else, or no identity: the best identifier present, else `unknown`.
struct PrincipalResolver: ~Escapable {
    let t: Tape

    @_lifetime(copy t) init(t: Tape) { self.t = t }

    private static let knownTypes = InternTable([
        "AssumedRole", "IAMUser", "Root", "AWSService", "IdentityCenterUser", "FederatedUser",
        "SAMLUser", "WebIdentityUser", "AWSAccount", "Unknown", "Role", "Directory",
    ])

    func resolve(_ ui: Int, partition: PartitionSource) -> Principal {
        guard ui >= 0, t.kind(ui) == .object else { return Principal(type: "Unknown", id: "unknown") }
        var type = -1, principalId = -1, arn = -1, accountId = -1, invokedBy = -1, userName = -1
        var identityProvider = -1, sessionContext = -1, onBehalfOf = -1
        t.forEachMemberKey(ui) { key, v in
            guard let p = key.baseAddress else { return }
            @inline(__always) func eq(_ s: StaticString) -> Bool { Tape.equal(p, s.utf8Start, s.utf8CodeUnitCount) }
            switch key.count {
            case 3: if eq("arn") { arn = v }
            case 4: if eq("type") { type = v }
            case 8: if eq("userName") { userName = v }
            case 9: if eq("accountId") { accountId = v } else if eq("invokedBy") { invokedBy = v }
            case 10: if eq("onBehalfOf") { onBehalfOf = v }
            case 11: if eq("principalId") { principalId = v }
            case 14: if eq("sessionContext") { sessionContext = v }
            case 16: if eq("identityProvider") { identityProvider = v }
            default: break
            }
        }
        let account = t.nonEmptyString(accountId)
        let typeName = type >= 0 && t.rawStringLength(type) > 0 ? t.interned(type, Self.knownTypes) : nil

        // Indexes into `knownTypes`.
        switch typeName?.index {
        case 0?: // AssumedRole
            let issuer = t.member(sessionContext, "sessionIssuer")
            let issuerARN = t.nonEmptyString(t.member(issuer, "arn"))
            var session: String?
            var roleFromSTS: String?
            if let raw = t.plainBytes(arn), raw.count > 0 {
                // arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
                if let slash = Bytes.lastIndex(of: UInt8(ascii: "/"), in: raw),
                   let resource = Self.resourceStart(raw), slash > resource + 13,
                   Bytes.hasPrefix(UnsafeBufferPointer(rebasing: raw[resource...]), "assumed-role/") {
                    if slash + 1 < raw.count { session = Bytes.string(raw, (slash + 1)..<raw.count) }
                    if issuerARN == nil { roleFromSTS = Bytes.string(raw, 0..<slash) }
                } else if issuerARN == nil {
                    roleFromSTS = Bytes.string(raw, 0..<raw.count)
                }
            } else if issuerARN == nil, let other = t.nonEmptyString(arn) {
                roleFromSTS = Self.withoutSession(other)
            }
            var roleID: String?
            if let raw = t.plainBytes(principalId), raw.count > 0 {
                if let colon = Bytes.firstIndex(of: UInt8(ascii: ":"), in: raw) {
                    if session == nil, colon + 1 < raw.count { session = Bytes.string(raw, (colon + 1)..<raw.count) }
                    if issuerARN == nil, roleFromSTS == nil { roleID = Bytes.string(raw, 0..<colon) }
                } else if issuerARN == nil, roleFromSTS == nil {
                    roleID = Bytes.string(raw, 0..<raw.count)
                }
            }
            let id = issuerARN ?? roleFromSTS ?? roleID ?? "unknown"
            return Principal(type: "AssumedRole", id: id, session: session,
                             accountId: account ?? t.nonEmptyString(t.member(issuer, "accountId")))
        case 2?: // Root
            let id = t.nonEmptyString(arn) ?? account.map { "arn:\(partition.value()):iam::\($0):root" } ?? "root"
            return Principal(type: "Root", id: id, accountId: account)
        case 3?: // AWSService
            let id = t.nonEmptyString(invokedBy) ?? t.nonEmptyString(principalId) ?? "AWSService"
            return Principal(type: "AWSService", id: id, accountId: account)
        case 4?: // IdentityCenterUser
            let store = t.nonEmptyString(t.member(onBehalfOf, "identityStoreArn"))
            let user = t.nonEmptyString(t.member(onBehalfOf, "userId"))
            let id: String
            if let store, let user { id = store + "/" + user }
            else { id = user ?? t.nonEmptyString(arn) ?? t.nonEmptyString(principalId) ?? t.nonEmptyString(userName) ?? "unknown" }
            return Principal(type: "IdentityCenterUser", id: id, accountId: account)
        case 6?, 7?: // SAMLUser, WebIdentityUser
            var id = t.nonEmptyString(principalId)
            if id == nil, let user = t.nonEmptyString(userName) {
                id = (t.nonEmptyString(identityProvider).map { $0 + ":" } ?? "") + user
            }
            return Principal(type: typeName?.string ?? "Unknown", id: id ?? t.nonEmptyString(arn) ?? "unknown", accountId: account)
        case 8?: // AWSAccount
            let id = t.nonEmptyString(arn) ?? t.nonEmptyString(principalId) ?? account ?? "unknown"
            return Principal(type: "AWSAccount", id: id, accountId: account)
        case nil:
            // Service events: `{"accountId": ..., "invokedBy": "secretsmanager.amazonaws.com"}`.
            if let service = t.nonEmptyString(invokedBy) {
                return Principal(type: "AWSService", id: service, accountId: account)
            }
            let id = t.nonEmptyString(arn) ?? t.nonEmptyString(principalId) ?? t.nonEmptyString(userName) ?? account ?? "unknown"
            return Principal(type: "Unknown", id: id, accountId: account)
        case _?:
            // IAMUser, FederatedUser, Role, Directory, Unknown and types not yet documented.
            let id = t.nonEmptyString(arn) ?? t.nonEmptyString(principalId) ?? t.nonEmptyString(userName)
                ?? t.nonEmptyString(invokedBy) ?? account ?? "unknown"
            return Principal(type: typeName?.string ?? "Unknown", id: id, accountId: account)
        }
    }

    /// Offset of an ARN's resource part (after the fifth colon), or nil.
    static func resourceStart(_ raw: UnsafeBufferPointer<UInt8>) -> Int? {
        var colons = 0
        for i in 0..<raw.count where raw[i] == UInt8(ascii: ":") {
            colons += 1
            if colons == 5 { return i + 1 }
        }
        return nil
    }

    /// `arn:aws:sts::1:assumed-role/Role/session` → `arn:aws:sts::1:assumed-role/Role`.
    static func withoutSession(_ stsARN: String) -> String {
        guard stsARN.contains(":assumed-role/"), let slash = stsARN.lastIndex(of: "/") else { return stsARN }
        let head = stsARN[..<slash]
        return head.hasSuffix(":assumed-role") ? stsARN : String(head)
    }
}
