import TrailModel

extension Store {
    /// The newest verified digest stored for one account, region and trail.
    public func verifiedDigest(account: String, region: String, trail: String) throws(StoreError) -> VerifiedDigest? {
        try read("verified digest of \(account) \(region)") { db in
            var s = try db.statement("""
                SELECT digest, digest_end, verified_at FROM verified_digests WHERE account = ? AND region = ? AND trail = ?
                """)
            s.bind(account)
            s.bind(region)
            s.bind(trail)
            defer { s.reset() }
            guard try s.step() else { return nil }
            return VerifiedDigest(
                account: account, region: region, trail: trail, digest: s.string(0),
                digestEnd: EventTime(milliseconds: s.int64(1)), verifiedAt: EventTime(milliseconds: s.int64(2)))
        }
    }
}

extension QueryService {
    static let verifiedDigestColumns: [ResultTable.Column] = [
        .init("account", "account"), .init("region", "region"), .init("trail", "trail"),
        .init("verifiedThrough", "verified through"), .init("verifiedAt", "verified at"),
        .init("digest", "digest", inTable: false),
    ]

    /// The newest verified digest per account, region and trail.
    func verifiedDigests(_ db: any SQLConnection) throws -> ResultTable {
        var table = ResultTable(columns: Self.verifiedDigestColumns)
        var s = try db.statement("""
            SELECT account, region, trail, digest_end, verified_at, digest FROM verified_digests ORDER BY account, region, trail
            """)
        while try s.step() {
            table.rows.append([
                .text(s.string(0)), .text(s.string(1)), .text(s.string(2)),
                .time(EventTime(milliseconds: s.int64(3))), .time(EventTime(milliseconds: s.int64(4))), .text(s.string(5)),
            ])
        }
        s.reset()
        return table
    }
}
