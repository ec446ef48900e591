import Foundation
import Testing
import TrailModel
@testable import TrailStore
import TrailPresentation

/// What people type, resolved to stored secrets and principals; ambiguity is listed, not guessed.
@Suite struct NameResolutionTests {

    /// The callers query's principals for a secret given as `input`.
    func callers(_ q: QueryService, _ input: String, _ scope: QueryScope = QueryScope()) throws -> [String] {
        try q.callers(scope, secret: input).rows.map { row in
            if case .text(let s) = row[0] { return s }
            return "?"
        }
    }

    @Test(arguments: StoreKind.engines, [
        "prod/db/password",                                                                  // name
        "prod/db/password-AbCdEf",                                                           // name with suffix
        "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db/password-AbCdEf",     // full ARN
        "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db/password",            // partial ARN
    ])
    func everyFormOfASecretFindsBothOfItsIdentities(kind: StoreKind, input: String) throws {
        let q = try Fixture.queries(kind)
        // The partial-ARN access (e02) and the full-ARN ones are one secret.
        #expect(try callers(q, input) == ["role/app-payments", "user/alice"])
        let t = try q.access(QueryScope(limit: 0), AccessFilter(secret: input, principal: Fixture.payments1.id))
        #expect(t.rows.count == 3)
    }

