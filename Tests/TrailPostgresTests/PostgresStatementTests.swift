import Testing
import TrailStore
import TrailTestSupport
@testable import TrailPostgres

/// The store's statement interface on PostgreSQL: binds in order, rows walked with `step()`,
/// accessors converting as SQLite's do, `changes` from the command tag.
@Suite struct PostgresStatementTests {
    @Test func everyBindAndCellTypeRoundTrips() throws {
        let f = try ClusterFixture("stmt_roundtrip")
        let db = PostgresSQLConnection(session: f.session)
        #expect(db.dialect == .postgres)
        var create = try db.statement("CREATE TABLE t (n integer PRIMARY KEY, i bigint, s text, b integer, k integer)")
        try create.run()

        let texts: [String?] = ["", "ünïcödé 😀 \u{202E}", "it's \"quoted\" ? -- not a comment", nil, String(repeating: "x", count: 100_000)]
        let ints: [Int64?] = [Int64.min, Int64.max, 0, nil, -1]
        let flags: [Bool?] = [true, false, nil, true, false]
        var insert = try db.statement("INSERT INTO t (n, i, s, b, k) VALUES (?, ?, ?, ?, ?)")
        for n in 0..<5 {
            insert.bind(n as Int?)
            insert.bind(ints[n])
            insert.bind(texts[n])
            insert.bind(flags[n])
            insert.bind(n == 3 ? nil : n * 10 as Int?)
            try insert.run()
            #expect(insert.changes == 1)
        }

        var select = try db.statement("SELECT n, i, s, b, k FROM t WHERE n >= ? ORDER BY n")
        select.bind(0 as Int64?)
        var n = 0
        while try select.step() {
            #expect(select.int(0) == n)
            #expect(select.optionalInt64(1) == ints[n])
            #expect(select.optionalString(2) == texts[n])
            #expect(select.optionalInt64(3) == flags[n].map { $0 ? 1 : 0 })
            #expect(select.isNull(4) == (n == 3))
            n += 1
        }
        #expect(n == 5)
        // NULL reads as 0 and "", as SQLite's column accessors do; numbers read as text.
        select.reset()
        select.bind(3 as Int?)
        #expect(try select.step())
        #expect(select.int64(1) == 0)
        #expect(select.string(2) == "")
        #expect(select.string(4) == "")
        #expect(try select.step())
        #expect(select.string(1) == "-1")
        #expect(select.int64(9) == 0)
        #expect(try !select.step())
    }

    @Test func placeholdersInsideQuotesAndCommentsAreLeftAlone() throws {
        let f = try ClusterFixture("stmt_quotes")
        let db = PostgresSQLConnection(session: f.session)
        var s = try db.statement("""
            SELECT '?' AS q, ? AS a, "x?" AS b -- is this ?
            FROM (SELECT ?::bigint AS "x?") AS v /* ? */
            """)
        s.bind("first")
        s.bind(7 as Int64?)
        #expect(try s.step())
        #expect(s.string(0) == "?")
        #expect(s.string(1) == "first")
        #expect(s.int64(2) == 7)
        #expect(try !s.step())
    }

    @Test func changesCountTheRowsOfTheLastRun() throws {
        let f = try ClusterFixture("stmt_changes")
        let db = PostgresSQLConnection(session: f.session)
        var create = try db.statement("CREATE TABLE t (id bigint PRIMARY KEY, v text)")
        try create.run()
        var insert = try db.statement("INSERT INTO t (id, v) VALUES (?, 'a'), (?, 'b'), (?, 'c') ON CONFLICT (id) DO NOTHING")
        for id: Int64 in [1, 2, 3] { insert.bind(id) }
        try insert.run()
        #expect(insert.changes == 3)
        for id: Int64 in [3, 4, 5] { insert.bind(id) }
        try insert.run()
        #expect(insert.changes == 2)
        var update = try db.statement("UPDATE t SET v = ? WHERE id > ? RETURNING id")
        update.bind("z")
        update.bind(3 as Int64?)
        var returned: [Int64] = []
        while try update.step() { returned.append(update.int64(0)) }
        #expect(returned.sorted() == [4, 5])
        #expect(update.changes == 2)
    }

    @Test func aFailedStatementThrowsTheServersError() throws {
        let f = try ClusterFixture("stmt_error")
        var s = try PostgresSQLConnection(session: f.session).statement("SELECT ? / 0")
        s.bind(1 as Int64?)
        #expect {
            _ = try s.step()
        } throws: { error in
            (error as? StoreError)?.message == "22012 division by zero"
        }
    }
}
