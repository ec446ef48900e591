import TrailJSON
import TrailModel

/// `PutResourcePolicy` / `DeleteResourcePolicy` on a secret: who the new policy lets in.
///
/// The policy is the JSON string of `requestParameters.resourcePolicy`. For every `Allow`
/// statement the principals are collected (`"*"`, `{"AWS": ...}`, `{"Service": ...}`,
/// `{"Federated": ...}`); `NotPrincipal` with `Allow` counts as everyone. The rule escalates when
/// a statement admits everyone or another account than the secret's without an organisation
/// condition (`aws:PrincipalOrgID`, `aws:SourceOrgID`, `aws:PrincipalOrgPaths`), or when the
/// request sets `blockPublicPolicy` to false.
enum ResourcePolicyAnalysis {
    struct Result: Equatable {
        var principals: [String] = []
        var publicAccess = false
        var otherAccounts: [String] = []
        /// Public or cross-account statements without an organisation condition.
        var unrestricted = false
        var parsed = true
    }

    static let orgKeys: Set<String> = ["aws:principalorgid", "aws:sourceorgid", "aws:principalorgpaths"]

    static func inspect(policy: String, ownAccount: String) -> Result {
        var result = Result()
        guard let doc = try? JSONDocument(bytes: Array(policy.utf8)), doc.root.kind == .object else {
            result.parsed = false
            return result
        }
        guard let statements = doc.root["Statement"] else { return result }
        let list: [JSONValue] = statements.kind == .array ? Array(statements.elements) : [statements]
        // What is listed already, so a policy naming tens of thousands costs no more than its size.
        var listedPrincipals = Set<String>()
        var listedAccounts = Set<String>()
        for st in list where st.kind == .object {
            guard st["Effect"]?.string == "Allow" else { continue }
            var principals: [String] = []
            var everyone = false
            if let p = st["Principal"] {
                collect(p, into: &principals)
                everyone = principals.contains("*")
            }
            if st["NotPrincipal"] != nil {
                everyone = true
                principals.append("* (NotPrincipal)")
            }
            let others = principals.compactMap { account(of: $0) }.filter { $0 != ownAccount }
            let orgCondition = hasOrgCondition(st["Condition"])
            for p in principals where listedPrincipals.insert(p).inserted { result.principals.append(p) }
            for a in others where listedAccounts.insert(a).inserted { result.otherAccounts.append(a) }
            if everyone { result.publicAccess = true }
            if (everyone || !others.isEmpty) && !orgCondition { result.unrestricted = true }
        }
        return result
    }

    private static func collect(_ v: JSONValue, into out: inout [String]) {
        switch v.kind {
        case .string: if let s = v.string { out.append(s) }
        case .array: for e in v.elements { collect(e, into: &out) }
        case .object:
            // {"AWS": ..., "Service": ..., "Federated": ...}: the values are the principals.
            for (_, value) in v.members { collect(value, into: &out) }
        default: break
        }
    }

    /// The account of an AWS principal: a 12-digit id or an ARN's account field; nil for services and "*".
    static func account(of principal: String) -> String? {
        if principal.hasPrefix("arn:") {
            let parts = principal.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
            guard parts.count == 6, !parts[4].isEmpty else { return nil }
            return String(parts[4])
        }
        if principal.count == 12, principal.allSatisfy(\.isNumber) { return principal }
        return nil
    }

    private static func hasOrgCondition(_ condition: JSONValue?) -> Bool {
        guard let condition, condition.kind == .object else { return false }
        for (_, block) in condition.members where block.kind == .object {
            for (k, _) in block.members {
                if let key = k.string, orgKeys.contains(key.lowercased()) { return true }
            }
        }
        return false
    }

    static func analyse(_ e: AuditEvent, config: ResourcePolicyConfig) -> Finding {
        let who = Phrase.who(e.principal)
        let target = e.secrets.isEmpty ? "a secret" : Phrase.secrets(e.secrets)
        guard e.eventName != "DeleteResourcePolicy" else {
            return Finding(
                severity: nil,
                summary: "\(who) removed the resource policy of \(target)\(Phrase.outcome(e))\(Phrase.place(e))",
                evidence: [EvidenceItem("policyRemoved", .bool(true))], secret: e.secrets.first)
        }
        let owner = e.secrets.first?.account ?? e.account
        let result = e.details.policy.map { inspect(policy: $0, ownAccount: owner) } ?? Result(parsed: false)
        let blockOff = e.details.blockPublicPolicy == false
        var evidence: [EvidenceItem] = [EvidenceItem("principalsAdded", .strings(result.principals))]
        if result.publicAccess { evidence.append(EvidenceItem("public", .bool(true))) }
        if !result.otherAccounts.isEmpty { evidence.append(EvidenceItem("otherAccounts", .strings(result.otherAccounts))) }
        if result.unrestricted { evidence.append(EvidenceItem("withoutOrganisationCondition", .bool(true))) }
        if let b = e.details.blockPublicPolicy { evidence.append(EvidenceItem("blockPublicPolicy", .bool(b))) }
        if !result.parsed { evidence.append(EvidenceItem("policyUnreadable", .bool(true))) }
        var notes: [String] = []
        if result.publicAccess { notes.append("anyone") }
        if !result.otherAccounts.isEmpty { notes.append("other account\(result.otherAccounts.count == 1 ? "" : "s") \(result.otherAccounts.joined(separator: ", "))") }
        var summary = "\(who) put a resource policy on \(target)"
        if result.principals.isEmpty {
            summary += result.parsed ? " that adds no principals" : " (policy not readable)"
        } else {
            summary += " allowing \(Phrase.names(result.principals, limit: 4))"
        }
        if !notes.isEmpty { summary += " (\(notes.joined(separator: "; "))\(result.unrestricted ? ", no organisation condition" : ""))" }
        if blockOff { summary += " with blockPublicPolicy false" }
        summary += Phrase.outcome(e) + Phrase.place(e)
        let escalate = (result.unrestricted || blockOff) && e.succeeded
        return Finding(severity: escalate ? config.escalate : nil, summary: summary, evidence: evidence, secret: e.secrets.first)
    }
}
