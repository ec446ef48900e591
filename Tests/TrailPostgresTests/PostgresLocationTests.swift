import Testing
import TrailStore
@testable import TrailPostgres

/// `postgres://` URLs: the parts, the defaults, the refusals, and a description that never holds
/// the password.
@Suite struct PostgresLocationTests {
    /// An environment with nothing in it but a user name, so the real HOME's ~/.pgpass is never read.
    let bare = ["USER": "osuser"]

    func parse(_ text: String, _ environment: [String: String]? = nil) throws(StoreError) -> PostgresLocation {
        try PostgresLocation(parsing: text, environment: environment ?? bare)
    }

    func error(_ text: String) -> StoreError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func theFullFormParses() throws {
        let l = try parse("postgresql://alice:s3cr%40t@db.example.com:6543/trail%20db?sslmode=verify-full&sslrootcert=/etc/ca.pem&connect_timeout=3&application_name=tw")
        #expect(l.user == "alice")
        #expect(l.password == "s3cr@t")
        #expect(l.passwordSource == .url)
        #expect(l.host == "db.example.com")
        #expect(l.port == 6543)
        #expect(l.database == "trail db")
        #expect(l.tlsMode == .verifyFull)
        #expect(l.tlsModeExplicit)
        #expect(l.rootCertificatePath == "/etc/ca.pem")
        #expect(l.connectTimeoutSeconds == 3)
        #expect(l.applicationName == "tw")
        #expect(!l.isLocal)
        #expect(l.redacted == "postgres://alice@db.example.com:6543/trail%20db?sslmode=verify-full&sslrootcert=/etc/ca.pem&connect_timeout=3&application_name=tw")
    }

    @Test func defaultsFollowLibpq() throws {
        let l = try parse("postgres://db.example.com")
        #expect(l.user == "osuser")
        #expect(l.database == "osuser")
        #expect(l.port == 5432)
        #expect(l.password == nil)
        #expect(l.passwordSource == .none)
        #expect(l.connectTimeoutSeconds == 10)
        #expect(try parse("postgres://h", ["PGUSER": "pg", "USER": "os"]).user == "pg")
        #expect(error("postgres://h")?.kind == nil)
        #expect(throws: StoreError.self) { try PostgresLocation(parsing: "postgres://h", environment: [:]) }
    }

    @Test(arguments: [
        ("postgres://u@db.example.com/d", PostgresLocation.TLSMode.require),
        ("postgres://u@10.0.0.5/d", .require),
        ("postgres://u@localhost/d", .disable),
        ("postgres://u@127.0.0.1:5433/d", .disable),
        ("postgres://u@127.9.8.7/d", .disable),
        ("postgres://u@[::1]:5433/d", .disable),
        ("postgres://u@/d?host=/tmp/sock", .disable),
        ("postgres://u@%2Ftmp%2Fsock/d", .disable),
        ("postgres://u@/d", .disable),
        ("postgres://u@127.0.0.1.evil.example/d", .require),
    ])
    func tlsDefaultsToRequireOffTheMachine(url: String, expected: PostgresLocation.TLSMode) throws {
        let l = try parse(url)
        #expect(l.tlsMode == expected)
        #expect(!l.tlsModeExplicit)
    }

    @Test func unixSockets() throws {
        let l = try parse("postgres://u@/d?host=/run/pg&port=5999")
        #expect(l.isUnixSocket)
        #expect(l.socketPath == "/run/pg/.s.PGSQL.5999")
        #expect(l.redacted == "postgres://u@/d?host=/run/pg&port=5999&sslmode=disable")
        let debian = try parse("postgres:///trail")
        #expect(debian.socketPath == "/var/run/postgresql/.s.PGSQL.5432")
        #expect(debian.user == "osuser")
        #expect(error("postgres://u@/d?host=/run/pg&sslmode=require")?.message.contains("Unix socket") == true)
    }

    /// A password with `?` in it, or written without `@host`, was echoed in the error: "port
    /// S3CRET is not a number", or the whole `u:S3CRET?pw%40…` as a host.
    @Test(arguments: ["postgres://u:S3CRET?pw@127.0.0.1:5/db", "postgres://u:S3CRET?x=1", "postgres://u:S3CRET/db",
                      "postgres://u:999999/db", "postgres://[::1]:S3CRET/db"])
    func malformedURLsNeverShowWhatMayBeAPassword(url: String) throws {
        let e = try #require(error(url))
        #expect(!e.description.contains("S3CRET") && !e.description.contains("999999"), "\(e)")
        #expect(e.description.contains("REDACTED"), "\(e)")
    }

    @Test func ipv6() throws {
        let l = try parse("postgres://u@[2001:db8::1]:7000/d")
        #expect(l.host == "2001:db8::1")
        #expect(l.port == 7000)
        #expect(l.redacted.hasPrefix("postgres://u@[2001:db8::1]:7000/d?"))
    }

