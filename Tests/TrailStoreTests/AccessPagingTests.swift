import Testing
import TrailModel
@testable import TrailStore

/// `query access --source-ip` over more rows than one page: on PostgreSQL the CIDR test runs in
/// TrailWatch over pages continued below the last (time, row id); the answer must be SQLite's,
/// whatever the page size, with ties on time and events naming several secrets across page
/// boundaries.
@Suite struct AccessPagingTests {
    /// 30 events: three share each second, every other one from 203.0.113.0/24, every fifth
    /// names two secrets, every seventh none, alternating between two principals and two names.
    static let events: [AuditEvent] = (0..<30).map { i in
        let secrets: [SecretRef] = i % 7 == 3 ? [] : i % 5 == 0 ? [Fixture.s1Full, Fixture.s2] : [i % 2 == 0 ? Fixture.s1Full : Fixture.s2]
        let second = 10 + i / 3
        return Fixture.event(
            "p\(i < 10 ? "0" : "")\(i)", "2024-05-01T10:00:\(second)Z", i % 3 == 0 ? "BatchGetSecretValue" : "GetSecretValue",
            i % 4 == 0 ? Fixture.alice : Fixture.payments1, secrets, ip: i % 2 == 0 ? "203.0.113.\(i)" : "10.0.0.\(i)")
    }

    static func store(_ kind: StoreKind) throws -> Store {
        let store = try makeStore(kind)
        try store.commit(FileCommit(ledger: Fixture.ledger("logs/paging.json.gz", records: events.count), events: events))
        return store
    }

    /// The rows the query must give: matching events newest first (commit order breaks ties on
    /// time), one row per secret by ARN, or one row for an event that names none when no secret
    /// is asked for; as (event id, secret name).
    static func expected(_ keep: (AuditEvent) -> Bool, secret: SecretRef? = nil, limit: Int = 0) -> [String] {
        var rows: [String] = []
        for e in events.reversed() where e.sourceIPAddress?.hasPrefix("203.0.113.") == true && keep(e) {
            let named = e.secrets.sorted { $0.id < $1.id }.filter { secret == nil || $0.id == secret?.id }
            if named.isEmpty && secret == nil { rows.append(e.eventID + " -") }
            rows += named.map { e.eventID + " " + $0.name }
        }
        return limit > 0 ? Array(rows.prefix(limit)) : rows
    }

    func rows(_ q: QueryService, _ scope: QueryScope, _ filter: AccessFilter) throws -> [String] {
        try q.access(scope, filter).rows.map { row in
            var id = "?", secret = "-"
            if case .text(let text) = row[8] { id = text }
            if case .text(let name) = row[4] { secret = name }
            return id + " " + secret
        }
    }

    @Test(arguments: StoreKind.engines) func pagesGiveTheSameRowsAsOneRead(kind: StoreKind) throws {
        let store = try Self.store(kind)
        let block = "203.0.113.0/24"
        let all = Self.expected { _ in true }
        // The test's own premise: more matching rows than the smaller pages, ties, two-secret events.
        #expect(all.count == 17)
        #expect(all.prefix(3) == ["p28 prod/db/password", "p26 prod/db/password", "p24 -"])
        for pageRows: Int64 in [1, 2, 3, 5, 2_000] {
            var q = QueryService(store: store, now: Fixture.now)
            q.cidrPageRows = pageRows
            #expect(try rows(q, QueryScope(limit: 0), AccessFilter(sourceCIDR: block)) == all, "page \(pageRows)")
            #expect(try rows(q, QueryScope(limit: 4), AccessFilter(sourceCIDR: block)) == Array(all.prefix(4)), "page \(pageRows)")
            #expect(try rows(q, QueryScope(limit: 0), AccessFilter(secret: "shared/api-key", sourceCIDR: block))
                    == Self.expected({ _ in true }, secret: Fixture.s2), "page \(pageRows)")
            #expect(try rows(q, QueryScope(limit: 0), AccessFilter(principal: "alice", sourceCIDR: block))
                    == Self.expected { $0.principal.id == Fixture.alice.id }, "page \(pageRows)")
            #expect(try rows(q, QueryScope(limit: 3), AccessFilter(eventNames: ["BatchGetSecretValue"], sourceCIDR: block))
                    == Self.expected({ $0.eventName == "BatchGetSecretValue" }, limit: 3), "page \(pageRows)")
            #expect(try rows(q, QueryScope(limit: 0), AccessFilter(errors: false, sourceCIDR: "203.0.113.20/30"))
                    == ["p22 prod/db/password", "p20 prod/db/password", "p20 shared/api-key"], "page \(pageRows)")
        }
    }
}
