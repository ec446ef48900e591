import Testing
import TrailModel
@testable import TrailStore
import TrailPresentation

/// The newest verified digest per account, region and trail: stored with its file's commit, never
/// replaced by an older one, and shown by `status`.
@Suite struct VerifiedDigestTests {
    func digest(_ account: String, _ region: String, end: String, _ name: String) -> VerifiedDigest {
        VerifiedDigest(account: account, region: region, trail: "t", digest: name, digestEnd: Fixture.time(end),
                       verifiedAt: Fixture.now)
    }

    func commit(_ store: Store, _ path: String, _ digests: [VerifiedDigest]) throws {
        var c = FileCommit(ledger: Fixture.ledger(path, records: 0, status: .skipped, reason: "digest"))
        c.verifiedDigests = digests
        try store.commit(c)
    }

    @Test(arguments: StoreKind.allCases)
    func newestVerifiedDigestWinsAndOlderOnesDoNotReplaceIt(kind: StoreKind) throws {
        let store = try makeStore(kind)
        #expect(try store.verifiedDigest(account: Fixture.a1, region: "us-east-1", trail: "t") == nil)
        try commit(store, "d2", [digest(Fixture.a1, "us-east-1", end: "2024-05-03T02:00:00Z", "d2")])
        try commit(store, "d1", [digest(Fixture.a1, "us-east-1", end: "2024-05-03T01:00:00Z", "d1"),
                                 digest(Fixture.a2, "eu-west-1", end: "2024-05-03T05:00:00Z", "e5")])
        #expect(try store.verifiedDigest(account: Fixture.a1, region: "us-east-1", trail: "t")?.digest == "d2")
        try commit(store, "d3", [digest(Fixture.a1, "us-east-1", end: "2024-05-03T03:00:00Z", "d3")])
        #expect(try store.verifiedDigest(account: Fixture.a1, region: "us-east-1", trail: "t")?.digest == "d3")
        #expect(try count(store, "verified_digests") == 2)

        let status = try QueryService(store: store, now: Fixture.now).status()
        #expect(status.verifiedDigests.rows.count == 2)
        #expect(status.verifiedDigests.rows.first?.last == .text("d3"))
        let table = status.render(ResultFormatter(format: .table))
        #expect(table.contains("NEWEST VERIFIED DIGEST"))
        #expect(table.contains("2024-05-03T03:00:00Z"))
    }
}