    @Test(arguments: [
        ("mysql://u@h/d", "must start with postgres://"),
        ("postgres://u@h:0/d", "postgres://u@h:REDACTED/d: PostgreSQL URL: the port is not a number from 1 to 65535"),
        ("postgres://u@h:65536/d", "u@h:REDACTED/d"),
        ("postgres://u@h:+5/d", "u@h:REDACTED/d"),
        ("postgres://u@h/d?sslmode=prefer", "sslmode=prefer is not supported"),
        ("postgres://u@h/d?sslmode=verify-ca", "sslmode=verify-ca is not supported"),
        ("postgres://u@h/d?ssl_mode=disable", "unknown parameter ssl_mode"),
        ("postgres://u@h/d?sslmode=disable&sslmode=require", "sslmode is given twice"),
        ("postgres://u@h/d?sslmode", "sslmode has no value"),
        ("postgres://u@h/d?sslrootcert=/ca.pem", "sslrootcert needs sslmode=verify-full"),
        ("postgres://u@h/d?connect_timeout=0", "connect_timeout=0 is not a whole number of seconds from 1 to 3600"),
        ("postgres://u@h/d?connect_timeout=abc", "connect_timeout=abc"),
        ("postgres://u@h1,h2/d", "several hosts are not supported"),
        ("postgres://u@[::1/d", "not closed"),
        ("postgres://u%ZZ@h/d", "user name has a % not followed by two hexadecimal digits"),
        ("postgres://u@h/d%00x", "database name holds a NUL byte"),
        ("postgres://u@h/%FF", "database name is not UTF-8"),
        ("postgres://u@h/d#frag", "a # in the URL"),
        ("postgres://u@h/d?user=v", "the user is given both"),
    ])
    func malformedURLsAreNamed(url: String, fragment: String) {
        let e = error(url)
        #expect(e?.kind == .invalidArgument)
        #expect(e?.operation == "PostgreSQL URL")
        #expect(e?.description.contains(fragment) == true, "\(String(describing: e))")
    }

    @Test(arguments: [
        "postgres://alice:hunter2@h:notaport/d",
        "postgres://alice:hunter2@h/d?sslmode=bogus",
        "postgres://alice:hun/ter2@h/d?unknown=1",
        "postgres://alice@h/d?password=hunter2&sslmode=bogus",
        "postgres://alice:hunter2@h/d%ZZ",
    ])
    func errorsNeverEchoThePassword(url: String) throws {
        let e = try #require(error(url))
        #expect(!e.description.contains("hunter2"))
        #expect(!e.description.contains("hun/ter2"))
        #expect(e.path.hasPrefix("postgres://alice@"))
    }

    @Test func aPasswordMayHoldAtSignsAndSlashes() throws {
        let l = try parse("postgres://alice:p@ss/w:rd@h/d")
        #expect(l.password == "p@ss/w:rd")
        #expect(l.host == "h")
        #expect(!l.redacted.contains("ss/w"))
        #expect(error("postgres://alice:pa?ss@h/d")?.message.contains("%3F") == true)
    }

    @Test func theDescriptionNeverHoldsThePassword() throws {
        for url in ["postgres://alice:hunter2@h/d", "postgres://alice@h/d?password=hunter2"] {
            let l = try parse(url)
            #expect(l.password == "hunter2")
            #expect(l.description == "postgres://alice@h:5432/d?sslmode=require")
            #expect(String(describing: l) == l.redacted)
        }
    }

    @Test func dumpsAndDebugDescriptionsHideThePassword() throws {
        let l = try parse("postgres://alice:hunter2@h/d")
        var dumped = ""
        dump(l, to: &dumped)
        #expect(!dumped.contains("hunter2"))
        #expect(dumped.contains("REDACTED"))
        #expect(!String(reflecting: l).contains("hunter2"))
        #expect(!"\(l)".contains("hunter2"))
    }

    @Test func theDescriptionEscapesControlCharacters() throws {
        let l = try parse("postgres://al%0Aice@h/d%1B%5B2J?application_name=%0D")
        #expect(l.user == "al\nice")
        #expect(l.redacted == "postgres://al%0Aice@h:5432/d%1B%5B2J?sslmode=require&application_name=%0D")
    }

    @Test func passwordPrecedenceIsURLThenEnvironmentThenFile() throws {
        let dir = try temporaryDirectory()
        try write("h:5432:d:alice:fromfile\n", to: dir + "/.pgpass", mode: 0o600)
        let env = ["HOME": dir, "PGPASSWORD": "fromenv"]
        #expect(try parse("postgres://alice:fromurl@h/d", env).password == "fromurl")
        let fromEnv = try parse("postgres://alice@h/d", env)
        #expect(fromEnv.password == "fromenv")
        #expect(fromEnv.passwordSource == .environment)
        let fromFile = try parse("postgres://alice@h/d", ["HOME": dir])
        #expect(fromFile.password == "fromfile")
        #expect(fromFile.passwordSource == .passFile(dir + "/.pgpass"))
        #expect(try parse("postgres://bob@h/d", ["HOME": dir]).password == nil)
    }

    @Test func pgpassfileOverridesHome() throws {
        let dir = try temporaryDirectory()
        try write("*:*:*:*:home\n", to: dir + "/.pgpass", mode: 0o600)
        try write("*:*:*:*:named\n", to: dir + "/other", mode: 0o600)
        #expect(try parse("postgres://u@h/d", ["HOME": dir, "PGPASSFILE": dir + "/other"]).password == "named")
    }

    @Test func aLoosePasswordFileIsIgnoredWithAWarning() throws {
        let dir = try temporaryDirectory()
        try write("*:*:*:*:secret\n", to: dir + "/.pgpass", mode: 0o644)
        let l = try parse("postgres://u@h/d", ["HOME": dir])
        #expect(l.password == nil)
        #expect(l.warnings.count == 1)
        #expect(l.warnings.first?.contains("mode 0644") == true)
        #expect(l.warnings.first?.contains("secret") == false)
    }

    @Test func theDefaultSocketMatchesLocalhostInThePasswordFile() throws {
        let dir = try temporaryDirectory()
        try write("localhost:5432:*:u:local\n/tmp/s:5432:*:u:dir\n", to: dir + "/.pgpass", mode: 0o600)
        #expect(try parse("postgres://u@/d", ["HOME": dir]).password == "local")
        #expect(try parse("postgres://u@/d?host=/tmp/s", ["HOME": dir]).password == "dir")
    }
}
