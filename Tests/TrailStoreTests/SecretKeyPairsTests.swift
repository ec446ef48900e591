import Testing
import TrailModel
@testable import TrailStore

/// Which KMS keys are recorded with which secrets: all of an event's keys when it names one
/// secret (or one key), none when it names several of each, so a hostile record cannot make the
/// store write one row per secret and key (a 0.76 MB record once wrote 16 million).
@Suite struct SecretKeyPairsTests {
    static let keys = (1...3).map { "arn:aws:kms:us-east-1:111111111111:key/k-\($0)" }

    func pairs(_ store: Store) throws -> Int64? {
        try scalar(store, "SELECT count(*) FROM secret_keys")
    }

    @Test(arguments: StoreKind.engines) func keysArePairedOnlyWhenTheEventSaysWhichSecretTheyGoWith(kind: StoreKind) throws {
        let store = try makeStore(kind)
        func details(_ keys: [String]) -> EventDetails {
            var d = EventDetails()
            d.kmsKeys = keys
            return d
        }
        let many = Fixture.event("m", "2024-05-03T10:00:00Z", "GetSecretValue", Fixture.alice, [Fixture.s1Full, Fixture.s2], details: details(Self.keys))
        #expect(many.keysPairedWithSecrets.isEmpty)
        try store.commit(FileCommit(ledger: Fixture.ledger("f1", records: 1), events: [many]))
        #expect(try pairs(store) == 0)

        let oneSecret = Fixture.event("o", "2024-05-03T11:00:00Z", "GetSecretValue", Fixture.alice, [Fixture.s1Full], details: details(Self.keys))
        let oneKey = Fixture.event("k", "2024-05-03T12:00:00Z", "GetSecretValue", Fixture.alice, [Fixture.s1Full, Fixture.s2], details: details([Self.keys[0]]))
        try store.commit(FileCommit(ledger: Fixture.ledger("f2", records: 2), events: [oneSecret, oneKey]))
        // s1Full with k-1, k-2, k-3; s2 with k-1.
        #expect(try pairs(store) == 4)
    }
}
