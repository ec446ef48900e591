import Testing
@testable import TrailPostgres

/// libpq's password file format: wildcards, escapes, first match wins, permissions.
@Suite struct PostgresPassFileTests {
    @Test func fieldsWildcardsAndEscapes() {
        let file = PostgresPassFile(parsing: """
            # a comment
            db.example.com:5432:trail:alice:first
            *:*:*:alice:second
            h\\:x:5432:d:u:pa\\:ss\\\\word
            short:line
            h2:5432:d:u:ends:here
            h3:5432:d:u:*
            \\*:5432:d:u:literalstar

            """)
        #expect(file.entries.count == 6)
        #expect(file.password(host: "db.example.com", port: 5432, database: "trail", user: "alice") == "first")
        #expect(file.password(host: "db.example.com", port: 5433, database: "trail", user: "alice") == "second")
        #expect(file.password(host: "h:x", port: 5432, database: "d", user: "u") == "pa:ss\\word")
        #expect(file.password(host: "h2", port: 5432, database: "d", user: "u") == "ends")
        #expect(file.password(host: "h3", port: 5432, database: "d", user: "u") == "*")
        #expect(file.password(host: "anything", port: 5432, database: "d", user: "u") == nil)
        #expect(file.password(host: "*", port: 5432, database: "d", user: "u") == "literalstar")
        #expect(file.password(host: "x", port: 1, database: "d", user: "bob") == nil)
    }

    @Test func crlfLinesParse() {
        let file = PostgresPassFile(parsing: "h:1:d:u:pw\r\nh:2:d:u:pw2\r\n")
        #expect(file.password(host: "h", port: 1, database: "d", user: "u") == "pw")
        #expect(file.password(host: "h", port: 2, database: "d", user: "u") == "pw2")
    }

    @Test func loadChecksPermissionsAndType() throws {
        let dir = try temporaryDirectory()
        #expect(PostgresPassFile.load(path: dir + "/none") == .missing)
        guard case .ignored(let reason) = PostgresPassFile.load(path: dir) else {
            Issue.record("a directory was loaded as a password file")
            return
        }
        #expect(reason == "not a regular file")
        try write("h:1:d:u:pw\n", to: dir + "/group", mode: 0o640)
        #expect(PostgresPassFile.load(path: dir + "/group") == .ignored("group or others may read it (mode 0640); it must be 0600 or stricter"))
        try write("h:1:d:u:pw\n", to: dir + "/ok", mode: 0o400)
        #expect(PostgresPassFile.load(path: dir + "/ok") == .loaded(PostgresPassFile(entries: [
            .init(host: "h", port: "1", database: "d", user: "u", password: "pw"),
        ])))
    }
}