    @Test(arguments: StoreKind.engines) func anAmbiguousNameListsTheCandidates(kind: StoreKind) throws {
        let q = try Fixture.queries(kind)
        do {
            _ = try q.callers(QueryScope(), secret: "shared/api-key")
            Issue.record("expected ambiguity")
        } catch {
            #expect(error.kind == .ambiguous)
            #expect(error.description == q.store.path + """
                : resolve secret: secret "shared/api-key" is ambiguous: 2 secrets match (give a full ARN, or --account/--region):
                  arn:aws:secretsmanager:us-east-1:111111111111:secret:shared/api-key-Zz9Yx8  (account 111111111111, region us-east-1)
                  arn:aws:secretsmanager:eu-west-1:222222222222:secret:shared/api-key-Qq1Ww2  (account 222222222222, region eu-west-1)
                """)
        }
        // --account, --region or the ARN picks one.
        #expect(try callers(q, "shared/api-key", QueryScope(account: Fixture.a2)) == ["root", "role/app-payments"])
        #expect(try callers(q, "shared/api-key", QueryScope(region: "us-east-1")) == ["user/alice", "role/app-payments"])
        #expect(try callers(q, Fixture.s3.id) == ["root", "role/app-payments"])
        #expect(try callers(q, "shared/api-key-Qq1Ww2") == ["root", "role/app-payments"])
    }

    @Test(arguments: StoreKind.engines) func principalsByEveryForm(kind: StoreKind) throws {
        let q = try Fixture.queries(kind)
        let forms = [
            "arn:aws:iam::111111111111:role/service/app-payments",
            "arn:aws:sts::111111111111:assumed-role/app-payments/i-0abc",
            "arn:aws:sts::111111111111:assumed-role/app-payments/another-session",
        ]
        for form in forms {
            #expect(try q.secrets(QueryScope(), principal: form).rows.count == 2, "\(form)")
        }
        #expect(try q.secrets(QueryScope(), principal: "arn:aws:iam::111111111111:user/alice").rows.count == 2)
        #expect(try q.secrets(QueryScope(), principal: "alice").rows.count == 2)
        #expect(try q.secrets(QueryScope(), principal: "user/alice").rows.count == 2)
        #expect(try q.secrets(QueryScope(), principal: "arn:aws:iam::222222222222:root").rows.count == 1)
    }

    @Test(arguments: StoreKind.engines) func anAmbiguousRoleNameListsTheCandidates(kind: StoreKind) throws {
        let q = try Fixture.queries(kind)
        for input in ["app-payments", "role/app-payments"] {
            do {
                _ = try q.secrets(QueryScope(), principal: input)
                Issue.record("expected ambiguity for \(input)")
            } catch {
                #expect(error.kind == .ambiguous)
                #expect(error.candidates == ["arn:aws:iam::111111111111:role/service/app-payments", "arn:aws:iam::222222222222:role/app-payments"])
            }
        }
        let picked = try q.secrets(QueryScope(account: Fixture.a2), principal: "app-payments")
        #expect(picked.rows.count == 1)
    }

    @Test(arguments: StoreKind.engines, [
        "' OR 1=1 --", "\" OR \"\"=\"", "x'; DROP TABLE events; --", "%", "_", "*", "prod/%", "1) OR (1=1",
        "arn:aws:secretsmanager:us-east-1:111111111111:secret:' OR 1=1 --", "arn:aws:sts::1:assumed-role/' OR 1=1/x",
    ])
    func injectionLookingInputsFindNothingAndBreakNothing(kind: StoreKind, input: String) throws {
        let q = try Fixture.queries(kind)
        let secret = try q.callers(QueryScope(), secret: input)
        #expect(secret.rows.isEmpty)
        #expect(secret.notes.count == 1)
        #expect(try q.secrets(QueryScope(), principal: input).rows.isEmpty)
        #expect(try q.access(QueryScope(), AccessFilter(secret: input)).rows.isEmpty)
        #expect(try q.access(QueryScope(), AccessFilter(principal: input)).rows.isEmpty)
        #expect(try q.access(QueryScope(), AccessFilter(eventNames: [input])).rows.isEmpty)
        #expect(try q.access(QueryScope(account: input), AccessFilter()).rows.isEmpty)
        #expect(try q.secretStory(QueryScope(), secret: input) == nil)
        #expect(try q.alerts(QueryScope(region: input)).jsonLines.isEmpty)
        // The store is intact.
        #expect(try q.access(QueryScope(limit: 0), AccessFilter()).rows.count == 12)
    }

    @Test func secretSuffixRecognition() {
        #expect(SecretARN.stripSuffix("prod/db/password-AbCdEf") == "prod/db/password")
        #expect(SecretARN.stripSuffix("prod/db/password") == nil)
        #expect(SecretARN.stripSuffix("a-b_cdef") == nil)
        #expect(SecretARN.stripSuffix("-AbCdEf") == nil)
        #expect(SecretARN("arn:aws-us-gov:secretsmanager:us-gov-west-1:1:secret:a:b-123456")?.nameOrSuffixed == "a:b-123456")
        #expect(SecretARN("arn:aws:iam::1:role/x") == nil)
    }
}

/// `--since`/`--until` forms, time rendering, and table safety.
@Suite struct FormattingTests {
    let now = Fixture.time("2024-05-10T12:00:00Z")

    /// With `--local`, a zone-less time is read at the offset in force on its date, so that a time
    /// copied from `--local` output selects the same instant across a change of summer time.
    @Test func zoneLessTimesTakeTheOffsetOfTheirDate() throws {
        let berlin = TimeRendering.zone(try #require(TimeZone(identifier: "Europe/Berlin")))
        #expect(TimeArgument.parse("2025-09-10T23:43:13", now: now, zone: berlin) == Fixture.time("2025-09-10T21:43:13Z"))
        #expect(TimeArgument.parse("2025-12-10T23:43:13", now: now, zone: berlin) == Fixture.time("2025-12-10T22:43:13Z"))
        #expect(TimeArgument.parse("2025-09-10", now: now, zone: berlin) == Fixture.time("2025-09-09T22:00:00Z"))
        // Just after the spring change (02:00 to 03:00 on 2025-03-30): the new offset.
        #expect(TimeArgument.parse("2025-03-30T03:30:00", now: now, zone: berlin) == Fixture.time("2025-03-30T01:30:00Z"))
        // An explicit offset or Z wins over the zone.
        #expect(TimeArgument.parse("2025-09-10T23:43:13Z", now: now, zone: berlin) == Fixture.time("2025-09-10T23:43:13Z"))
        // What --local prints parses back to the same instant.
        for iso in ["2025-09-10T21:43:13Z", "2025-12-10T22:43:13Z", "2025-03-30T01:30:00Z"] {
            let t = Fixture.time(iso)
            let printed = String(berlin.render(t).dropLast(6))
            #expect(TimeArgument.parse(printed, now: now, zone: berlin) == t, "\(printed)")
        }
    }

    @Test func timeArguments() throws {
        #expect(TimeArgument.parse("7d", now: now) == Fixture.time("2024-05-03T12:00:00Z"))
        #expect(TimeArgument.parse("12h", now: now) == Fixture.time("2024-05-10T00:00:00Z"))
        #expect(TimeArgument.parse("30m", now: now) == Fixture.time("2024-05-10T11:30:00Z"))
        #expect(TimeArgument.parse("2w", now: now) == Fixture.time("2024-04-26T12:00:00Z"))
        #expect(TimeArgument.parse("2024-05-01", now: now)?.milliseconds == 1_714_521_600_000)
        #expect(TimeArgument.parse("2024-05-01T12:30:15Z", now: now)?.milliseconds == 1_714_566_615_000)
        #expect(TimeArgument.parse("2024-05-01T12:30:15.250Z", now: now)?.milliseconds == 1_714_566_615_250)
        #expect(TimeArgument.parse("2024-05-01T14:30:15+02:00", now: now)?.milliseconds == 1_714_566_615_000)
        #expect(TimeArgument.parse("2024-05-01T07:30:15-0500", now: now)?.milliseconds == 1_714_566_615_000)
        #expect(TimeArgument.parse("2024-05-01T12:30", now: now)?.milliseconds == 1_714_566_600_000)
        #expect(TimeArgument.parse("2024-05-01T14:30", now: now, zone: .zone(try #require(TimeZone(secondsFromGMT: 7200))))?.milliseconds == 1_714_566_600_000)
        for bad in ["", "7", "d", "7y", "-7d", "2024-13-01", "2024-05-01T25:00", "2024-05-01Tx", "yesterday", "2024-05-01T12:00:00Zjunk"] {
            #expect(TimeArgument.parse(bad, now: now) == nil, "\(bad)")
        }
    }

    @Test func localTimesCarryTheirOffset() throws {
        let zone = try #require(TimeZone(secondsFromGMT: 7200))
        let t = Fixture.time("2024-05-01T12:00:00Z")
        #expect(TimeRendering.zone(zone).render(t) == "2024-05-01T14:00:00+02:00")
        let west = try #require(TimeZone(secondsFromGMT: -(5 * 3600 + 1800)))
        #expect(TimeRendering.zone(west).render(t) == "2024-05-01T06:30:00-05:30")
        #expect(TimeRendering.utc.render(t) == "2024-05-01T12:00:00Z")
        let table = ResultTable(columns: [.init("time", "time")], rows: [[.time(t)]])
        #expect(ResultFormatter(format: .json, times: .zone(zone)).render(table) == "{\"time\":\"2024-05-01T14:00:00+02:00\"}\n")
    }

    @Test func tablesEscapeControlCharactersAndCutLongCells() {
        let table = ResultTable(columns: [.init("a", "a"), .init("b", "b"), .init("hidden", "hidden", inTable: false)],
                                rows: [[.text("evil\u{1B}[31mred"), .text(String(repeating: "x", count: 70)), .text("h")]])
        let cell = "evil\\u{1b}[31mred"
        let header = "A" + String(repeating: " ", count: cell.count + 1) + "B\n"
        #expect(ResultFormatter(format: .table).render(table) == header + cell + "  " + String(repeating: "x", count: 59) + "…\n")
    }

    @Test func csvQuotesWhatNeedsQuoting() {
        let table = ResultTable(columns: [.init("a", "a"), .init("b", "b"), .init("c", "c")],
                                rows: [[.text("x,y"), .text("say \"hi\"\nbye"), .list(["p", "q"])], [.null, .integer(3), .bool(true)]])
        #expect(ResultFormatter(format: .csv).render(table) == "a,b,c\n\"x,y\",\"say \"\"hi\"\"\nbye\",p;q\n,3,true\n")
        #expect(ResultFormatter(format: .json).render(table) == """
            {"a":"x,y","b":"say \\"hi\\"\\nbye","c":["p","q"]}
            {"a":null,"b":3,"c":true}

            """)
    }

    @Test func cidrBlocks() throws {
        let v4 = try #require(CIDRRange(blockOrAddress: "10.1.0.0/16"))
        #expect(v4.contains("10.1.200.3"))
        #expect(!v4.contains("10.2.0.1"))
        #expect(!v4.contains("secretsmanager.amazonaws.com"))
        #expect(!v4.contains("2001:db8::1"))
        let v6 = try #require(CIDRRange(blockOrAddress: "2001:db8::/33"))
        #expect(v6.contains("2001:db8:7fff::1"))
        #expect(!v6.contains("2001:db8:8000::1"))
        #expect(try #require(CIDRRange(blockOrAddress: "0.0.0.0/0")).contains("8.8.8.8"))
        #expect(CIDRRange(blockOrAddress: "10.0.0.0/33") == nil)
        #expect(CIDRRange(blockOrAddress: "10.0.0/8") == nil)
        #expect(CIDRRange(blockOrAddress: "AWS Internal") == nil)
    }

    @Test func alertCountPatching() {
        #expect(QueryService.patchCount("{\"id\":\"a\",\"count\":1,\"x\":[1,{\"count\":1}]}", count: 4) == "{\"id\":\"a\",\"count\":4,\"x\":[1,{\"count\":1}]}")
        #expect(QueryService.patchCount("{\"id\":\"a\",\"count\":4}", count: 4) == "{\"id\":\"a\",\"count\":4}")
        #expect(QueryService.patchCount("{\"id\":\"a\"}", count: 2) == "{\"id\":\"a\",\"count\":2}")
    }
}
