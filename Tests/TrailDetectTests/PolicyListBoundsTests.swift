import Testing
@testable import TrailDetect

/// Long lists inside one policy cost what they hold: each principal and account is listed once,
/// in first-seen order, whatever the number (a linear scan per entry made 80,000 take 17 s).
@Suite struct PolicyListBoundsTests {
    @Test func manyPrincipalsAreListedOnceInOrder() {
        let accounts = (0..<20_000).map { String(format: "%012d", 100_000_000_000 + $0) }
        let arns = accounts.map { "arn:aws:iam::\($0):root" }
        let statement = #"{"Effect":"Allow","Principal":{"AWS":[\#((arns + arns.prefix(10)).map { "\"\($0)\"" }.joined(separator: ","))]},"Action":"secretsmanager:GetSecretValue","Resource":"*"}"#
        let policy = #"{"Version":"2012-10-17","Statement":[\#(statement),\#(statement)]}"#
        let result = ResourcePolicyAnalysis.inspect(policy: policy, ownAccount: accounts[0])
        #expect(result.parsed)
        #expect(result.principals == arns)
        #expect(result.otherAccounts == Array(accounts.dropFirst()))
        #expect(result.unrestricted)
    }
}
