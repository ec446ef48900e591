import Testing
@testable import TrailDecode
import TrailModel

/// `SecretForms.dedupe` keeps one form of each secret (a full ARN over partial forms), in the
/// order first named, and stays linear for a record naming tens of thousands of secrets.
@Suite struct SecretFormsDedupeTests {
    /// The rule, spelled out the slow way (what the linear version must agree with).
    static func reference(_ refs: [SecretRef]) -> [SecretRef] {
        var out: [SecretRef] = []
        for r in refs {
            if out.contains(where: { $0.id == r.id }) { continue }
            if r.isFullARN {
                if let i = out.firstIndex(where: { !$0.isFullARN && SecretForms.sameSecret($0, r) }) {
                    out[i] = r
                    out.removeAll { $0.id != r.id && !$0.isFullARN && SecretForms.sameSecret($0, r) }
                    continue
                }
            } else if out.contains(where: { $0.isFullARN && SecretForms.sameSecret($0, r) }) {
                continue
            }
            out.append(r)
        }
        return out
    }

    /// Forms of a few secrets: names, partial ARNs and full ARNs (two suffixes), two accounts.
    static let pool: [SecretRef] = {
        var refs: [SecretRef] = []
        for account in ["111111111111", "222222222222"] {
            for name in ["prod/db", "api"] {
                let partial = "arn:aws:secretsmanager:us-east-1:\(account):secret:\(name)"
                refs.append(SecretRef(id: name, name: name, account: account, region: "us-east-1", isFullARN: false))
                refs.append(SecretRef(id: partial, name: name, account: account, region: "us-east-1", isFullARN: false))
                refs.append(SecretRef(id: partial + "-AbCdEf", name: name, account: account, region: "us-east-1", isFullARN: true))
                refs.append(SecretRef(id: partial + "-XyZ123", name: name, account: account, region: "us-east-1", isFullARN: true))
            }
        }
        return refs
    }()

    @Test func agreesWithTheRuleOnEveryMixOfForms() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let refs = (0..<Int.random(in: 0...12, using: &generator)).map { _ in Self.pool.randomElement(using: &generator)! }
            #expect(SecretForms.dedupe(refs).map(\.id) == Self.reference(refs).map(\.id), "\(refs.map(\.id))")
        }
    }

    @Test func manyDistinctSecretsAreAllKeptInOrder() {
        let refs = (0..<50_000).map { SecretRef(id: "s\($0)", name: "s\($0)", account: "111111111111", region: "us-east-1", isFullARN: false) }
        #expect(SecretForms.dedupe(refs + refs).map(\.id) == refs.map(\.id))
    }
}
